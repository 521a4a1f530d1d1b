"""The office's shifts and receipts in Chromium: close a shift with the count, read its Z."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.helpers import PASSWORDS, ApiClient, Shop, Till
from tests.screens.browser.conftest import LiveServer

DOCS = Path(__file__).parents[3] / "docs"


def _sales(live_server: LiveServer, shop: Shop, count: int = 3) -> Till:
    """Open till 1's shift and make ``count`` cash sales of oat milk through the API."""
    till = Till(ApiClient(live_server.app.test_client()), shop)
    till.open_shift()
    for _ in range(count):
        till.open_receipt()
        till.sell("OAT-MILK-1L")
        till.pay_cash("150.00")
        till.close()
    return till


def _sign_in(page: Any) -> None:
    page.goto("/office")
    page.fill("#username", "manager")
    page.fill("#password", PASSWORDS["manager"])
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("nav[aria-label='Office pages']")


def test_a_manager_closes_a_shift_with_the_count_and_reads_the_z_report(
        page: Any, live_server: LiveServer, live_shop: Shop) -> None:
    till = _sales(live_server, live_shop)
    assert till.shift is not None
    _sign_in(page)
    page.click("nav >> text=Shifts")
    page.click(f"tr[data-shift='{till.shift['id']}'] a")
    page.wait_for_selector("#close-shift")
    assert page.locator("[data-section='cash']").count() == 1  # the X report
    page.fill("#counted", "1449.70")
    page.click("#close-shift button[type=submit]")
    page.wait_for_selector("#z-report-link")
    assert "closed" in page.inner_text("#shift-title")
    page.click("#z-report-link")
    page.wait_for_selector("body[data-ready='office-ops']")
    title = page.inner_text("#report-title")
    assert title.startswith("Z report No.")
    cash = page.inner_text("[data-section='cash']")
    assert "1449.70" in cash and "449.70" in page.inner_text("[data-section='sales']")
    assert page.is_visible("#print")
    if os.environ.get("POS_DOCS_SCREENSHOTS"):
        page.screenshot(path=str(DOCS / "office-z-report.png"), full_page=True)


def test_a_receipt_search_finds_a_sale_by_its_number(
        page: Any, live_server: LiveServer, live_shop: Shop) -> None:
    _sales(live_server, live_shop, 2)
    _sign_in(page)
    page.click("nav >> text=Receipts")
    page.fill("#filter-number", "2")
    page.click("#receipt-filters button[type=submit]")
    rows = page.locator("#receipts tbody tr[data-receipt]")
    rows.first.wait_for()
    assert rows.count() == 1
    rows.first.locator("a").first.click()
    page.wait_for_selector("#receipt-title")
    assert "No. 2" in page.inner_text("#receipt-title")
    assert "Cass Cashier" in page.inner_text("#cashier")
