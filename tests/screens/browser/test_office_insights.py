"""The office's sales page in Chromium: uPlot draws each chart from its data route under the CSP.

Also measures (prints, does not assert) the page's first-load transfer size; the figures are
kept in ``tmp/artifacts/office-figures.json``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.helpers import ApiClient, Shop, Till
from tests.screens.browser.conftest import ARTIFACTS, LiveServer

DOCS = Path(__file__).parents[3] / "docs"
CHARTS = ("hourly", "payments", "daily", "items", "discounts")


def _sell(live_server: LiveServer, shop: Shop) -> None:
    """A discount, two sales (cash with change, and card) and a return, through the API."""
    api = ApiClient(live_server.app.test_client())
    assert api.as_("manager").post("/api/v1/discounts", json={
        "name": "Milk 10%", "benefit": {"type": "percent_off", "percent": "10"},
        "segment": "MILK"}).status_code == 201
    till = Till(api, shop)
    till.open_shift()
    till.open_receipt()
    till.sell("OAT-MILK-1L", quantity="3")  # 404.73 after 10%
    till.pay_cash("500.00")
    first = till.close()
    till.open_receipt()
    till.sell("MILK-1L", quantity="2")
    till.pay_card("161.82")  # 179.80 - 17.98
    till.close()
    till.ok(till.api.post("/api/v1/returns", json={
        "till_id": shop.till_id, "original_receipt_id": first["id"],
        "lines": [{"line_no": 1, "quantity": "1"}]}), 201)


def _sign_in(page: Any) -> None:
    page.goto("/office")
    page.fill("#username", "manager")
    page.fill("#password", "manager-pass")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("nav a[href='/office/sales']")


def _save_figures(**figures: Any) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "office-figures.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    known.update(figures)
    path.write_text(json.dumps(known, indent=2))
    print(f"office figures: {figures}")


def test_the_sales_page_draws_every_chart_with_data_beside_its_table(
        page: Any, live_server: LiveServer, live_shop: Shop) -> None:
    _sell(live_server, live_shop)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error"
            and not message.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    _sign_in(page)
    page.goto("/office/sales")
    for chart in CHARTS:
        page.wait_for_selector(f'[data-chart="{chart}"][data-state="drawn"] canvas')
    size = page.eval_on_selector('[data-chart="hourly"] canvas',
                                 "c => [c.getBoundingClientRect().width, c.height]")
    assert size[0] > 0 and size[1] > 0
    assert "Given" in page.inner_text('[data-chart="discounts"] .u-legend')  # drawn by uPlot
    assert "Milk 10%" in page.inner_text("#discounts table.figures")
    figures = page.inner_text("#payments table.figures")
    assert "card" in figures and "161.82" in figures
    assert "cash" in figures and "404.73" in figures
    assert page.inner_text("#items table.figures").startswith("SKU")
    assert problems == []  # no script error and no CSP refusal
    if os.environ.get("POS_DOCS_SCREENSHOTS"):
        page.set_viewport_size({"width": 1280, "height": 1100})
        page.screenshot(path=str(DOCS / "office-sales.png"))


def test_the_sales_pages_first_load_transfer_is_measured(
        page: Any, live_server: LiveServer, live_shop: Shop) -> None:
    _sell(live_server, live_shop)
    _sign_in(page)
    cold = page.context.browser.new_context(base_url=live_server.url,
                                            storage_state=page.context.storage_state())
    tab = cold.new_page()
    tab.goto("/office/sales")
    for chart in CHARTS:
        tab.wait_for_selector(f'[data-chart="{chart}"][data-state="drawn"]')
    navigation = tab.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " const r = performance.getEntriesByType('resource');"
        " return [n.transferSize, r.map(x => [x.name, x.transferSize])]; }")
    total = navigation[0] + sum(size for _, size in navigation[1])
    assert total > 0
    _save_figures(sales_first_load_transfer_bytes=total,
                  sales_first_load_resources={name.rsplit("/", 1)[-1]: size
                                              for name, size in navigation[1]})
    cold.close()
