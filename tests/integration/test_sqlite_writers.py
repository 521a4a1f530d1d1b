"""SQLite with BEGIN IMMEDIATE: concurrent writers queue instead of failing "locked"."""

import threading

import pytest
from sqlalchemy import select

from pos.catalog.model import Segment
from pos.core.db import Database


def test_concurrent_read_modify_write_loses_no_update(database_url, app, db):
    """Each thread reads a counter and writes it back + 1 in one transaction."""
    with db.transaction() as s:
        s.add(Segment(code="COUNTER", name="0"))
    errors: list[Exception] = []

    def bump(n: int) -> None:
        local = Database(database_url)
        try:
            for _ in range(n):
                with local.transaction() as s:
                    row = s.scalar(select(Segment).where(Segment.code == "COUNTER"))
                    if db.dialect == "postgresql":
                        row = s.scalar(select(Segment).where(Segment.code == "COUNTER")
                                       .with_for_update().execution_options(
                                           populate_existing=True))
                    row.name = str(int(row.name) + 1)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            local.dispose()

    threads = [threading.Thread(target=bump, args=(25,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.read() as s:
        assert s.scalar(select(Segment.name).where(Segment.code == "COUNTER")) == "100"


def test_sqlite_runs_in_wal_mode(db):
    if db.dialect != "sqlite":
        pytest.skip("WAL is a SQLite setting")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
