"""Browser fixtures: the app on a loopback port, Debian's Chromium driven by Playwright.

One server and one browser per test session (per xdist worker), a fresh page and a freshly
seeded shop per test. Under ``CI=true`` a missing browser fails the run; elsewhere the browser
tests are skipped with the reason. A failing test leaves a screenshot in ``tmp/artifacts``.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from pos.core import migrate
from tests.conftest import IN_CI, empty_tables
from tests.helpers import Shop, seed_shop

CHROMIUM = os.environ.get("POS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("POS_ARTIFACTS", Path(__file__).parents[3] / "tmp" / "artifacts"))


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if shutil.which(CHROMIUM) is None:
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, launched once for the session."""
    missing = _missing_browser()
    if missing is not None:
        if IN_CI:
            pytest.fail(f"CI=true needs the browser tests: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class LiveServer:
    """The app served on a free loopback port in a thread, on a SQLite file."""

    def __init__(self, folder: Path) -> None:
        from pos.app import create_app

        url = f"sqlite:///{folder / 'pos.db'}"
        migrate.upgrade(url)
        self.app = create_app({"database_url": url, "log_level": "WARNING",
                               "secret_key": "browser-tests-secret"})
        self.db = self.app.extensions["pos.db"]
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def reseed(self) -> Shop:
        """Empty every table and seed the shop again."""
        empty_tables(self.db)
        return seed_shop(self.db, datetime.now(UTC))

    def stop(self) -> None:
        """Stop serving and close the database."""
        self.server.shutdown()
        self.db.dispose()


@pytest.fixture(scope="session")
def live_server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on a loopback port (started only when the browser is there)."""
    server = LiveServer(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


@pytest.fixture
def live_shop(live_server: LiveServer) -> Shop:
    """A freshly seeded shop behind the live server."""
    return live_server.reseed()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember each phase's outcome on the test, so the page can tell it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser: Any, live_server: LiveServer, live_shop: Shop,
         request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page (own cookies) on the live server; a screenshot is kept if the test fails."""
    with watched_page(browser, live_server, request, viewport={"width": 1280, "height": 800}
                      ) as tab:
        yield tab


@contextmanager
def watched_page(browser: Any, live_server: LiveServer, request: pytest.FixtureRequest,
                 **options: Any) -> Iterator[Any]:
    """Open a page in its own browser context; keep a screenshot if the test failed."""
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    try:
        yield tab
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()
