"""A manager creates a discount, simulates it on a basket, activates it; it fires at the till."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.helpers import OAT_MILK_EAN, PASSWORDS
from tests.screens.browser.test_till_flows import Till

DOCS = Path(__file__).parents[3] / "docs"


def _sign_in_to_the_office(page: Any) -> None:
    page.goto("/office")
    page.fill("#username", "manager")
    page.fill("#password", PASSWORDS["manager"])
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("nav a[href='/office/discounts']")


def test_a_discount_is_created_simulated_activated_and_fires_at_the_till(page: Any) -> None:
    _sign_in_to_the_office(page)
    page.click("nav a[href='/office/discounts']")
    page.click("text=New discount")
    page.fill("#name", "Oat milk week")
    page.select_option("#benefit_type", "percent_off")
    page.fill("#benefit_percent", "10")
    page.fill("#items", "OAT-MILK-1L")
    page.click("#save")
    assert "inactive" in page.inner_text("h1")

    page.click("#simulate-link")
    page.fill("#code_0", "OAT-MILK-1L")
    page.fill("#qty_0", "2")
    page.fill("#code_1", "MILK-1L")
    page.fill("#qty_1", "1")
    page.click("#run-simulation")
    assert page.inner_text("#total-now") == "389.70"
    assert page.inner_text("#total-draft") == "359.72"
    assert "Oat milk week" in page.inner_text("tr[data-line='1']")
    if os.environ.get("POS_DOCS_SCREENSHOTS"):
        page.screenshot(path=str(DOCS / "office-discounts.png"), full_page=True)
    page.click("#activate")
    assert "active" in page.inner_text("h1") and "inactive" not in page.inner_text("h1")

    till = Till(page)  # the till's sign-in is its own, beside the office's
    till.sign_in()
    till.open_shift()
    till.scan(OAT_MILK_EAN)
    line = till.line("OAT-MILK-1L").inner_text()
    assert "−14.99" in line and "134.91" in line
