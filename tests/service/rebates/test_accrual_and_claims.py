"""A closed sale raises its agreement's base; the period end claims; returns adjust."""

from __future__ import annotations

from sqlalchemy import select

from loyalty.rebates.agreements import advance, change_agreement, create_agreement
from loyalty.rebates.claims import approve_claim, calculate_period, list_claims
from loyalty.rebates.model import AccruedBase
from loyalty.rebates.progress import agreement_progress
from loyalty.rebates.settlement import settle
from tests.helpers import refused
from tests.service.rebates.conftest import agreement_terms, give_back, later, sell


def base(db, series_id):  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.scalar(select(AccruedBase).where(AccruedBase.series_id == series_id))


class TestAccrual:
    def test_a_sale_to_the_customer_raises_the_base_of_its_quarter(
            self, cashier, shop, shift, agreement):
        sell(cashier, shop.till_id, "8")
        row = base(cashier.db, agreement.series_id)
        assert (row.period_key, row.net_minor, row.quantity_milli, row.lines) == (
            "2026-Q4", 8 * 14990, 8000, 1)

    def test_a_sale_to_nobody_or_under_a_draft_accrues_nothing(
            self, cashier, manager, shop, shift, acme):
        create_agreement(manager, agreement_terms(acme.id))
        sell(cashier, shop.till_id, "8")
        sell(cashier, shop.till_id, "8", customer=None)
        with cashier.db.read() as session:
            assert session.scalars(select(AccruedBase)).all() == []

    def test_a_return_lowers_the_base(self, cashier, shop, shift, agreement):
        sale = sell(cashier, shop.till_id, "8")
        give_back(cashier, shop.till_id, sale, "3")
        assert base(cashier.db, agreement.series_id).net_minor == 5 * 14990

    def test_progress_reads_tier_bonus_and_distance(self, cashier, shop, shift, agreement):
        sell(cashier, shop.till_id, "8")  # 1199.20: tier 1 (from 1000.00, 3 %)
        seen = agreement_progress(cashier.db, agreement.id, cashier.now.date())
        assert (seen["tier"], seen["bonus_minor"]) == (1, 3598)
        assert (seen["next_threshold"], seen["to_next_tier"]) == (200000, 200000 - 119920)
        assert seen["days_left"] == 40
        assert seen["projected_bonus_minor"] > seen["bonus_minor"]


class TestPeriodEnd:
    def test_a_period_not_over_is_refused(self, manager, agreement):
        with refused("period_not_over"):
            calculate_period(manager, "2026-Q4")

    def test_calculating_twice_claims_once_and_a_return_adjusts(
            self, cashier, manager, shop, shift, agreement):
        sale = sell(cashier, shop.till_id, "8")
        first = calculate_period(later(manager), "2026-Q4")
        assert [(c.seq, c.amount_minor, c.base_minor) for c in first] == [(1, 3598, 119920)]
        assert calculate_period(later(manager), "2026-Q4") == []
        give_back(cashier, shop.till_id, sale, "2")  # 899.40: below the first tier
        adjusted = calculate_period(later(manager), "2026-Q4")
        assert [(c.seq, c.amount_minor, c.is_adjustment) for c in adjusted] == [
            (2, -3598, True)]
        assert [c.amount_minor for c in list_claims(manager.db, period_key="2026-Q4")] == [
            -3598, 3598]

    def test_approving_twice_and_settling_too_much_are_refused(
            self, cashier, manager, shop, shift, agreement):
        sell(cashier, shop.till_id, "8")
        claim = calculate_period(later(manager), "2026-Q4")[0]
        with refused("settlement_exceeds_approved"):
            settle(later(manager), claim.id, 100, "payout")
        approve_claim(later(manager), claim.id)
        with refused("claim_already_approved"):
            approve_claim(later(manager), claim.id)
        with refused("settlement_exceeds_approved"):
            settle(later(manager), claim.id, 3599, "payout")
        settle(later(manager), claim.id, 3598, "credit")
        assert list_claims(manager.db)[0].status == "settled"

    def test_a_later_settlement_nets_an_adjustment_after_payment(
            self, cashier, manager, shop, shift, agreement):
        sale = sell(cashier, shop.till_id, "14")  # 2098.60: 5 % = 104.93
        claim = calculate_period(later(manager), "2026-Q4")[0]
        approve_claim(later(manager), claim.id)
        settle(later(manager), claim.id, claim.amount_minor, "payout")
        give_back(cashier, shop.till_id, sale, "2")  # 1798.80: 3 % = 53.96
        adjustment = calculate_period(later(manager), "2026-Q4")[0]
        assert adjustment.amount_minor == 5396 - 10493
        approve_claim(later(manager), adjustment.id)
        with refused("settlement_exceeds_approved"):
            settle(later(manager), adjustment.id, 1, "payout")
        settle(later(manager), adjustment.id, -5097, "payout")  # recovered from the customer


class TestVersions:
    def test_a_change_after_approval_is_a_new_version_and_the_base_carries_on(
            self, cashier, manager, shop, shift, agreement):
        sell(cashier, shop.till_id, "8")
        second = change_agreement(manager, agreement.id, {"tiers": [
            {"from": "500", "rate": "4"}]})
        assert (second.version, second.status, second.series_id) == (
            2, "draft", agreement.series_id)
        with refused("agreement_draft_exists"):
            change_agreement(manager, agreement.id, {"name": "again"})
        advance(manager, second.id, "approved")
        seen = agreement_progress(manager.db, second.id, manager.now.date())
        assert (seen["base_minor"], seen["bonus_minor"]) == (119920, 4797)
        assert agreement_progress(manager.db, agreement.id, manager.now.date())[
            "status"] == "closed"

    def test_bad_tiers_and_a_period_outside_validity_write_nothing(self, manager, acme,
                                                                   agreement):
        for tiers, code in (([{"from": "2", "rate": "1"}, {"from": "1", "rate": "2"}],
                             "tiers_out_of_order"),
                            ([{"from": "1", "rate": "1"}, {"from": "1", "rate": "2"}],
                             "tiers_overlap")):
            with refused(code):
                create_agreement(manager, agreement_terms(acme.id, tiers=tiers))
        with refused("period_outside_validity"):
            calculate_period(later(manager), "2025-Q4", agreement.id)
        with refused("agreement_status_invalid"):
            advance(manager, agreement.id, "approved")
