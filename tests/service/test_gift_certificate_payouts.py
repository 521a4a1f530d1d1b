"""A certificate's remainder below its type's threshold paid out in cash from the drawer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loyalty.gift_certificates import service as gift_service
from loyalty.gift_certificates.ledger import verify
from loyalty.gift_certificates.model import GiftCertificate, LedgerEntry
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.service import PaymentRequest
from pos.shifts.model import CASH_OUT, CashMovement
from pos.shifts.payouts import pay_out_certificate
from pos.shifts.service import move_cash, x_report
from tests.gift_helpers import CODES, GIFT_SKU, add_certificate_item, add_types, pay, sell
from tests.helpers import refused

OAT = 14990
FACE = 20000  # 200.00; three oat milks (449.70) are paid 170.00 by it, leaving 30.00


@pytest.fixture
def small(db, manager, fixed_clock):  # type: ignore[no-untyped-def]
    """The certificate item, the usual types, and GC-200 paying out remainders below 50.00."""
    add_certificate_item(db, fixed_clock.now())
    add_types(manager)
    gift_service.create_type(manager, gift_service.NewType(
        "GC-200", "Two hundred", GIFT_SKU, face_value_minor=FACE, cash_out_below_minor=5000))
    return "GC-200"


def _spent_down_to(cashier, shop, code, left):  # type: ignore[no-untyped-def]
    create_receipt(cashier, NewReceipt(
        till_id=shop.till_id, lines=(LineRequest(sku="OAT-MILK-1L", quantity="3"),),
        payments=(pay(code, FACE - left), PaymentRequest("cash", 3 * OAT - FACE + left))))


def _state(db):  # type: ignore[no-untyped-def]
    with db.read() as session:
        return (sorted(session.execute(select(GiftCertificate.id,
                                              GiftCertificate.balance_minor)).all()),
                len(session.scalars(select(LedgerEntry.id)).all()),
                len(session.scalars(select(CashMovement.id)).all()))


def test_a_small_remainder_is_paid_out_as_a_journaled_cash_out(
        db, cashier, shop, shift, small):  # type: ignore[no-untyped-def]
    _, code = sell(cashier, shop.till_id, small, FACE)
    _spent_down_to(cashier, shop, code, 3000)
    cash_before = x_report(cashier, shift.id)["cash"]["expected_minor"]
    movement = pay_out_certificate(cashier, CODES, shift.id, code)
    assert (movement.kind, movement.amount_minor) == (CASH_OUT, 3000)
    assert movement.number > 0 and code[-4:] in movement.reason and code[:-4] not in movement.reason
    with db.read() as session:
        found = session.scalar(select(GiftCertificate).where(
            GiftCertificate.digest == CODES.digest(code)))
        assert found is not None and found.balance_minor == 0
        kinds = session.scalars(select(LedgerEntry.kind).where(
            LedgerEntry.certificate_id == found.id).order_by(LedgerEntry.id)).all()
        assert kinds == ["issue", "activate", "redeem", "payout"]
        assert verify(session) == []
    report = x_report(cashier, shift.id)
    assert report["cash"]["expected_minor"] == cash_before - 3000
    assert report["gift_certificates"]["paid_out"] == {"count": 1, "amount_minor": 3000}
    with refused("certificate_not_payable"):  # used up now
        pay_out_certificate(cashier, CODES, shift.id, code)


def test_a_remainder_at_or_above_the_threshold_or_of_a_type_without_one_stays(
        db, cashier, shop, shift, small):  # type: ignore[no-untyped-def]
    _, code = sell(cashier, shop.till_id, small, FACE)
    _spent_down_to(cashier, shop, code, 5000)
    _, thousand = sell(cashier, shop.till_id)
    before = _state(db)
    with refused("remainder_above_cash_threshold") as caught:
        pay_out_certificate(cashier, CODES, shift.id, code)
    assert caught.value.extra == {"balance_minor": 5000, "cash_out_below_minor": 5000}
    with refused("remainder_above_cash_threshold"):
        pay_out_certificate(cashier, CODES, shift.id, thousand)
    with refused("invalid_certificate_code"):
        pay_out_certificate(cashier, CODES, shift.id, code[:-1] + ("A" if code[-1] != "A"
                                                                   else "B"))
    with refused("certificate_not_found"):
        pay_out_certificate(cashier, CODES, shift.id, CODES.code_of(b"\x03" * 16))
    assert _state(db) == before


def test_the_drawer_must_hold_the_cash(db, cashier, manager, shop, shift, small
                                      ):  # type: ignore[no-untyped-def]
    _, code = sell(cashier, shop.till_id, small, FACE)
    _spent_down_to(cashier, shop, code, 3000)
    expected = x_report(cashier, shift.id)["cash"]["expected_minor"]
    move_cash(manager, shift.id, CASH_OUT, expected - 1000, "to the safe")
    before = _state(db)
    with refused("insufficient_cash"):
        pay_out_certificate(cashier, CODES, shift.id, code)
    assert _state(db) == before
