"""The return use case called directly: never more than sold, never more cash than the drawer."""

from __future__ import annotations

import pytest

from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.returns import NewReturn, ReturnLine, create_return
from pos.receipts.service import PaymentRequest
from pos.shifts.model import CASH_IN, CASH_OUT
from pos.shifts.service import move_cash
from tests.helpers import approved, refused
from tests.service.conftest import OPENING_FLOAT_MINOR

OAT_MILK_MINOR = 14990


@pytest.fixture
def sale(cashier, shop, shift):
    """A closed sale of three oat milks (449.70) paid in cash."""
    return create_receipt(cashier, NewReceipt(
        till_id=shop.till_id, lines=(LineRequest(sku="OAT-MILK-1L", quantity="3"),),
        payments=(PaymentRequest("cash", 3 * OAT_MILK_MINOR),))).receipt


def back(sale, quantity: str) -> NewReturn:
    """Return ``quantity`` of the sale's first line."""
    return NewReturn(till_id=sale.till_id, original_receipt_id=sale.id,
                     lines=(ReturnLine(quantity, line_no=1),))


class TestReturnWithReceipt:
    def test_a_return_never_exceeds_what_was_sold(self, cashier, sale):
        with refused("return_exceeds_sold") as caught:
            create_return(cashier, back(sale, "4"))
        assert caught.value.extra == {"line_no": 1}

    def test_what_was_returned_before_counts(self, cashier, sale):
        first = create_return(cashier, back(sale, "2")).receipt
        assert (first.kind, first.total_minor) == ("return", 2 * OAT_MILK_MINOR)
        with refused("return_exceeds_sold"):
            create_return(cashier, back(sale, "2"))
        assert create_return(cashier, back(sale, "1")).receipt.total_minor == OAT_MILK_MINOR

    def test_a_piece_item_is_returned_whole(self, cashier, sale):
        with refused("fractional_quantity"):
            create_return(cashier, back(sale, "0.5"))

    def test_a_return_cannot_itself_be_returned(self, cashier, sale):
        refund = create_return(cashier, back(sale, "1")).receipt
        with refused("not_returnable"):
            create_return(cashier, NewReturn(till_id=sale.till_id, original_receipt_id=refund.id,
                                             lines=(ReturnLine("1", line_no=1),)))


class TestCashRefund:
    def test_a_cash_refund_the_drawer_cannot_cover_is_refused(self, cashier, manager, shift,
                                                              sale):
        in_drawer = OPENING_FLOAT_MINOR + 3 * OAT_MILK_MINOR
        move_cash(manager, shift.id, CASH_OUT, in_drawer, "to the safe")
        with refused("insufficient_cash") as caught:
            create_return(cashier, back(sale, "1"))
        assert caught.value.extra == {"cash_refund_minor": OAT_MILK_MINOR}
        move_cash(cashier, shift.id, CASH_IN, OAT_MILK_MINOR, "change for refunds")
        assert create_return(cashier, back(sale, "1")).receipt.total_minor == OAT_MILK_MINOR

    def test_a_return_without_receipt_needs_a_manager_and_the_cash_too(self, cashier,
                                                                       manager, shift):
        no_receipt = NewReturn(till_id=shift.till_id,
                               lines=(ReturnLine("1", sku="MILK-1L"),))
        with refused("approval_required"):
            create_return(cashier, no_receipt)
        move_cash(manager, shift.id, CASH_OUT, OPENING_FLOAT_MINOR, "to the safe")
        with refused("insufficient_cash"):
            create_return(approved(cashier), no_receipt)
