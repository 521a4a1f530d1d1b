"""The receipt use cases called directly: lines, weights, payments, closing, the till, upload."""

from __future__ import annotations

import uuid

import pytest

from devices.fiscal.fake import FakeRegistrar
from pos.catalog.rules import ItemInput
from pos.catalog.service import create_item, update_item
from pos.discounts.schemas import NewDiscountSchema
from pos.discounts.service import create_discount
from pos.fiscal.worker import process
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.service import (
    LineChange,
    PaymentRequest,
    add_line,
    add_payment,
    change_line,
    close_receipt,
    get_receipt,
    remove_payment,
)
from tests.helpers import approved, context_for, refused

MILK = LineRequest(sku="MILK-1L")  # 89.90
CARD = {"card_brand": "VISA", "card_last4": "4242"}


def cash(amount_minor: int) -> PaymentRequest:
    """Return a cash payment."""
    return PaymentRequest("cash", amount_minor)


def card(amount_minor: int) -> PaymentRequest:
    """Return a card payment (brand and last four only)."""
    return PaymentRequest("card", amount_minor, **CARD)


class TestAddLine:
    def test_an_item_no_longer_sold_is_refused(self, cashier, shop, receipt, fixed_clock):
        update_item(cashier.db, shop.items["MILK-1L"], {"is_active": False}, [],
                    fixed_clock.now())
        with refused("item_inactive"):
            add_line(cashier, receipt.id, MILK)

    def test_an_item_without_a_price_in_the_store_is_refused(self, cashier, receipt,
                                                             fixed_clock):
        create_item(cashier.db, ItemInput(sku="DRAGON-FRUIT-1PC", name="Dragon fruit"), [],
                    fixed_clock.now())
        with refused("price_not_set"):
            add_line(cashier, receipt.id, LineRequest(sku="DRAGON-FRUIT-1PC"))

    def test_a_piece_item_refuses_a_fractional_quantity(self, cashier, receipt):
        with refused("fractional_quantity"):
            add_line(cashier, receipt.id, LineRequest(sku="OAT-MILK-1L", quantity="1.5"))
        add_line(cashier, receipt.id, LineRequest(sku="OAT-MILK-1L"))
        with refused("fractional_quantity"):
            change_line(cashier, receipt.id, 1, LineChange(quantity="2.5"))

    def test_a_weighed_item_without_a_source_is_a_manual_weight_needing_the_right(
            self, cashier, receipt):
        with refused("approval_required"):
            add_line(cashier, receipt.id, LineRequest(sku="APPLE-KG", quantity="1.500"))

    def test_a_weighed_item_from_the_scale_is_not_flagged(self, cashier, receipt):
        line = add_line(cashier, receipt.id, LineRequest(sku="APPLE-KG", quantity="1.500",
                                                         weight_source="scale")).lines[0]
        assert (line.weight_source, line.is_manual_weight) == ("scale", False)
        assert line.amount_minor == 23985  # 1.5 kg x 159.90

    def test_a_typed_in_weight_needs_the_right_or_a_managers_approval(self, cashier, receipt):
        typed = LineRequest(sku="APPLE-KG", quantity="1.000", weight_source="manual")
        with refused("approval_required"):
            add_line(cashier, receipt.id, typed)
        line = add_line(approved(cashier), receipt.id, typed).lines[0]
        assert line.is_manual_weight and line.manual_weight_approved_by_id is not None

    def test_a_manager_types_in_a_weight_alone(self, manager, shop, shift):
        mine = create_receipt(manager, NewReceipt(till_id=shop.till_id)).receipt
        line = add_line(manager, mine.id, LineRequest(
            sku="APPLE-KG", quantity="1.000", weight_source="manual")).lines[0]
        assert line.is_manual_weight and line.manual_weight_approved_by_id is None

    def test_a_till_may_not_claim_a_barcode_weight_for_a_line_it_types(self, cashier, receipt):
        with refused("invalid_weight_source"):
            add_line(cashier, receipt.id, LineRequest(sku="APPLE-KG", quantity="1.000",
                                                      weight_source="barcode"))
        add_line(cashier, receipt.id, LineRequest(sku="APPLE-KG", quantity="1.000",
                                                  weight_source="scale"))
        with refused("invalid_weight_source"):
            change_line(cashier, receipt.id, 1, LineChange("2.000", weight_source="barcode"))

    def test_an_upload_may_not_claim_a_barcode_weight_either(self, cashier, shop, shift):
        line = LineRequest(sku="APPLE-KG", quantity="1.000", weight_source="barcode")
        with refused("invalid_weight_source"):
            create_receipt(cashier, NewReceipt(till_id=shop.till_id, lines=(line,),
                                               payments=(cash(20000),)))


class TestPayAndClose:
    def test_a_receipt_closes_only_when_fully_paid(self, cashier, receipt):
        add_line(cashier, receipt.id, MILK)
        add_payment(cashier, receipt.id, cash(5000))
        with refused("not_fully_paid") as caught:
            close_receipt(cashier, receipt.id)
        assert caught.value.extra == {"due_minor": 3990}
        add_payment(cashier, receipt.id, cash(3990))
        closed = close_receipt(cashier, receipt.id)
        assert (closed.state, closed.number, closed.change_minor) == ("closed", 1, 0)

    def test_change_is_given_only_from_cash(self, cashier, receipt):
        add_line(cashier, receipt.id, MILK)
        with refused("payment_exceeds_due"):
            add_payment(cashier, receipt.id, card(10000))
        add_payment(cashier, receipt.id, card(4000))
        add_payment(cashier, receipt.id, cash(10000))
        assert close_receipt(cashier, receipt.id).change_minor == 10000 + 4000 - 8990

    def test_taking_back_the_last_payment_reprices_without_a_payment_form(
            self, cashier, receipt, fixed_clock):
        create_discount(cashier.db, NewDiscountSchema().load({
            "name": "Card payers 2%", "benefit": {"type": "percent_off", "percent": "2"},
            "conditions": [{"type": "payment_form", "forms": ["card"]}]}), fixed_clock.now())
        add_line(cashier, receipt.id, MILK)
        assert add_payment(cashier, receipt.id, card(5000)).total_minor == 8810
        back = remove_payment(cashier, receipt.id, 1)
        assert (back.payments, back.total_minor, back.discount_minor) == ([], 8990, 0)
        assert add_payment(cashier, receipt.id, cash(8990)).total_minor == 8990

    def test_a_closed_receipt_reaches_the_fiscal_device_once(self, cashier, receipt, db,
                                                            fixed_clock):
        add_line(cashier, receipt.id, MILK)
        add_payment(cashier, receipt.id, cash(10000))
        close_receipt(cashier, receipt.id)
        device = FakeRegistrar(clock=fixed_clock.now)
        assert process(db, lambda _till: device, fixed_clock.now).failed == 0
        assert process(db, lambda _till: device, fixed_clock.now).fiscalised == 0
        assert [r.total_minor for r in device.receipts] == [8990]
        assert device.receipts[0].change_minor == 1010


class TestTheCallingTill:
    def test_another_tills_receipt_is_refused(self, db, registry, shop, receipt,
                                              fixed_clock):
        elsewhere = context_for(db, registry, "cashier", fixed_clock.now(),
                                till_id=shop.other_till_id)
        with refused("wrong_till"):
            add_line(elsewhere, receipt.id, MILK)
        assert get_receipt(db, receipt.id).lines == []

    def test_a_call_that_names_no_till_is_not_checked(self, db, registry, receipt,
                                                       fixed_clock):
        unnamed = context_for(db, registry, "cashier", fixed_clock.now())
        assert len(add_line(unnamed, receipt.id, MILK).lines) == 1


class TestOneShotUpload:
    @pytest.fixture
    def upload(self, shop, shift):
        """A finished sale of one milk paid 100.00 cash, as an offline till sends it."""
        return NewReceipt(till_id=shop.till_id, client_uuid=str(uuid.uuid4()),
                          lines=(MILK,), payments=(cash(10000),))

    def test_the_same_client_uuid_returns_the_first_receipt(self, cashier, upload):
        first = create_receipt(cashier, upload)
        again = create_receipt(cashier, upload)
        assert (first.is_new, again.is_new) == (True, False)
        assert again.receipt.id == first.receipt.id and again.receipt.number == 1

    def test_the_same_client_uuid_from_another_till_is_refused(self, cashier, shop, upload):
        create_receipt(cashier, upload)
        with refused("uuid_conflict"):
            create_receipt(cashier, NewReceipt(till_id=shop.other_till_id,
                                               client_uuid=upload.client_uuid))

    def test_payments_short_of_the_total_write_nothing(self, cashier, db, upload):
        short = NewReceipt(till_id=upload.till_id, client_uuid=upload.client_uuid,
                           lines=upload.lines, payments=(cash(8989),))
        with refused("not_fully_paid"):
            create_receipt(cashier, short)
        assert create_receipt(cashier, upload).is_new
