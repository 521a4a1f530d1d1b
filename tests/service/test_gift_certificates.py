"""Gift certificates through receipts: sold as a liability, activated once, redeemed in parts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from loyalty.gift_certificates import service as gift_service
from loyalty.gift_certificates.ledger import verify
from loyalty.gift_certificates.lookup import adjust_balance
from loyalty.gift_certificates.model import GiftCertificate, LedgerEntry
from pos.core.security import Principal, rights_of
from pos.receipts import service
from pos.receipts.lines import LineRequest
from pos.receipts.manual import ManualRequest, give
from pos.receipts.model import Receipt
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.returns import NewReturn, ReturnLine, create_return
from pos.receipts.service import LineChange, PaymentRequest
from pos.shifts.service import x_report
from tests.gift_helpers import (
    CODES,
    FIXED,
    FREE,
    THOUSAND_MINOR,
    WHOLE,
    add_certificate_item,
    add_types,
    certificate_line,
    pay,
    sell,
)
from tests.helpers import approved, refused

OAT_MILK_MINOR = 14990


@pytest.fixture
def types(db, manager, fixed_clock):  # type: ignore[no-untyped-def]
    """The certificate item and the fixed, free and spend-whole types."""
    add_certificate_item(db, fixed_clock.now())
    return add_types(manager)


def certificate(db, code: str) -> GiftCertificate:  # type: ignore[no-untyped-def]
    """Return the certificate of a code as stored."""
    with db.read() as session:
        found = session.scalar(select(GiftCertificate).where(
            GiftCertificate.digest == CODES.digest(code)))
        assert found is not None
        return found


def oat_milk(cashier, receipt, quantity: str = "10"):  # type: ignore[no-untyped-def]
    """Add oat milk (149.90 each) to an open receipt."""
    return service.add_line(cashier, receipt.id, LineRequest(sku="OAT-MILK-1L", quantity=quantity))


class TestSelling:
    def test_a_sold_certificate_is_active_for_its_amount_once_the_sale_closes(
            self, db, cashier, shop, shift, types):
        sale, code = sell(cashier, shop.till_id, FREE, 250000)
        sold = certificate(db, code)
        assert (sold.state, sold.balance_minor, sold.face_minor) == ("active", 250000, 250000)
        assert sold.expires_at == cashier.now + timedelta(days=180)
        assert sale.lines[0].certificate_type_id == types[FREE]
        assert sale.lines[0].vat_rate == "none"
        assert code not in str(sale.lines[0].document())

    def test_a_certificate_line_is_not_discounted_nor_changed(self, cashier, receipt, types):
        service.add_line(cashier, receipt.id, certificate_line(FIXED))
        with refused("line_not_discountable"):
            give(cashier, receipt.id, ManualRequest(amount_minor=1000, line_no=1))
        with refused("certificate_line_fixed"):
            service.change_line(cashier, receipt.id, 1, LineChange("2"))
        oat_milk(cashier, receipt, "1")
        given = give(approved(cashier), receipt.id, ManualRequest(percent=Decimal(10)))
        assert [line.discount_minor for line in given.lines] == [0, 1499]

    def test_a_free_amount_outside_the_range_is_refused_and_nothing_written(
            self, db, cashier, shop, shift, types):
        with refused("certificate_amount_out_of_range"):
            sell(cashier, shop.till_id, FREE, 100)
        with refused("certificate_amount_fixed"):
            sell(cashier, shop.till_id, FIXED, 5000)
        assert x_report(cashier, shift.id)["sales"]["count"] == 0
        with db.read() as session:
            assert session.scalar(select(GiftCertificate.id)) is None

    def test_a_retried_one_shot_sale_activates_its_certificate_once(
            self, db, cashier, shop, shift, types):
        uuid = "5b0c5a8e-4b49-4c59-9a53-1f2b1b1c0a01"
        first, code = sell(cashier, shop.till_id, client_uuid=uuid)
        again, same = sell(cashier, shop.till_id, client_uuid=uuid)
        assert (again.id, same) == (first.id, code)
        with db.read() as session:
            assert len(session.scalars(select(GiftCertificate)).all()) == 1

    def test_the_codes_of_a_sale_are_shown_to_its_cashier_and_managers_only(
            self, db, cashier, manager, shop, shift, types):
        sale, code = sell(cashier, shop.till_id)
        seen_by = gift_service.sold_on(db, CODES, sale.id, manager.actor.principal)
        assert [c.code for c in seen_by] == [code]
        stranger = Principal(user_id=cashier.actor.user_id + 100, username="other",
                             role="cashier", rights=rights_of("cashier"),
                             store_ids=frozenset({shop.store_id}))
        assert gift_service.sold_on(db, CODES, sale.id, stranger) == []

    def test_a_printed_certificate_is_sold_by_serial_and_only_once(
            self, db, cashier, manager, shop, shift, types):
        batch = gift_service.issue_batch(manager, CODES, types[FIXED], 3)
        printed = gift_service.batch_codes(db, CODES, batch.id)
        assert certificate(db, printed[0].code).state == "inactive"
        with refused("certificate_not_active"):
            create_receipt(cashier, NewReceipt(
                till_id=shop.till_id, lines=(LineRequest(sku="OAT-MILK-1L"),),
                payments=(pay(printed[0].code, OAT_MILK_MINOR),)))
        create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, lines=(certificate_line(serial=printed[0].serial),),
            payments=(PaymentRequest("cash", THOUSAND_MINOR),)))
        assert certificate(db, printed[0].code).balance_minor == THOUSAND_MINOR
        with refused("certificate_not_inactive"):
            create_receipt(cashier, NewReceipt(
                till_id=shop.till_id, lines=(certificate_line(serial=printed[0].serial),),
                payments=(PaymentRequest("cash", THOUSAND_MINOR),)))


class TestRedeeming:
    def test_a_certificate_pays_parts_of_receipts_until_it_is_used_up(
            self, db, cashier, shop, shift, types):
        _, code = sell(cashier, shop.till_id)
        for _ in range(2):
            receipt = create_receipt(cashier, NewReceipt(till_id=shop.till_id)).receipt
            oat_milk(cashier, receipt, "4")  # 599.60
            paid = service.add_payment(cashier, receipt.id, pay(code, 40000))
            assert paid.payments[0].details == {"certificate": f"…{code[-4:]}",
                                                "digest": certificate(db, code).digest}
            service.add_payment(cashier, receipt.id, PaymentRequest("cash", 19960))
            service.close_receipt(cashier, receipt.id)
        assert certificate(db, code).balance_minor == 20000
        receipt = create_receipt(cashier, NewReceipt(till_id=shop.till_id)).receipt
        oat_milk(cashier, receipt, "2")
        with refused("insufficient_balance") as caught:
            service.add_payment(cashier, receipt.id, pay(code, 29980))
        assert caught.value.extra == {"balance_minor": 20000}
        assert verify_clean(db)

    def test_a_mistyped_code_is_refused_before_any_look_up(self, cashier, receipt, types):
        oat_milk(cashier, receipt)
        with refused("invalid_certificate_code"):
            service.add_payment(cashier, receipt.id, pay("ABCD-EFGH-JKLM-NPQR", 100))

    def test_an_unknown_code_is_not_found_counted_and_logged_without_the_code(
            self, db, cashier, receipt, types, caplog):
        oat_milk(cashier, receipt)
        code = CODES.code_of(b"\x01" * 16)
        with refused("certificate_not_found"):
            service.add_payment(cashier, receipt.id, pay(code, 100))
        logged = [r.getMessage() for r in caplog.records if "not found" in r.getMessage()]
        assert len(logged) == 1 and code[-4:] in logged[0] and code[:12] not in logged[0]
        from pos.core.throttle import LoginThrottle
        with db.read() as session:
            counted = {t.key: t.failures for t in session.scalars(select(LoginThrottle))}
        assert counted[f"gift:user:{cashier.actor.user_id}"] == 1
        assert service.get_receipt(db, receipt.id).payments == []

    def test_an_expired_certificate_is_refused(self, db, cashier, shop, shift, types):
        _, code = sell(cashier, shop.till_id)
        with db.transaction() as session:
            session.execute(update(GiftCertificate).values(expires_at=cashier.now))
        receipt = create_receipt(cashier, NewReceipt(till_id=shop.till_id)).receipt
        oat_milk(cashier, receipt)
        with refused("certificate_expired"):
            service.add_payment(cashier, receipt.id, pay(code, 100))

    def test_a_spend_whole_certificate_pays_its_whole_value_or_nothing(
            self, db, cashier, shop, shift, types):
        _, code = sell(cashier, shop.till_id, WHOLE, 50000)
        receipt = create_receipt(cashier, NewReceipt(till_id=shop.till_id)).receipt
        oat_milk(cashier, receipt, "4")
        with refused("partial_redemption_not_allowed"):
            service.add_payment(cashier, receipt.id, pay(code, 10000))
        service.add_payment(cashier, receipt.id, pay(code, 50000))
        assert certificate(db, code).balance_minor == 0

    def test_a_certificate_cannot_pay_for_another_certificate(
            self, db, cashier, shop, shift, types):
        _, code = sell(cashier, shop.till_id)
        receipt = create_receipt(cashier, NewReceipt(till_id=shop.till_id)).receipt
        service.add_line(cashier, receipt.id, certificate_line(FREE, 50000))
        oat_milk(cashier, receipt, "1")
        with refused("certificate_pays_certificate") as caught:
            service.add_payment(cashier, receipt.id, pay(code, 20000))
        assert caught.value.extra == {"payable_minor": OAT_MILK_MINOR}
        service.add_payment(cashier, receipt.id, pay(code, OAT_MILK_MINOR))
        assert certificate(db, code).balance_minor == THOUSAND_MINOR - OAT_MILK_MINOR

    def test_taking_the_payment_back_or_voiding_restores_the_balance(
            self, db, cashier, shop, shift, types):
        _, code = sell(cashier, shop.till_id)
        receipt = create_receipt(cashier, NewReceipt(till_id=shop.till_id)).receipt
        oat_milk(cashier, receipt)
        service.add_payment(cashier, receipt.id, pay(code, 30000))
        service.remove_payment(cashier, receipt.id, 1)
        assert certificate(db, code).balance_minor == THOUSAND_MINOR
        service.add_payment(cashier, receipt.id, pay(code, 30000))
        service.void_receipt(approved(cashier), receipt.id)
        assert certificate(db, code).balance_minor == THOUSAND_MINOR
        assert verify_clean(db)


class TestBadInputWritesNothing:
    def test_every_refused_code_leaves_the_receipt_and_the_ledger_as_they_were(
            self, db, cashier, manager, shop, shift, types):
        batch = gift_service.issue_batch(manager, CODES, types[FIXED], 1)
        inactive = gift_service.batch_codes(db, CODES, batch.id)[0].code
        _, expired = sell(cashier, shop.till_id)
        _, used_up = sell(cashier, shop.till_id, WHOLE, 50000)
        cancelled_sale, cancelled = sell(cashier, shop.till_id)
        create_return(cashier, NewReturn(till_id=shop.till_id,
                                         original_receipt_id=cancelled_sale.id,
                                         lines=(ReturnLine("1", line_no=1),)))
        spender = create_receipt(cashier, NewReceipt(till_id=shop.till_id)).receipt
        oat_milk(cashier, spender, "4")
        service.add_payment(cashier, spender.id, pay(used_up, 50000))
        service.add_payment(cashier, spender.id, PaymentRequest("cash", 4 * OAT_MILK_MINOR))
        service.close_receipt(cashier, spender.id)
        with db.transaction() as session:
            session.execute(update(GiftCertificate).where(
                GiftCertificate.digest == CODES.digest(expired)).values(expires_at=cashier.now))
        typo = expired[:-1] + ("A" if expired[-1] != "A" else "B")
        before = _ledger_and_balances(db)
        receipt = create_receipt(cashier, NewReceipt(till_id=shop.till_id)).receipt
        oat_milk(cashier, receipt, "1")
        for code, refusal in ((typo, "invalid_certificate_code"),
                              (inactive, "certificate_not_active"),
                              (expired, "certificate_expired"),
                              (used_up, "insufficient_balance"),
                              (cancelled, "certificate_cancelled")):
            with refused(refusal):
                service.add_payment(cashier, receipt.id, pay(code, 100))
        assert service.get_receipt(db, receipt.id).payments == []
        assert _ledger_and_balances(db) == before
        assert verify_clean(db)

    def test_no_manual_discount_reaches_a_certificate_line(self, db, cashier, receipt, types):
        service.add_line(cashier, receipt.id, certificate_line(FREE, 60000))
        with refused("line_not_discountable"):
            give(approved(cashier), receipt.id, ManualRequest(percent=Decimal(5)))
        with refused("line_not_discountable"):
            give(approved(cashier), receipt.id, ManualRequest(amount_minor=100, line_no=1))
        kept = service.get_receipt(db, receipt.id)
        assert (kept.total_minor, kept.discount_minor, kept.manual_discounts) == (60000, 0, [])


def _ledger_and_balances(db):  # type: ignore[no-untyped-def]
    with db.read() as session:
        return (len(session.scalars(select(LedgerEntry.id)).all()),
                sorted(session.execute(select(GiftCertificate.id, GiftCertificate.state,
                                              GiftCertificate.balance_minor)).all()))


class TestReturns:
    def test_a_return_of_goods_paid_with_a_certificate_restores_it(
            self, db, cashier, shop, shift, types):
        _, code = sell(cashier, shop.till_id)
        sale = create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, lines=(LineRequest(sku="OAT-MILK-1L", quantity="2"),),
            payments=(pay(code, 2 * OAT_MILK_MINOR),))).receipt
        create_return(cashier, NewReturn(till_id=shop.till_id, original_receipt_id=sale.id,
                                         lines=(ReturnLine("1", line_no=1),)))
        assert certificate(db, code).balance_minor == THOUSAND_MINOR - OAT_MILK_MINOR
        assert verify_clean(db)

    def test_a_refund_to_an_expired_certificate_opens_it_again(
            self, db, cashier, shop, shift, types):
        _, code = sell(cashier, shop.till_id)
        sale = create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, lines=(LineRequest(sku="OAT-MILK-1L"),),
            payments=(pay(code, OAT_MILK_MINOR),))).receipt
        with db.transaction() as session:
            session.execute(update(GiftCertificate).values(expires_at=cashier.now))
        create_return(cashier, NewReturn(till_id=shop.till_id, original_receipt_id=sale.id,
                                         lines=(ReturnLine("1", line_no=1),)))
        restored = certificate(db, code)
        assert restored.balance_minor == THOUSAND_MINOR
        assert restored.expires_at == cashier.now + timedelta(days=30)

    def test_a_refund_to_a_certificate_no_longer_valid_is_cash_when_its_type_allows(
            self, db, cashier, manager, shop, shift, types):
        gift_service.create_type(manager, gift_service.NewType(
            "GC-CASH", "Refunds in cash", "GIFT-CERT", face_value_minor=THOUSAND_MINOR,
            is_cash_refund_allowed=True))
        _, code = sell(cashier, shop.till_id, "GC-CASH")
        sale = create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, lines=(LineRequest(sku="OAT-MILK-1L", quantity="2"),),
            payments=(pay(code, 2 * OAT_MILK_MINOR),))).receipt
        still_valid = create_return(cashier, NewReturn(
            till_id=shop.till_id, original_receipt_id=sale.id,
            lines=(ReturnLine("1", line_no=1),))).receipt
        assert [p.kind for p in still_valid.payments] == ["gift_certificate"]
        assert certificate(db, code).balance_minor == THOUSAND_MINOR - OAT_MILK_MINOR
        cash_before = x_report(cashier, shift.id)["cash"]["expected_minor"]
        with db.transaction() as session:
            session.execute(update(GiftCertificate).values(expires_at=cashier.now))
        expired = create_return(cashier, NewReturn(
            till_id=shop.till_id, original_receipt_id=sale.id,
            lines=(ReturnLine("1", line_no=1),))).receipt
        assert [(p.kind, p.amount_minor) for p in expired.payments] == [("cash", OAT_MILK_MINOR)]
        assert expired.payments[0].details == {"refund_of": "gift_certificate",
                                               "certificate": f"…{code[-4:]}"}
        kept = certificate(db, code)
        assert (kept.balance_minor, kept.expires_at) == (THOUSAND_MINOR - OAT_MILK_MINOR,
                                                         cashier.now)
        report = x_report(cashier, shift.id)
        assert report["cash"]["expected_minor"] == cash_before - OAT_MILK_MINOR
        assert verify_clean(db)

    def test_a_refund_to_an_expired_certificate_of_a_type_without_cash_is_never_cash(
            self, db, cashier, shop, shift, types):
        _, code = sell(cashier, shop.till_id)
        sale = create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, lines=(LineRequest(sku="OAT-MILK-1L"),),
            payments=(pay(code, OAT_MILK_MINOR),))).receipt
        with db.transaction() as session:
            session.execute(update(GiftCertificate).values(expires_at=cashier.now))
        refund = create_return(cashier, NewReturn(
            till_id=shop.till_id, original_receipt_id=sale.id,
            lines=(ReturnLine("1", line_no=1),))).receipt
        assert [p.kind for p in refund.payments] == ["gift_certificate"]
        assert certificate(db, code).balance_minor == THOUSAND_MINOR

    def test_returning_an_unused_certificate_cancels_it(self, db, cashier, shop, shift, types):
        sale, code = sell(cashier, shop.till_id)
        create_return(cashier, NewReturn(till_id=shop.till_id, original_receipt_id=sale.id,
                                         lines=(ReturnLine("1", line_no=1),)))
        cancelled = certificate(db, code)
        assert (cancelled.state, cancelled.balance_minor) == ("cancelled", 0)
        assert verify_clean(db)
        report = x_report(cashier, shift.id)
        assert report["certificates"] == {"sold_minor": THOUSAND_MINOR,
                                          "returned_minor": THOUSAND_MINOR}
        assert report["revenue_minor"] == 0
        assert report["gift_certificates"]["cancelled"] == {"count": 1,
                                                            "amount_minor": THOUSAND_MINOR}

    def test_a_used_certificate_cannot_be_returned(self, db, cashier, shop, shift, types):
        sale, code = sell(cashier, shop.till_id)
        create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, lines=(LineRequest(sku="OAT-MILK-1L"),),
            payments=(pay(code, OAT_MILK_MINOR),)))
        with refused("certificate_in_use"):
            create_return(cashier, NewReturn(till_id=shop.till_id, original_receipt_id=sale.id,
                                             lines=(ReturnLine("1", line_no=1),)))
        assert certificate(db, code).state == "active"

    def test_a_certificate_topped_up_to_its_face_value_after_paying_cannot_be_returned(
            self, db, cashier, manager, shop, shift, types):
        sale, code = sell(cashier, shop.till_id)
        paid = create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, lines=(LineRequest(sku="OAT-MILK-1L"),),
            payments=(pay(code, OAT_MILK_MINOR),))).receipt
        adjust_balance(manager, CODES, code, OAT_MILK_MINOR, "goodwill")
        assert certificate(db, code).balance_minor == THOUSAND_MINOR
        with refused("certificate_in_use"):
            create_return(cashier, NewReturn(till_id=shop.till_id, original_receipt_id=sale.id,
                                             lines=(ReturnLine("1", line_no=1),)))
        create_return(cashier, NewReturn(till_id=shop.till_id, original_receipt_id=paid.id,
                                         lines=(ReturnLine("1", line_no=1),)))
        kept = certificate(db, code)
        assert (kept.state, kept.balance_minor) == ("active", THOUSAND_MINOR + OAT_MILK_MINOR)
        assert verify_clean(db)

    def test_a_refund_never_goes_onto_a_cancelled_certificate(
            self, db, cashier, shop, shift, types):
        _, code = sell(cashier, shop.till_id)
        paid = create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, lines=(LineRequest(sku="OAT-MILK-1L"),),
            payments=(pay(code, OAT_MILK_MINOR),))).receipt
        with db.transaction() as session:
            session.execute(update(GiftCertificate).values(state="cancelled", balance_minor=0))
        with refused("certificate_cancelled"):
            create_return(cashier, NewReturn(till_id=shop.till_id, original_receipt_id=paid.id,
                                             lines=(ReturnLine("1", line_no=1),)))
        assert certificate(db, code).balance_minor == 0
        with db.read() as session:
            assert session.scalar(select(func.count()).select_from(Receipt).where(
                Receipt.original_receipt_id == paid.id)) == 0


class TestLedgerAndReports:
    def test_verify_finds_a_balance_changed_behind_the_ledger(self, db, cashier, shop, shift,
                                                              types):
        _, code = sell(cashier, shop.till_id)
        assert verify_clean(db)
        with db.transaction() as session:
            session.execute(update(GiftCertificate).values(balance_minor=999))
        with db.read() as session:
            found = verify(session)
        assert [(m.balance_minor, m.ledger_minor) for m in found] == [(999, THOUSAND_MINOR)]

    def test_the_x_report_shows_certificates_sold_and_redeemed(self, db, cashier, shop, shift,
                                                               types):
        _, code = sell(cashier, shop.till_id)
        create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, lines=(LineRequest(sku="OAT-MILK-1L"),),
            payments=(pay(code, OAT_MILK_MINOR),)))
        section = x_report(cashier, shift.id)["gift_certificates"]
        assert section["sold"] == {"count": 1, "amount_minor": THOUSAND_MINOR}
        assert section["redeemed"] == {"count": 1, "amount_minor": OAT_MILK_MINOR}

    def test_liability_is_sold_less_redeemed_by_type_and_store(self, db, cashier, shop, shift,
                                                               types):
        from loyalty.gift_certificates.report import liability
        _, code = sell(cashier, shop.till_id)
        sell(cashier, shop.till_id, FREE, 70000)
        create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, lines=(LineRequest(sku="OAT-MILK-1L"),),
            payments=(pay(code, OAT_MILK_MINOR),)))
        rows = {row["type_code"]: row for row in liability(db)}
        assert rows[FIXED]["sold_minor"] == THOUSAND_MINOR
        assert rows[FIXED]["redeemed_minor"] == OAT_MILK_MINOR
        assert rows[FIXED]["outstanding_minor"] == THOUSAND_MINOR - OAT_MILK_MINOR
        assert rows[FREE]["outstanding_minor"] == 70000
        assert {row["store_id"] for row in rows.values()} == {shop.store_id}


def verify_clean(db) -> bool:  # type: ignore[no-untyped-def]
    """Tell whether every balance equals its ledger."""
    with db.read() as session:
        return verify(session) == [] and session.scalar(select(LedgerEntry.id)) is not None
