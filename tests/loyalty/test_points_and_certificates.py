"""A gift certificate sold beside goods is a liability: it earns no points and is not spend."""

from __future__ import annotations

from loyalty.points import service as points
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.service import PaymentRequest
from tests.gift_helpers import THOUSAND_MINOR, add_certificate_item, add_types, certificate_line

OAT = 14990


def test_a_certificate_line_earns_nothing_and_adds_nothing_to_the_spend(
        db, fixed_clock, cashier, manager, shop, shift, card):  # type: ignore[no-untyped-def]
    add_certificate_item(db, fixed_clock.now())
    add_types(manager)
    create_receipt(cashier, NewReceipt(
        till_id=shop.till_id, card_code=card,
        lines=(LineRequest(sku="OAT-MILK-1L", quantity="2"), certificate_line("GC-1000")),
        payments=(PaymentRequest("cash", 2 * OAT + THOUSAND_MINOR),)))
    settled = points.settled_card(db, card, fixed_clock.now())
    # 5 % of the oat milk's 299.80 only = 14.99 -> 14 points; the 1000.00 certificate none.
    assert settled.balance_cp == 1400
    assert settled.accumulated_minor == 2 * OAT
