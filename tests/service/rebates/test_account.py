"""On account within a credit limit, payments, overdue debt, rebate credit at the till."""

from __future__ import annotations

from datetime import datetime

from loyalty.customers.account import register_payment
from loyalty.customers.service import find_customer, overdue_minor
from loyalty.rebates.agreements import advance, create_agreement
from loyalty.rebates.claims import approve_claim, calculate_period
from loyalty.rebates.progress import agreement_progress
from loyalty.rebates.settlement import settle
from pos.receipts import service
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.service import PaymentRequest
from tests.helpers import approved, refused
from tests.service.rebates.conftest import agreement_terms, give_back, later, sell


def debt(ctx, customer_id):  # type: ignore[no-untyped-def]
    return find_customer(ctx.db, customer_id).debt_minor


class TestOnAccount:
    def test_buying_on_account_raises_the_debt_within_the_limit(self, cashier, shop, shift,
                                                                acme):
        sell(cashier, shop.till_id, "20", pay="on_account")
        assert debt(cashier, acme.id) == 20 * 14990
        with refused("credit_limit_exceeded"):
            sell(cashier, shop.till_id, "20", pay="on_account")
        assert debt(cashier, acme.id) == 20 * 14990

    def test_on_account_needs_a_customer_on_the_receipt(self, cashier, shop, shift, acme):
        with refused("customer_required"):
            sell(cashier, shop.till_id, "1", pay="on_account", customer=None)

    def test_a_return_refunds_to_the_account_and_a_void_gives_back(self, cashier, shop, shift,
                                                                   acme):
        sale = sell(cashier, shop.till_id, "4", pay="on_account")
        give_back(cashier, shop.till_id, sale, "1")
        assert debt(cashier, acme.id) == 3 * 14990
        receipt = create_receipt(cashier, NewReceipt(till_id=shop.till_id,
                                                     customer_ref="ACME")).receipt
        service.add_line(cashier, receipt.id, LineRequest(sku="OAT-MILK-1L", quantity="1"))
        service.add_payment(cashier, receipt.id, PaymentRequest("on_account", 14990))
        assert debt(cashier, acme.id) == 4 * 14990
        service.void_receipt(approved(cashier), receipt.id)
        assert debt(cashier, acme.id) == 3 * 14990

    def test_payments_lower_the_debt_and_overdue_is_what_fell_due_unpaid(
            self, cashier, manager, shop, shift, acme):
        sell(cashier, shop.till_id, "10", pay="on_account")  # due 2026-12-22
        with cashier.db.read() as session:
            assert overdue_minor(session, acme.id, datetime(2026, 12, 22).date()) == 0
            assert overdue_minor(session, acme.id, datetime(2026, 12, 23).date()) == 149900
        with refused("payment_exceeds_debt"):
            register_payment(manager, acme.id, 149901)
        register_payment(manager, acme.id, 100000)
        with cashier.db.read() as session:
            assert overdue_minor(session, acme.id, datetime(2026, 12, 23).date()) == 49900


class TestConditionsAndCredit:
    def test_overdue_debt_at_period_end_voids_the_premium(self, cashier, manager, shop, shift,
                                                          acme):
        draft = create_agreement(manager, agreement_terms(acme.id, requires_no_overdue=True))
        advance(manager, draft.id, "approved")
        sell(cashier, shop.till_id, "10", pay="on_account")  # due 2026-12-22, unpaid
        assert calculate_period(later(manager), "2026-Q4")[0].amount_minor == 0
        register_payment(later(manager), acme.id, 149900)
        assert calculate_period(later(manager), "2026-Q4") == []  # paid after period end

    def test_debt_paid_before_period_end_meets_the_condition(self, cashier, manager, shop,
                                                             shift, acme):
        draft = create_agreement(manager, agreement_terms(acme.id, requires_no_overdue=True))
        advance(manager, draft.id, "approved")
        sell(cashier, shop.till_id, "10", pay="on_account")
        register_payment(manager, acme.id, 149900)
        assert calculate_period(later(manager), "2026-Q4")[0].amount_minor == 4497

    def test_payment_based_agreements_count_payments_not_sales_on_account(
            self, cashier, manager, shop, shift, acme):
        draft = create_agreement(manager, agreement_terms(acme.id, source="payments"))
        advance(manager, draft.id, "approved")
        sell(cashier, shop.till_id, "10", pay="on_account")
        assert agreement_progress(manager.db, draft.id, manager.now.date())["base_minor"] == 0
        register_payment(manager, acme.id, 120000)
        assert agreement_progress(manager.db, draft.id, manager.now.date())["base_minor"] \
            == 120000

    def test_a_settlement_as_credit_is_spent_at_the_till(self, cashier, manager, shop, shift,
                                                         agreement, acme):
        sell(cashier, shop.till_id, "8")
        claim = calculate_period(later(manager), "2026-Q4")[0]
        approve_claim(later(manager), claim.id)
        settle(later(manager), claim.id, 3598, "credit")
        assert find_customer(manager.db, acme.id).credit_minor == 3598
        with refused("insufficient_credit"):
            create_receipt(cashier, NewReceipt(
                till_id=shop.till_id, customer_ref="ACME",
                lines=(LineRequest(sku="OAT-MILK-1L", quantity="1"),),
                payments=(PaymentRequest("rebate_credit", 14990),)))
        create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, customer_ref="ACME",
            lines=(LineRequest(sku="OAT-MILK-1L", quantity="1"),),
            payments=(PaymentRequest("rebate_credit", 3598),
                      PaymentRequest("cash", 14990 - 3598))))
        assert find_customer(manager.db, acme.id).credit_minor == 0

