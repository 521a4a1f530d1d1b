"""SQLite with BEGIN IMMEDIATE: concurrent writers queue instead of failing "locked"."""

import threading
import time

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


@pytest.fixture
def sqlite_url(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the writer lock file is SQLite's")
    return database_url


def test_a_writer_that_never_lets_go_makes_the_next_fail_not_hang(sqlite_url, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from pos.core import db as dbmodule

    monkeypatch.setattr(dbmodule, "SQLITE_BUSY_TIMEOUT_MS", 200)
    holder, waiter = Database(sqlite_url), Database(sqlite_url)
    try:
        with holder.transaction() as held:
            held.add(Segment(code="HELD", name="x"))
            held.flush()
            started = time.monotonic()
            with pytest.raises(OperationalError, match="locked"), waiter.transaction() as s:
                s.add(Segment(code="WAITER", name="y"))
            assert 0.2 <= time.monotonic() - started < 2
        with waiter.transaction() as s:  # let go: the next writer gets in at once
            s.add(Segment(code="WAITER", name="y"))
    finally:
        holder.dispose()
        waiter.dispose()


def test_a_rolled_back_writer_lets_the_next_in(sqlite_url, monkeypatch):
    from pos.core import db as dbmodule

    monkeypatch.setattr(dbmodule, "SQLITE_BUSY_TIMEOUT_MS", 200)
    first, second = Database(sqlite_url), Database(sqlite_url)
    try:
        with pytest.raises(RuntimeError), first.transaction() as s:
            s.add(Segment(code="GONE", name="x"))
            s.flush()
            raise RuntimeError("refused")
        with second.transaction() as s:
            s.add(Segment(code="KEPT", name="y"))
        with second.read() as s:
            assert set(s.scalars(select(Segment.code))) >= {"KEPT"}
            assert "GONE" not in set(s.scalars(select(Segment.code)))
    finally:
        first.dispose()
        second.dispose()
