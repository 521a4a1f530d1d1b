"""Version tokens that per-worker copies hang on, read once per session in one statement.

A feature that keeps a worker's copy of slowly changing rows (the catalog, the compiled
discount rules, the loyalty card types' terms) keeps it under a token in a one-row table
(``id = 1``), changed in every transaction that writes those rows. Each registers its table
here when its model is imported; the first token a session asks for reads every registered
token at once, so a sale pays one tiny query for all of them, and the session keeps seeing the
tokens it read.
"""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from pos.core.direct import Direct

_TABLES: dict[str, Table] = {}
_LOCK = threading.Lock()
_QUERY: list[Direct] = []  # built once every table is registered (at first use)
_KEY = "pos.versions"


def register(name: str, table: Table) -> None:
    """Have sessions read ``table``'s token (its row ``id = 1``) under ``name``."""
    with _LOCK:
        _TABLES[name] = table
        _QUERY.clear()


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
        row = _query().first(session.connection())
        tokens = session.info[_KEY] = row._asdict()
    return tokens[name]


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
            _QUERY.append(Direct(select(*(
                select(table.c.token).where(table.c.id == 1).scalar_subquery().label(name)
                for name, table in sorted(_TABLES.items())))))
        return _QUERY[0]
