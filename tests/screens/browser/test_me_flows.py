"""``/me`` in Chromium on a phone-sized page: the demo holder signs in, sees points and history."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pos.demo import load_demo
from tests.conftest import empty_tables
from tests.screens.browser.conftest import LiveServer, watched_page

DOCS = Path(__file__).parents[3] / "docs"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any, live_server: LiveServer, request: pytest.FixtureRequest
          ) -> Iterator[Any]:
    """A phone-sized page on the live server with the demo data; a screenshot if it fails."""
    empty_tables(live_server.db)
    with live_server.app.app_context():
        assert load_demo(live_server.db, datetime.now(UTC), item_count=30)
    with watched_page(browser, live_server, request, viewport=PHONE, is_mobile=True) as tab:
        yield tab


def fits(page: Any) -> bool:
    """Tell whether the page fits the phone's width (nothing to scroll sideways)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_the_demo_holder_signs_in_and_sees_balance_and_history(phone: Any) -> None:
    phone.goto("/me")
    phone.fill("#card_number", "2900000000018")
    phone.fill("#pin", "1234")
    phone.click("#sign-in-card button")
    balance = phone.wait_for_selector("[data-card] .balance")
    assert balance.inner_text().strip() == "500.00"
    assert "…0018" in phone.inner_text("main") and "2900000000018" not in phone.content()
    assert fits(phone)
    phone.click("[data-card] .links >> text=Details")
    assert phone.wait_for_selector("#balance").inner_text().strip() == "500.00"
    assert fits(phone)
    if os.environ.get("POS_DOCS_SCREENSHOTS"):
        phone.screenshot(path=str(DOCS / "me-card.png"), full_page=True)
    phone.click("#history-link")
    entry = phone.wait_for_selector("#history tr.entry")
    assert "Adjusted" in entry.inner_text() and "welcome points" in entry.inner_text()
    assert "500.00" in entry.inner_text()
    assert fits(phone)
    phone.click("text=Sign out")
    phone.wait_for_selector("#sign-in-card")
    phone.goto("/me/cards")
    assert phone.url.endswith("/me")
