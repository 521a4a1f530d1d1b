"""A SQLite file's WAL is checkpointed by a thread after commits, not by the commits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from pos.core.checkpoint import BACKSTOP_PAGES, Checkpointer, checkpointer
from pos.core.db import Database


def wait_for(condition, seconds: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


@pytest.fixture
def till_db(tmp_path: Path) -> Iterator[tuple[Database, Path, Checkpointer]]:
    """A file database with a table of sales, its creation already checkpointed."""
    path = tmp_path / "till.db"
    db = Database(f"sqlite:///{path}")
    try:
        with db.transaction() as session:
            session.execute(text("CREATE TABLE sale (id INTEGER PRIMARY KEY, note TEXT)"))
        thread = checkpointer(str(path))
        assert wait_for(lambda: thread.checkpoints >= 1)
        yield db, path, thread
    finally:
        db.dispose()


def test_commits_are_checkpointed_soon_by_the_thread_not_by_the_commit(
        till_db: tuple[Database, Path, Checkpointer]) -> None:
    db, path, thread = till_db
    before, size = thread.checkpoints, path.stat().st_size
    with db.transaction() as session:  # 1,500 pages: past SQLite's own threshold of 1,000
        session.execute(text("INSERT INTO sale (note) VALUES (:note)"),
                        [{"note": "x" * 3000} for _ in range(1500)])
    assert path.stat().st_size == size  # still in the WAL: the commit copied nothing back
    assert wait_for(lambda: thread.checkpoints > before)
    assert path.stat().st_size > size + 1500 * 3000  # copied back by the thread
    with db.read() as session:
        assert session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == BACKSTOP_PAGES
        assert session.execute(text("SELECT count(*) FROM sale")).scalar() == 1500


def test_a_checkpoint_of_a_file_gone_creates_nothing(tmp_path: Path) -> None:
    gone = tmp_path / "gone.db"
    thread = Checkpointer(str(gone))
    try:
        thread.committed()
        time.sleep(0.5)
    finally:
        thread.stop()
    assert not gone.exists() and thread.checkpoints == 0


def test_a_read_does_not_wake_the_thread(till_db: tuple[Database, Path, Checkpointer]) -> None:
    db, _, thread = till_db
    settled = thread.checkpoints
    for _ in range(5):
        with db.read() as session:
            session.execute(text("SELECT count(*) FROM sale")).scalar()
    time.sleep(0.5)
    assert thread.checkpoints == settled
