"""Receipts tell the features registered beside them: tenders move value, listeners hear ends.

A voucher payment type, whose balances live outside receipts, stands for points and gift
certificates: what it is told, and when, is what those features will rely on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from pos.core.errors import ConflictError, ValidationError
from pos.core.registry import PaymentType
from pos.receipts import service
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.returns import NewReturn, ReturnLine, create_return
from pos.receipts.service import PaymentRequest
from pos.shifts.service import CloseShift, close_shift, x_report
from tests.helpers import approved, refused

OAT_MILK_MINOR = 14990


class Vouchers:
    """A tender and listener that keeps voucher balances and writes down what it is told."""

    def __init__(self, balances: dict[str, int]) -> None:
        self.balances = balances
        self.events: list[tuple[Any, ...]] = []

    def prepare(self, details: Mapping[str, Any]) -> dict[str, Any]:
        code = str(details.get("voucher", ""))
        if code not in self.balances:
            raise ValidationError("No such voucher", code="unknown_voucher", field="voucher")
        return {"voucher": code[-2:], "_code": code}

    def take(self, session, ctx, receipt, payment) -> None:  # type: ignore[no-untyped-def]
        code = payment.details["_code"]
        if self.balances[code] < payment.amount_minor:
            raise ConflictError("Not enough on the voucher", code="insufficient_balance")
        self.balances[code] -= payment.amount_minor
        self.events.append(("take", receipt.id, payment.amount_minor))

    def give_back(self, session, ctx, receipt, payment) -> None:  # type: ignore[no-untyped-def]
        self.balances[payment.details["_code"]] += payment.amount_minor
        self.events.append(("give_back", receipt.id, payment.amount_minor))

    def refund(self, session, ctx, refund, payment, original) -> None:  # type: ignore[no-untyped-def]
        self.balances[original.details["_code"]] += payment.amount_minor
        self.events.append(("refund", refund.original_receipt_id, payment.amount_minor))

    def closed(self, session, ctx, receipt) -> None:  # type: ignore[no-untyped-def]
        self.events.append(("closed", receipt.kind, receipt.number, receipt.total_minor))

    def voided(self, session, ctx, receipt) -> None:  # type: ignore[no-untyped-def]
        self.events.append(("voided", receipt.id))


@pytest.fixture
def vouchers(registry) -> Vouchers:  # type: ignore[no-untyped-def]
    """A voucher ``V-77`` holding 200.00, registered as a payment type and a listener."""
    kept = Vouchers({"V-77": 20000})
    registry.payment_types.register(PaymentType("voucher", tender=kept))
    registry.receipt_listeners.register(kept)
    registry.shift_reports.register("vouchers", lambda session, shift_id: {
        "taken_minor": sum(e[2] for e in kept.events if e[0] == "take")})
    return kept


def voucher(amount_minor: int, code: str = "V-77") -> PaymentRequest:
    """Pay ``amount_minor`` with a voucher."""
    return PaymentRequest("voucher", amount_minor, details={"voucher": code})


def oat_milk(cashier, receipt, quantity: str = "2"):  # type: ignore[no-untyped-def]
    """Add oat milk to an open receipt."""
    return service.add_line(cashier, receipt.id, LineRequest(sku="OAT-MILK-1L", quantity=quantity))


class TestTender:
    def test_a_payment_takes_the_value_and_keeps_only_what_prepare_returned(
            self, cashier, receipt, vouchers):
        oat_milk(cashier, receipt)
        paid = service.add_payment(cashier, receipt.id, voucher(15000))
        assert vouchers.balances["V-77"] == 5000
        assert paid.payments[0].details == {"voucher": "77", "_code": "V-77"}
        assert vouchers.events == [("take", receipt.id, 15000)]

    def test_a_refused_take_writes_no_payment(self, cashier, receipt, vouchers):
        oat_milk(cashier, receipt)
        service.add_payment(cashier, receipt.id, voucher(15000))
        with refused("insufficient_balance"):
            service.add_payment(cashier, receipt.id, voucher(10000))
        assert [p.amount_minor for p in service.get_receipt(cashier.db, receipt.id).payments] \
            == [15000]

    def test_prepare_refuses_before_anything_is_read(self, cashier, receipt, vouchers):
        oat_milk(cashier, receipt)
        with refused("unknown_voucher"):
            service.add_payment(cashier, receipt.id, voucher(100, code="V-00"))
        assert vouchers.events == []

    def test_taking_a_payment_back_gives_the_value_back(self, cashier, receipt, vouchers):
        oat_milk(cashier, receipt)
        service.add_payment(cashier, receipt.id, voucher(15000))
        service.remove_payment(cashier, receipt.id, 1)
        assert vouchers.balances["V-77"] == 20000

    def test_a_voided_receipt_gives_every_payment_back_and_is_heard(self, cashier, receipt,
                                                                    vouchers):
        oat_milk(cashier, receipt)
        service.add_payment(cashier, receipt.id, voucher(15000))
        service.void_receipt(approved(cashier), receipt.id)
        assert vouchers.balances["V-77"] == 20000
        assert vouchers.events[-2:] == [("give_back", receipt.id, 15000),
                                         ("voided", receipt.id)]

    def test_a_one_shot_upload_takes_in_its_write_transaction(self, cashier, shop, shift,
                                                              vouchers):
        sale = create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, lines=(LineRequest(sku="OAT-MILK-1L", quantity="1"),),
            payments=(voucher(OAT_MILK_MINOR),))).receipt
        assert vouchers.balances["V-77"] == 20000 - OAT_MILK_MINOR
        assert vouchers.events == [("take", sale.id, OAT_MILK_MINOR),
                                   ("closed", "sale", sale.number, OAT_MILK_MINOR)]

    def test_a_refused_one_shot_writes_nothing(self, cashier, shop, shift, vouchers):
        lines = (LineRequest(sku="OAT-MILK-1L", quantity="2"),)
        vouchers.balances["V-77"] = 100
        with refused("insufficient_balance"):
            create_receipt(cashier, NewReceipt(till_id=shop.till_id, lines=lines,
                                               payments=(voucher(2 * OAT_MILK_MINOR),)))
        assert x_report(cashier, shift.id)["sales"]["count"] == 0

    def test_a_return_refunds_to_the_voucher_it_was_paid_with(self, cashier, shop, shift,
                                                              vouchers):
        sale = create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, lines=(LineRequest(sku="OAT-MILK-1L", quantity="1"),),
            payments=(voucher(10000), PaymentRequest("cash", OAT_MILK_MINOR - 10000)))).receipt
        create_return(cashier, NewReturn(till_id=shop.till_id, original_receipt_id=sale.id,
                                         lines=(ReturnLine("1", line_no=1),)))
        assert vouchers.balances["V-77"] == 20000
        assert ("refund", sale.id, 10000) in vouchers.events


class TestListenersAndReports:
    def test_listeners_hear_a_close_and_a_return_with_their_numbers(self, cashier, receipt,
                                                                    vouchers):
        oat_milk(cashier, receipt, "1")
        service.add_payment(cashier, receipt.id, PaymentRequest("cash", OAT_MILK_MINOR))
        closed = service.close_receipt(cashier, receipt.id)
        create_return(cashier, NewReturn(till_id=receipt.till_id, original_receipt_id=closed.id,
                                         lines=(ReturnLine("1", line_no=1),)))
        assert [e for e in vouchers.events if e[0] == "closed"] == [
            ("closed", "sale", 1, OAT_MILK_MINOR), ("closed", "return", 2, OAT_MILK_MINOR)]

    def test_a_report_section_is_in_the_x_and_z_reports(self, cashier, receipt, shift,
                                                        vouchers):
        oat_milk(cashier, receipt, "1")
        service.add_payment(cashier, receipt.id, voucher(OAT_MILK_MINOR))
        service.close_receipt(cashier, receipt.id)
        assert x_report(cashier, shift.id)["vouchers"] == {"taken_minor": OAT_MILK_MINOR}
        closed = close_shift(cashier, shift.id, CloseShift(counted_minor=100000))
        assert closed.z_report["vouchers"] == {"taken_minor": OAT_MILK_MINOR}
