"""Version tokens that per-worker copies hang on, read once per session in one statement.

A feature that keeps a worker's copy of slowly changing rows (the catalog, the compiled
discount rules, the loyalty card types' terms) keeps it under a token in a one-row table
(``id = 1``), changed in every transaction that writes those rows. Each registers its table
here when its model is imported; the first token a session asks for reads every registered
token at once, so a sale pays one tiny query for all of them, and the session keeps seeing the
tokens it read.

A use case that knows, before its first token, a row it will read (the loyalty card a sale
presents) may have that row read in the same statement (:func:`read_along`): on PostgreSQL a
statement is a round trip, which a sync worker spends waiting.
"""

from __future__ import annotations

import threading
import uuid
from collections import namedtuple
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Table, insert, select, true, update
from sqlalchemy.orm import Session

from pos.core.direct import Direct

_TABLES: dict[str, Table] = {}
_LOCK = threading.Lock()
_QUERY: list[Direct] = []  # built once every table is registered (at first use)
_ALONG: dict[Along, Direct] = {}  # the tokens with an Along's row (cleared with _QUERY)
_KEY, _ALONG_KEY = "pos.versions", "pos.versions.along"


class Along:
    """A read of at most one row that a session's token read may carry (see :func:`read_along`).

    ``query``'s first column is never NULL in a row it returns (a key): a NULL there tells
    that no row was found.
    """

    def __init__(self, query: Select[Any]) -> None:
        self.query = query
        self.row = namedtuple("Row", [c.key for c in query.selected_columns])  # type: ignore[misc]


def register(name: str, table: Table) -> None:
    """Have sessions read ``table``'s token (its row ``id = 1``) under ``name``."""
    with _LOCK:
        _TABLES[name] = table
        _QUERY.clear()
        _ALONG.clear()


def bump(session: Session, name: str, counter: str | None = None) -> None:
    """Give ``name``'s token a new random value in the caller's transaction (its row if none).

    Random, not a counter: a restored backup or an emptied table never brings back a value a
    worker's copy would take for its own. ``counter``: a column of the row counting changes.
    """
    table, token = _TABLES[name], uuid.uuid4().hex
    values = {"token": token} | ({counter: table.c[counter] + 1} if counter else {})
    result = session.execute(update(table).where(table.c.id == 1).values(values))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(insert(table).values({"id": 1, "token": token}
                                             | ({counter: 1} if counter else {})))


def token(session: Session, name: str) -> str | None:
    """Return the session's token ``name`` (None while its row does not exist yet)."""
    tokens = session.info.get(_KEY)
    if tokens is None or name not in tokens:  # (a table registered after this session read)
        asked = session.info.get(_ALONG_KEY)
        if asked is None or asked.is_read:
            tokens = _query().first(session.connection())._asdict()
        else:
            row = _query_along(asked.along).first(session.connection(), asked.params)
            width = len(asked.along.row._fields)
            tokens = dict(zip(row._fields[:-width], row[:-width], strict=True))
            found = row[-width:]
            asked.row = None if found[0] is None else asked.along.row._make(found)
            asked.is_read = True
        session.info[_KEY] = tokens
    return tokens[name]  # type: ignore[no-any-return]


@dataclass
class _Asked:
    along: Along
    params: dict[str, Any]
    is_read: bool = False
    row: Any = None


def read_along(session: Session, along: Along, params: Mapping[str, Any]) -> None:
    """Have the session's token read also run ``along`` with ``params``, if not yet sent.

    Its answer is then taken with :func:`read_alongside`; a session whose tokens were already
    read ignores this, and the caller reads its row itself.
    """
    if _KEY not in session.info:
        session.info[_ALONG_KEY] = _Asked(along, dict(params))


def read_alongside(session: Session, along: Along, params: Mapping[str, Any]
                   ) -> tuple[bool, Any]:
    """Return whether ``along`` was read with these ``params`` with the tokens, and its row.

    ``(True, None)``: read, no such row; ``(False, None)``: not read, the caller reads it.
    """
    asked = session.info.get(_ALONG_KEY)
    if asked is None or not asked.is_read or asked.along is not along or asked.params != params:
        return False, None
    return True, asked.row


def seen(session: Session) -> dict[str, str | None] | None:
    """Return the tokens a session has read (None: it read none)."""
    return session.info.get(_KEY)


def keep(session: Session, tokens: dict[str, str | None] | None) -> None:
    """Let a session use the tokens another session of the same use case read a moment ago.

    For a use case that reads in one transaction and writes in the next: the write then sees
    the copies the read priced with, as if a change committed in between came just after it
    (the next request reads the new tokens). A copy may hold rows newer than its token, never
    older, so no later session is handed stale rows.
    """
    if tokens is not None:
        session.info.setdefault(_KEY, tokens)


def _query() -> Direct:
    with _LOCK:
        if not _QUERY:
            _QUERY.append(Direct(_tokens()))
        return _QUERY[0]


def _tokens() -> Select[Any]:
    return select(*(select(table.c.token).where(table.c.id == 1).scalar_subquery().label(name)
                    for name, table in sorted(_TABLES.items())))


def _query_along(along: Along) -> Direct:
    # The tokens' one row, joined to the row ``along`` finds (NULLs when it finds none).
    with _LOCK:
        found = _ALONG.get(along)
        if found is None:
            tokens, row = _tokens().subquery("tokens"), along.query.subquery("along")
            found = _ALONG[along] = Direct(
                select(*tokens.c, *(column.label(f"along_{n}") for n, column in enumerate(row.c)))
                .select_from(tokens.outerjoin(row, true())))
        return found
