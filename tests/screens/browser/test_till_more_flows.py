"""User flows at the till in Chromium: returns with a manager's approval, card and mixed tenders."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from loyalty.cards import service as cards
from loyalty.gift_certificates import service as gift_service
from loyalty.gift_certificates.wiring import code_book
from loyalty.points import service as points
from tests.gift_helpers import add_certificate_item, add_types, sell
from tests.helpers import MILK_EAN, OAT_MILK_EAN, ApiClient, context_for
from tests.screens.browser.conftest import LiveServer
from tests.screens.browser.test_till_flows import DOCS, Till
from tests.screens.test_till_loyalty import BONUS


def _panel_closed(page: Any) -> None:
    page.wait_for_function(
        "() => [...document.querySelectorAll('.panel')].every(p => p.hidden)")


def test_a_return_by_receipt_number_and_one_without_it_approved_in_place(page: Any) -> None:
    till = Till(page)
    till.sign_in()
    till.open_shift()
    till.scan(OAT_MILK_EAN)
    till.scan(MILK_EAN)
    till.line("MILK-1L")
    till.pay("F4", "300")
    page.keyboard.press("F12")
    assert "Receipt No. 1 closed" in till.text("#closed-receipt")

    page.keyboard.press("Shift+F5")  # the receipt's number, then the lines to return
    page.wait_for_selector("#return-number:focus")
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    page.wait_for_selector("#return-qty-1:focus")
    assert "Return from receipt No. 1" in till.text("#return-of")
    page.keyboard.press("Tab")
    page.keyboard.type("1")  # the milk only
    page.keyboard.press("Enter")
    assert "89.90 refunded" in till.text("#returned")
    assert till.text("#refunds") == "cash 89.90"

    page.keyboard.press("Shift+F5")  # no receipt: the item scanned, a manager approves
    page.wait_for_selector("#return-number:focus")
    page.keyboard.press("Enter")
    page.wait_for_selector("#return-code-1:focus")
    till.scan(OAT_MILK_EAN)
    page.wait_for_selector("#return-code-2:focus")
    page.keyboard.press("Enter")
    till.approve_in_place()
    assert "149.90 refunded" in till.text("#returned")
    assert page.query_selector("#message .problem") is None


def _card_and_certificate(live_server: LiveServer, till_id: int) -> tuple[str, str]:
    """Issue a bonus card with 100 points, sell a 1000.00 certificate, add 3% over 500."""
    db, registry = live_server.db, live_server.app.extensions["pos.registry"]
    now = datetime.now(UTC)
    manager = context_for(db, registry, "manager", now, till_id=till_id)
    cards.create_card_type(manager, dict(BONUS))
    number = cards.issue_cards(manager, "BONUS", 1, cards.NewHolder("Hal Holder"),
                               is_active=True)[0].number
    points.adjust(manager, number, 100_00, "welcome points")
    manager_api = ApiClient(live_server.app.test_client()).as_("manager")
    assert manager_api.post("/api/v1/discounts", json={
        "name": "3% over 500", "scope": "document",
        "benefit": {"type": "percent_off", "percent": "3"},
        "conditions": [{"type": "receipt_volume", "min_amount": "500.00"}]}).status_code == 201
    add_certificate_item(db, now)
    add_types(manager)
    cashier = context_for(db, registry, "cashier", now, till_id=till_id)
    sale = sell(cashier, till_id)[0]
    # The code as this server makes it (its own secret, not the test process's default).
    codes = code_book(live_server.app.extensions["pos.settings"])
    return number, gift_service.sold_on(db, codes, sale.id, cashier.actor.principal)[0].code


def test_a_sale_with_a_card_paid_by_points_certificate_and_cash_with_change(
        page: Any, live_server: LiveServer, live_shop: Any) -> None:
    till = Till(page)
    till.sign_in()
    till.open_shift()
    card, code = _card_and_certificate(live_server, live_shop.till_id)
    till.scan(OAT_MILK_EAN)
    till.scan(OAT_MILK_EAN)
    page.wait_for_function("() => (document.querySelector('#total') || {}).innerText === '299.80'")
    till.scan(card)  # a card's number in the scan field attaches the card
    assert till.text("#card-holder") == "Hal H." and till.text("#card-points") == "100.00"
    assert "200.20" in till.text("#hints .hint-line")  # once the keys rest: what 3% lacks

    page.keyboard.press("Shift+F4")
    page.wait_for_selector("#points-amount:focus")
    assert till.text("#points-max") == "100.00"
    page.keyboard.type("50")
    page.keyboard.press("Enter")
    _panel_closed(page)
    assert till.text("#card-points") == "50.00" and till.text("#due") == "249.80"

    page.keyboard.press("Shift+F6")
    page.wait_for_selector("#certificate-code:focus")
    till.scan(code)  # scanned into the open panel: looked up, its balance shown
    page.wait_for_selector("#certificate-amount:focus")
    assert till.text("#certificate-balance") == "1000.00"
    page.keyboard.type("200")
    page.keyboard.press("Enter")
    _panel_closed(page)
    page.wait_for_function("() => (document.querySelector('#due') || {}).innerText === '49.80'")

    till.pay("F4", "100")
    assert till.text("#change") == "50.20"
    if os.environ.get("POS_DOCS_SCREENSHOTS"):
        page.screenshot(path=str(DOCS / "till-loyalty.png"))
    page.keyboard.press("F12")
    assert till.text("#closed-change") == "50.20"
    page.wait_for_function("() => !document.querySelector('#card-shown')")
