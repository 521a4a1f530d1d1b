"""A rebate settled as a discount: granted, taken off the next sales, never overspent."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from loyalty.customers.service import NewCustomer, create_customer
from loyalty.rebates.agreements import advance, create_agreement
from loyalty.rebates.allowance import get_allowance, list_allowances
from loyalty.rebates.claims import approve_claim, calculate_period
from loyalty.rebates.model import Allowance, AllowanceMove, Settlement
from loyalty.rebates.progress import MANAGER, Viewer
from loyalty.rebates.settlement import settle
from pos.core.context import Context
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.service import PaymentRequest, add_payment, close_receipt, remove_payment
from pos.shifts.service import x_report
from tests.helpers import refused
from tests.service.rebates.conftest import OAT_MILK_MINOR, agreement_terms, give_back, later

PREMIUM_MINOR = 3598  # 3 % of eight bottles of oat milk (1199.20)
NAME = "Rebate allowance for ACME 2026, period 2026-Q4"


@pytest.fixture
def claim(cashier: Context, manager: Context, shop: Any, shift: Any, agreement: Any) -> Any:
    """ACME's approved Q4 claim of 35.98, after eight bottles sold to it."""
    buy(cashier, shop.till_id, "8")
    found = calculate_period(later(manager), "2026-Q4")[0]
    return approve_claim(later(manager), found.id)


@pytest.fixture
def allowance(manager: Context, claim: Any) -> Any:
    """ACME's allowance: the whole claim settled as a discount."""
    settle(later(manager), claim.id, PREMIUM_MINOR, "discount")
    return list_allowances(manager.db, MANAGER)[0]


def buy(ctx: Context, till_id: int, quantity: str, customer: str | None = "ACME") -> Any:
    """Sell oat milk to a customer, paid in cash whatever its price, and close it."""
    return close_receipt(ctx, pay_cash(ctx, open_sale(ctx, till_id, quantity, customer)).id)


def pay_cash(ctx: Context, receipt: Any) -> Any:
    """Pay an open receipt of oat milk its shelf price in cash (change is given)."""
    quantity = sum(line.quantity_milli for line in receipt.lines) // 1000
    return add_payment(ctx, receipt.id, PaymentRequest("cash", OAT_MILK_MINOR * quantity))


def open_sale(ctx: Context, till_id: int, quantity: str, customer: str | None = "ACME") -> Any:
    """Open a receipt of oat milk for a customer, priced but not paid."""
    return create_receipt(ctx, NewReceipt(
        till_id=till_id, customer_ref=customer,
        lines=(LineRequest(sku="OAT-MILK-1L", quantity=quantity),))).receipt


def used(ctx: Context, allowance_id: int) -> int:
    """Return what an allowance has used so far."""
    return get_allowance(ctx.db, allowance_id, MANAGER).used_minor


def count(ctx: Context, model: Any) -> int:
    """Return how many rows a table holds."""
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


class TestSettlingAsDiscount:
    def test_settling_as_discount_grants_an_allowance_named_for_the_agreement_and_period(
            self, manager, allowance, acme):
        assert (allowance.customer_id, allowance.name) == (acme.id, NAME)
        assert (allowance.granted_minor, allowance.used_minor) == (PREMIUM_MINOR, 0)

    def test_later_settlements_of_the_period_raise_the_same_allowance(self, manager, claim):
        settle(later(manager), claim.id, 1000, "discount")
        settle(later(manager), claim.id, PREMIUM_MINOR - 1000, "discount")
        (allowance,) = list_allowances(manager.db, MANAGER)
        assert allowance.granted_minor == PREMIUM_MINOR

    def test_settling_as_discount_more_than_approved_writes_nothing(self, manager, claim):
        with refused("settlement_exceeds_approved"):
            settle(later(manager), claim.id, PREMIUM_MINOR + 1, "discount")
        assert count(manager, Allowance) == count(manager, Settlement) == 0

    def test_recovering_more_than_is_unused_is_refused(self, cashier, manager, shop, shift,
                                                        agreement):
        sale = buy(cashier, shop.till_id, "8")
        first = calculate_period(later(manager), "2026-Q4")[0]
        approve_claim(later(manager), first.id)
        settle(later(manager), first.id, PREMIUM_MINOR, "discount")
        buy(cashier, shop.till_id, "1")  # uses the whole allowance
        give_back(cashier, shop.till_id, sale, "4")  # the base falls below the first tier
        adjustment = calculate_period(later(manager), "2026-Q4")[0]
        approve_claim(later(manager), adjustment.id)
        with refused("allowance_already_used"):
            settle(later(manager), adjustment.id, -PREMIUM_MINOR, "discount")
        (allowance,) = list_allowances(manager.db, MANAGER)
        assert (allowance.granted_minor, allowance.used_minor) == (PREMIUM_MINOR, PREMIUM_MINOR)
        assert count(manager, Settlement) == 1

    def test_a_segments_agreement_cannot_be_settled_as_a_discount(self, cashier, manager, shop,
                                                                  shift, acme):
        draft = create_agreement(manager, agreement_terms(None, customer_segment="HORECA"))
        advance(manager, draft.id, "approved")
        buy(cashier, shop.till_id, "8")
        found = calculate_period(later(manager), "2026-Q4")[0]
        approve_claim(later(manager), found.id)
        with refused("settlement_needs_customer"):
            settle(later(manager), found.id, PREMIUM_MINOR, "discount")
        assert count(manager, Allowance) == 0


class TestAtTheTill:
    def test_the_next_sale_takes_the_allowance_off_and_explains_it(self, cashier, shop,
                                                                    allowance):
        sale = buy(cashier, shop.till_id, "1")
        assert sale.total_minor == OAT_MILK_MINOR - PREMIUM_MINOR
        assert sale.discount_summary() == [{"discount_id": f"allowance:{allowance.id}",
                                            "name": NAME, "amount_minor": PREMIUM_MINOR}]
        assert used(cashier, allowance.id) == PREMIUM_MINOR

    def test_an_allowance_larger_than_a_receipt_carries_over_to_the_next(
            self, cashier, manager, shop, shift, acme):
        draft = create_agreement(manager, agreement_terms(
            acme.id, tiers=[{"from": "1000.00", "rate": "15"}]))
        advance(manager, draft.id, "approved")
        buy(cashier, shop.till_id, "8")
        found = approve_claim(later(manager), calculate_period(later(manager), "2026-Q4")[0].id)
        settle(later(manager), found.id, 17988, "discount")  # 15 % of 1199.20
        first = close_receipt(cashier, open_sale(cashier, shop.till_id, "1").id)
        assert first.total_minor == 0
        second = buy(cashier, shop.till_id, "1")
        assert second.total_minor == OAT_MILK_MINOR - (17988 - OAT_MILK_MINOR)
        assert buy(cashier, shop.till_id, "1").total_minor == OAT_MILK_MINOR
        (allowance,) = list_allowances(manager.db, MANAGER)
        assert allowance.used_minor == allowance.granted_minor == 17988

    def test_another_customers_receipt_gets_nothing_of_it(self, cashier, manager, shop,
                                                          allowance):
        create_customer(manager, NewCustomer(code="BETA", legal_name="Beta Foods LLC"))
        assert buy(cashier, shop.till_id, "1", customer="BETA").total_minor == OAT_MILK_MINOR
        assert buy(cashier, shop.till_id, "1", customer=None).total_minor == OAT_MILK_MINOR
        assert used(cashier, allowance.id) == 0

    def test_a_receipt_priced_before_another_till_used_it_up_cannot_close(
            self, cashier, shop, allowance, db, registry):
        stale = open_sale(cashier, shop.till_id, "1")
        add_payment(cashier, stale.id, PaymentRequest("cash", OAT_MILK_MINOR))
        buy(cashier, shop.till_id, "1")  # uses the whole allowance first
        moves = count(cashier, AllowanceMove)
        with refused("allowance_exhausted"):
            close_receipt(cashier, stale.id)
        assert used(cashier, allowance.id) == PREMIUM_MINOR
        assert count(cashier, AllowanceMove) == moves
        # Taking the payment back prices it again, without the allowance: then it closes.
        remove_payment(cashier, stale.id, 1)
        add_payment(cashier, stale.id, PaymentRequest("cash", OAT_MILK_MINOR))
        assert close_receipt(cashier, stale.id).total_minor == OAT_MILK_MINOR


class TestReturns:
    def test_a_return_gives_the_allowance_it_refunds_back(self, cashier, shop, allowance):
        sale = buy(cashier, shop.till_id, "3")
        assert used(cashier, allowance.id) == PREMIUM_MINOR
        back = give_back(cashier, shop.till_id, sale, "1").receipt
        # A third of the line is returned: a third of the allowance on it goes back.
        assert used(cashier, allowance.id) == PREMIUM_MINOR - 1199
        assert back.total_minor == OAT_MILK_MINOR - 1199

    def test_partial_returns_give_back_exactly_what_the_sale_used(self, cashier, shop,
                                                                  allowance):
        sale = buy(cashier, shop.till_id, "3")
        for _ in range(3):
            give_back(cashier, shop.till_id, sale, "1")
        assert used(cashier, allowance.id) == 0


class TestShiftReport:
    def test_the_x_report_shows_the_allowance_used_and_given_back(self, cashier, shop, shift,
                                                                  allowance):
        sale = buy(cashier, shop.till_id, "3")
        give_back(cashier, shop.till_id, sale, "1")
        assert x_report(cashier, shift.id)["rebate_allowances"] == {
            "used": {"count": 1, "amount_minor": PREMIUM_MINOR},
            "given_back": {"count": 1, "amount_minor": 1199}}


class TestReading:
    def test_a_partner_sees_its_own_allowances_and_not_anothers(self, manager, allowance, acme):
        other = create_customer(manager, NewCustomer(code="BETA", legal_name="Beta Foods LLC"))
        assert [a.id for a in list_allowances(manager.db, Viewer(acme.id))] == [allowance.id]
        assert list_allowances(manager.db, Viewer(other.id)) == []
        with refused("allowance_not_found"):
            get_allowance(manager.db, allowance.id, Viewer(other.id))
