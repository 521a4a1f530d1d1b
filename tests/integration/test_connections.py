"""Pooled PostgreSQL connections: checked before reuse only after sitting idle."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from pos.core import db as dbmodule
from pos.core.db import Database


def _kill_backend_of(database: Database, url: str) -> None:
    with database.read_connection() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


@pytest.fixture
def pg(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("server connections are PostgreSQL's")
    database = Database(database_url)
    yield database
    database.dispose()


def test_an_idle_connection_killed_by_the_server_is_replaced(pg, database_url, monkeypatch):
    _kill_backend_of(pg, database_url)
    monkeypatch.setattr(dbmodule, "IDLE_PING_AFTER_S", 0.0)
    with pg.read_connection() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1


def test_a_connection_in_steady_use_is_not_pinged(pg, database_url, monkeypatch):
    _kill_backend_of(pg, database_url)
    monkeypatch.setattr(dbmodule, "IDLE_PING_AFTER_S", 3600.0)
    with pytest.raises(OperationalError), pg.read_connection() as connection:
        connection.execute(text("SELECT 1"))
    with pg.read_connection() as connection:  # the failure invalidated it: the next is new
        assert connection.execute(text("SELECT 1")).scalar() == 1
