"""Fixtures shared by the whole suite: databases (SQLite and PostgreSQL), app, clients."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, make_url, text

from pos.core import migrate
from pos.core.clock import FixedClock
from pos.core.db import Database
from pos.core.security import set_scrypt_cost
from tests.database_state import empty_tables, seeded_shop
from tests.helpers import TEST_SECRET_KEY

# The CLI and the servers tests start read the key from the environment, as an installation
# on PostgreSQL must (pos.core.secret_key); the app fixture passes the same key.
os.environ.setdefault("POS_SECRET_KEY", TEST_SECRET_KEY)

# Speed is measured in bench/, never asserted: no generated example fails for being slow on a
# busy machine (Hypothesis' default is a 200 ms deadline per example).
hypothesis_settings.register_profile("pos", deadline=None)
hypothesis_settings.load_profile("pos")

POSTGRES_URL = os.environ.get("POS_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"

# Tests hash many passwords; a low scrypt cost keeps them fast (production keeps the default).
set_scrypt_cost(2**8)


def _backends() -> list[object]:
    backends: list[object] = ["sqlite"]
    if POSTGRES_URL:
        backends.append(pytest.param("postgresql", marks=pytest.mark.postgres))
    elif IN_CI:
        raise pytest.UsageError("CI=true needs POS_TEST_POSTGRES_URL: run tests with make test")
    return backends


# Each backend's database is made once per test worker. Pytest sets a session fixture up again
# when the order of tests goes back to a backend it left (xdist's groups run first): the
# database and the app's pooled connections to it are kept, not dropped and made again.
_DATABASES: dict[str, str] = {}


@pytest.fixture(scope="session", params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                 ) -> str:
    """A freshly migrated database of each backend, shared by the session."""
    if request.param not in _DATABASES:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'pos.db'}"
        else:
            url = _fresh_postgres_database(os.environ.get("PYTEST_XDIST_WORKER", "main"))
        migrate.upgrade(url)
        _DATABASES[request.param] = url
    return _DATABASES[request.param]


def _fresh_postgres_database(worker: str) -> str:
    """Create an empty database for this test worker on the throwaway server."""
    assert POSTGRES_URL is not None
    name = f"pos_test_{worker}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def fixed_clock() -> FixedClock:
    """A clock standing at Sunday 2026-11-22 09:00 UTC (12:00 in Moscow)."""
    return FixedClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))


# One built app per database and test worker: building the API document (flask-smorest, about
# 0.2 s of CPU) was most of each test's set-up. Each test still gets fresh state: the app's
# extensions are reset to what create_app left and wired again (new settings read as
# create_app reads them, the test's clock, a new registry), and the tables are emptied.
# The pool's connections are kept from test to test, as a running service keeps them: opening
# them again (and SQLite's checkpoint when the last one closed) cost a fifth of a set-up.
_BUILT: dict[str, tuple[Flask, dict[str, Any]]] = {}


def _built_app(database_url: str) -> tuple[Flask, dict[str, Any]]:
    """Return the app built for this database and its extensions as create_app left them."""
    from pos.app import create_app

    if database_url not in _BUILT:
        application = create_app(_app_config(database_url))
        _BUILT[database_url] = application, dict(application.extensions)
    return _BUILT[database_url]


def _app_config(database_url: str) -> dict[str, Any]:
    return {"database_url": database_url, "testing": True, "log_level": "WARNING",
            "secret_key": TEST_SECRET_KEY}


@pytest.fixture
def app(database_url: str, fixed_clock: FixedClock):  # type: ignore[no-untyped-def]
    """The service on a clean database."""
    from pos.app import wire_state
    from pos.core.config import Settings

    application, pristine = _built_app(database_url)
    db = pristine["pos.db"]
    application.extensions.clear()
    application.extensions.update(pristine)
    wire_state(application, Settings.from_env().override(_app_config(database_url)), db,
               fixed_clock)
    empty_tables(db)
    return application


@pytest.fixture
def db(app) -> Database:  # type: ignore[no-untyped-def]
    """The app's database."""
    return app.extensions["pos.db"]


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A Flask test client."""
    return app.test_client()


def pytest_configure(config: pytest.Config) -> None:
    """Name the marker that runs a test on one database only."""
    config.addinivalue_line(
        "markers", "one_database: the test does not depend on the database (a pure driver, "
        "emulator or document check), so it runs on SQLite only, not again on PostgreSQL")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the PostgreSQL run of the tests marked ``one_database``."""
    again = [item for item in items if item.get_closest_marker("one_database")
             and getattr(item, "callspec", None) is not None
             and item.callspec.params.get("database_url") == "postgresql"]
    if again:
        config.hook.pytest_deselected(items=again)
        dropped = set(again)
        items[:] = [item for item in items if item not in dropped]


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Keep the groups of tests/worker_groups.py on one worker under ``--dist loadgroup``."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from tests.worker_groups import GroupScheduling

    return GroupScheduling(config, log)


def pytest_report_header() -> list[str]:
    """Say which databases the run covers."""
    where = "SQLite and PostgreSQL" if POSTGRES_URL else "SQLite only (no POS_TEST_POSTGRES_URL)"
    return [f"databases: {where}", f"root: {Path(__file__).parent.parent}"]


@pytest.fixture
def shop(db: Database, fixed_clock: FixedClock):  # type: ignore[no-untyped-def]
    """A seeded store with tills, users of every role and memorable items."""
    return seeded_shop(db, fixed_clock.now())


@pytest.fixture
def api(client, shop):  # type: ignore[no-untyped-def]
    """An API client acting as the cashier (``api.as_("manager")`` for others)."""
    from tests.helpers import ApiClient

    return ApiClient(client)


@pytest.fixture
def registry(app):  # type: ignore[no-untyped-def]
    """The app's registry: payment types, journal checks, caches."""
    return app.extensions["pos.registry"]


@pytest.fixture
def till(api, shop):  # type: ignore[no-untyped-def]
    """Till 1 driven through the API by the cashier (``till.as_("manager")`` for others)."""
    from tests.helpers import Till

    return Till(api, shop)


@pytest.fixture
def carried(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """Each pipeline sent: how many queued statements went, and the statement they went with."""
    from pos.core import direct as direct_module

    sent: list[tuple[int, str]] = []
    send_with: Callable[..., None] = direct_module.send_with

    def recording(connection: Any, call: Any, sql: str, parameters: Any) -> None:
        sent.append((len(connection.info.get("pos.later", [])), sql))
        send_with(connection, call, sql, parameters)

    monkeypatch.setattr(direct_module, "send_with", recording)
    return sent
