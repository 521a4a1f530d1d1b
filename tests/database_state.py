"""A test's database state: every table emptied, then the seeded shop put back from a copy.

Emptying and seeding were most of a database test's set-up. PostgreSQL's TRUNCATE makes new
files for a table and its indexes (about 0.1 s for the dozen tables a test writes to on a busy
machine); DELETE of the few rows a test leaves costs a millisecond. Seeding the shop through
its use cases (four users, each in its own transaction, then the catalog through the ORM)
is done once per database, worker and seeding time; every later test gets the same rows
inserted back in one transaction, with the sequences where seeding left them, so the ids,
rows and next ids are those :func:`tests.helpers.seed_shop` gives. The demo data is put back
the same way (:func:`built_once`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Table, select, text

from pos.core.db import Database
from pos.models import metadata
from tests.helpers import Shop, seed_shop

# Rewritten by database triggers whenever the catalog or a user changes (migrations 0017 and
# 0021), with a new random token: restoring the rows writes them as seeding did, so they are
# not copied. On PostgreSQL the triggers run at the commit, so emptying the tables writes
# them again.
_WRITTEN_BY_TRIGGERS = {"catalog_version", "auth_version"}

_RESTART_SEQUENCES = text(
    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false) "
    "FROM pg_sequences WHERE schemaname = current_schema()")
_USED_SEQUENCES = text(
    "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences "
    "WHERE schemaname = current_schema() AND last_value IS NOT NULL")
_SET_SEQUENCES = text(
    "SELECT setval(CAST(name AS regclass), value, true) "
    "FROM unnest(CAST(:names AS text[]), CAST(:values AS bigint[])) AS s(name, value)")


_TABLES = [t.name for t in metadata.sorted_tables]
_PROBE = text(" UNION ALL ".join(f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM {name})"
                                 for name in _TABLES))


def _holding(connection: Connection) -> set[str]:
    return set(connection.execute(_PROBE).scalars())


def empty_tables(db: Database) -> None:
    """Delete every row, leaving the migrated schema, so each test starts clean.

    Only the tables holding rows are emptied, children before parents, and on PostgreSQL every
    sequence restarts (a rolled-back insert advances the sequence of a table that stays empty).
    """
    with db.engine.begin() as connection:
        holding = _holding(connection)
        for name in reversed(_TABLES):
            if name in holding:
                connection.execute(text(f"DELETE FROM {name}"))
        if db.dialect == "postgresql":
            connection.execute(_RESTART_SEQUENCES)


@dataclass(frozen=True)
class _Copy:
    """What a build wrote: rows per table (parents first), sequence values, its result."""

    rows: list[tuple[Table, list[dict[str, Any]]]]
    sequences: list[tuple[str, int]]
    result: Any


_COPIES: dict[tuple[Any, ...], _Copy] = {}
T = TypeVar("T")


def built_once(db: Database, key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """Run ``build`` on the emptied database once per key; afterwards put its rows back.

    ``build`` must write the same rows whenever it runs on an empty database (given ``key``).
    A database some fixture already wrote to is built on by ``build``, and not copied.
    """
    key = (db.url, *key)
    copy = _COPIES.get(key)
    with db.engine.begin() as connection:
        is_empty = not _holding(connection) - _WRITTEN_BY_TRIGGERS
        if is_empty and copy is not None:
            for table, rows in copy.rows:
                connection.execute(table.insert(), rows)
            if copy.sequences:
                connection.execute(_SET_SEQUENCES, {"names": [n for n, _ in copy.sequences],
                                                    "values": [v for _, v in copy.sequences]})
            return cast(T, copy.result)
    result = build()
    if is_empty:
        _COPIES[key] = _copy(db, result)
    return result


def seeded_shop(db: Database, now: datetime) -> Shop:
    """Seed the shop into the emptied database: by its use cases once, then from their copy."""
    return built_once(db, ("shop", now), lambda: seed_shop(db, now))


def _copy(db: Database, result: Any) -> _Copy:
    rows = []
    with db.engine.begin() as connection:
        for table in metadata.sorted_tables:
            if table.name in _WRITTEN_BY_TRIGGERS:
                continue
            found = [dict(zip([c.key for c in table.c], row, strict=True))
                     for row in connection.execute(select(*table.c))]
            if found:
                rows.append((table, found))
        sequences = ([(name, value) for name, value in connection.execute(_USED_SEQUENCES)]
                     if db.dialect == "postgresql" else [])
    return _Copy(rows, sequences, result)
