"""Payment-based agreements count only the qualifying share of a later debt payment."""

from __future__ import annotations

from typing import Any

from loyalty.customers.account import register_payment
from loyalty.rebates.agreements import advance, create_agreement
from loyalty.rebates.progress import agreement_progress
from pos.core.context import Context
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.service import PaymentRequest
from tests.helpers import approved
from tests.service.rebates.conftest import agreement_terms, give_back

MILK_MINOR, BANANAS_MINOR = 10 * 14990, 2 * 12990  # 10 oat milk (MILK), 2 kg bananas (FRUIT)


def milk_only(manager: Context, customer_id: int) -> Any:
    """An approved payment-based agreement counting only the MILK segment."""
    draft = create_agreement(manager, agreement_terms(customer_id, source="payments",
                                                      item_segments=["MILK"]))
    return advance(manager, draft.id, "approved")


def buy_on_account(cashier: Context, till_id: int) -> Any:
    """Buy oat milk and bananas (weighed by hand: a manager approves) on account."""
    return create_receipt(approved(cashier), NewReceipt(
        till_id=till_id, customer_ref="ACME",
        lines=(LineRequest(sku="OAT-MILK-1L", quantity="10"),
               LineRequest(sku="BANANA-KG", quantity="2")),
        payments=(PaymentRequest("on_account", MILK_MINOR + BANANAS_MINOR),))).receipt


def base(manager: Context, agreement_id: int) -> int:
    """Return the agreement's base so far."""
    return int(agreement_progress(manager.db, agreement_id, manager.now.date())["base_minor"])


class TestPaymentShare:
    def test_paying_the_whole_debt_counts_only_the_qualifying_lines(
            self, cashier, manager, shop, shift, acme):
        agreement = milk_only(manager, acme.id)
        buy_on_account(cashier, shop.till_id)
        register_payment(manager, acme.id, MILK_MINOR + BANANAS_MINOR)
        assert base(manager, agreement.id) == MILK_MINOR

    def test_a_part_payment_counts_its_share_and_the_rest_counts_later(
            self, cashier, manager, shop, shift, acme):
        agreement = milk_only(manager, acme.id)
        buy_on_account(cashier, shop.till_id)
        half = (MILK_MINOR + BANANAS_MINOR) // 2
        register_payment(manager, acme.id, half)
        assert base(manager, agreement.id) == MILK_MINOR // 2
        register_payment(manager, acme.id, MILK_MINOR + BANANAS_MINOR - half)
        assert base(manager, agreement.id) == MILK_MINOR

    def test_debt_of_other_segments_counts_nothing(self, cashier, manager, shop, shift, acme):
        fruit = advance(manager, create_agreement(manager, agreement_terms(
            acme.id, source="payments", item_segments=["FRUIT"], name="fruit")).id, "approved")
        create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, customer_ref="ACME",
            lines=(LineRequest(sku="OAT-MILK-1L", quantity="10"),),
            payments=(PaymentRequest("on_account", MILK_MINOR),)))
        register_payment(manager, acme.id, MILK_MINOR)
        assert base(manager, fruit.id) == 0

    def test_a_return_on_account_takes_its_share_off_what_is_owed(
            self, cashier, manager, shop, shift, acme):
        agreement = milk_only(manager, acme.id)
        sale = buy_on_account(cashier, shop.till_id)
        give_back(cashier, shop.till_id, sale, "4")  # 4 oat milk back, refunded on account
        register_payment(manager, acme.id, MILK_MINOR - 4 * 14990 + BANANAS_MINOR)
        assert base(manager, agreement.id) == MILK_MINOR - 4 * 14990
