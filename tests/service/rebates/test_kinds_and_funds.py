"""Chains, item segments, bill-backs, lump sums, and funds that agreements draw on."""

from __future__ import annotations

from datetime import date

from loyalty.customers.service import NewCustomer, create_customer
from loyalty.rebates.agreements import advance, create_agreement
from loyalty.rebates.claims import approve_claim, calculate_period
from loyalty.rebates.funds import approve_fund, create_fund, fund_report
from loyalty.rebates.progress import agreement_progress
from loyalty.rebates.settlement import settle
from tests.helpers import refused
from tests.service.rebates.conftest import agreement_terms, give_back, later, sell


def approved_agreement(manager, **terms):  # type: ignore[no-untyped-def]
    return advance(manager, create_agreement(manager, terms).id, "approved")


class TestCoverage:
    def test_a_parents_agreement_covers_its_children_when_it_says_so(
            self, cashier, manager, shop, shift, acme):
        create_customer(manager, NewCustomer(code="ACME-2", legal_name="ACME branch",
                                             parent_id=acme.id))
        chain = approved_agreement(manager, **agreement_terms(acme.id, include_children=True))
        alone = approved_agreement(manager, **agreement_terms(acme.id, name="own only"))
        sell(cashier, shop.till_id, "2", customer="ACME-2")
        today = manager.now.date()
        assert agreement_progress(manager.db, chain.id, today)["base_minor"] == 29980
        assert agreement_progress(manager.db, alone.id, today)["base_minor"] == 0

    def test_only_lines_of_the_agreements_item_segments_count(
            self, cashier, manager, shop, shift, acme):
        fruit = approved_agreement(manager, **agreement_terms(acme.id, item_segments=["FRUIT"]))
        sell(cashier, shop.till_id, "2")  # oat milk is MILK
        assert agreement_progress(manager.db, fruit.id, manager.now.date())["base_minor"] == 0

    def test_a_segment_agreement_covers_every_customer_of_the_segment(
            self, cashier, manager, shop, shift, acme):
        horeca = approved_agreement(manager, **agreement_terms(None, customer_segment="HORECA"))
        sell(cashier, shop.till_id, "2")
        assert agreement_progress(manager.db, horeca.id, manager.now.date())["base_minor"] \
            == 29980

    def test_a_plan_agreement_pays_by_percent_of_plan(self, cashier, manager, shop, shift,
                                                      acme):
        plan = approved_agreement(manager, **agreement_terms(
            acme.id, plan_minor=100000, tiers=[{"from": "100", "rate": "2"},
                                               {"from": "120", "rate": "4"}]))
        sell(cashier, shop.till_id, "7")  # 1049.30: plan met, not by a fifth
        seen = agreement_progress(manager.db, plan.id, manager.now.date())
        assert (seen["tier"], seen["bonus_minor"], seen["to_next_tier"]) == (
            1, 2099, 120000 - 104930)


class TestEventKinds:
    def test_a_bill_back_records_each_line_and_the_period_end_adjusts_it(
            self, cashier, manager, shop, shift, acme):
        bill = approved_agreement(manager, **agreement_terms(acme.id, kind="bill_back"))
        sale = sell(cashier, shop.till_id, "15")  # the first tier's 3 % per line: 67.46
        give_back(cashier, shop.till_id, sale, "1")  # -4.50; base 2098.60 reaches 5 %
        seen = agreement_progress(manager.db, bill.id, manager.now.date())
        assert seen["billback_minor"] == 6746 - 450
        claims = calculate_period(later(manager), "2026-Q4")
        assert [(c.seq, c.amount_minor) for c in claims] == [(1, 6296), (2, 10493 - 6296)]
        assert calculate_period(later(manager), "2026-Q4") == []

    def test_a_lump_sum_is_claimed_as_agreed(self, manager, acme):
        lump = approved_agreement(manager, **agreement_terms(acme.id, kind="lump_sum",
                                                             lump_sum_minor=50000, tiers=[]))
        claims = calculate_period(later(manager), "2026-Q4")
        assert [(c.agreement_id, c.amount_minor) for c in claims] == [(lump.id, 50000)]


class TestFunds:
    def test_a_claim_that_would_overdraw_its_fund_needs_an_approval(
            self, cashier, manager, shop, shift, acme):
        fund = create_fund(manager, "Q4 HORECA", 3000, date(2026, 10, 1), date(2026, 12, 31))
        with refused("fund_not_approved"):
            create_agreement(manager, agreement_terms(
                acme.id, funds=[{"fund_id": fund.id, "share": "100"}]))
        approve_fund(manager, fund.id)
        with refused("fund_already_approved"):
            approve_fund(manager, fund.id)
        approved_agreement(manager, **agreement_terms(
            acme.id, funds=[{"fund_id": fund.id, "share": "100"}]))
        sell(cashier, shop.till_id, "8")  # 35.98 claimed against 30.00
        assert fund_report(manager.db, manager.now.date())[0]["committed_minor"] > 3598
        claim = calculate_period(later(manager), "2026-Q4")[0]
        with refused("fund_overdrawn"):
            approve_claim(later(manager), claim.id)
        approve_claim(later(manager), claim.id, allow_overdraw=True)
        settle(later(manager), claim.id, 2000, "payout")
        report = fund_report(manager.db, later(manager).now.date())[0]
        assert (report["claimed_minor"], report["settled_minor"]) == (3598, 2000)
