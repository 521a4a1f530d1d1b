"""The rebate arithmetic: the issue's worked examples, and what holds for any base."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty.rebates.calc import (
    Base,
    Measure,
    Mode,
    RateKind,
    Terms,
    TermsError,
    Tier,
    adjustment,
    calculate,
    check_terms,
    progress,
    project,
)

RUB = 100  # minor units per rouble


def rub(amount: int) -> int:
    return amount * RUB


QUARTER = (Tier(Decimal(rub(1_000_000)), Decimal(3)), Tier(Decimal(rub(2_000_000)), Decimal(5)))
PLAN = (Tier(Decimal(100), Decimal(2)), Tier(Decimal(120), Decimal(4)))


def bonus(terms: Terms, amount_rub: int) -> int:
    return calculate(terms, Base(rub(amount_rub))).total_minor


class TestWorkedExamples:
    def test_whole_base_pays_the_reached_tier_on_everything(self):
        terms = Terms(QUARTER)
        assert bonus(terms, 1_200_000) == rub(36_000)
        assert bonus(terms, 2_500_000) == rub(125_000)
        assert bonus(terms, 900_000) == 0

    def test_per_bracket_pays_each_rate_within_its_bracket(self):
        assert bonus(Terms(QUARTER, mode=Mode.BRACKET), 2_500_000) == rub(30_000 + 25_000)

    def test_a_plan_met_or_exceeded_by_a_fifth(self):
        terms = Terms(PLAN, plan=rub(1_000_000))
        assert bonus(terms, 1_250_000) == rub(50_000)
        assert bonus(terms, 1_100_000) == rub(22_000)

    def test_compensation_is_added_before_the_cap_and_kept_whole(self):
        terms = Terms((Tier(Decimal(0), Decimal(5)),), cap_percent=Decimal(5),
                      compensation_minor=rub(100_000))
        result = calculate(terms, Base(rub(4_000_000)))
        assert result.total_minor == rub(200_000)
        assert result.compensation_minor == rub(100_000)
        assert result.premium_minor == rub(100_000)
        assert result.is_capped

    def test_a_later_return_gives_a_negative_adjustment_not_an_edit(self):
        terms = Terms(QUARTER)
        first = bonus(terms, 1_200_000)
        assert first == rub(36_000)
        assert adjustment(bonus(terms, 1_200_000 - 300_000), [first]) == -rub(36_000)
        assert adjustment(bonus(terms, 900_000), [first, -rub(36_000)]) == 0


class TestRatesAndConditions:
    def test_a_per_unit_rate_pays_per_unit_sold(self):
        terms = Terms((Tier(Decimal(10_000), Decimal(150)),), measure=Measure.QUANTITY,
                      rate_kind=RateKind.PER_UNIT)
        assert calculate(terms, Base(rub(1), 12_500)).total_minor == 1875  # 12.5 x 1.50
        assert calculate(terms, Base(rub(1), 9_999)).total_minor == 0

    def test_an_unmet_condition_voids_the_premium_not_the_compensation(self):
        terms = Terms(QUARTER, compensation_minor=rub(1_000))
        result = calculate(terms, Base(rub(1_500_000)), is_condition_met=False)
        assert (result.premium_minor, result.total_minor) == (0, rub(1_000))

    def test_progress_says_how_far_the_next_tier_is(self):
        state = progress(Terms(QUARTER), Base(rub(1_900_000)))
        assert state.bonus.tier == 0
        assert (state.next_threshold, state.to_next_tier) == (rub(2_000_000), rub(100_000))
        top = progress(Terms(QUARTER), Base(rub(2_000_000)))
        assert (top.bonus.tier, top.next_threshold, top.to_next_tier) == (1, None, None)

    def test_projection_grows_the_base_at_the_rate_so_far(self):
        assert project(Base(rub(300), 30), 30, 90) == Base(rub(900), 90)
        assert project(Base(rub(300)), 0, 90) == Base(rub(300))


class TestBadTerms:
    @pytest.mark.parametrize(("tiers", "code"), [
        ((), "tiers_missing"),
        ((QUARTER[1], QUARTER[0]), "tiers_out_of_order"),
        ((QUARTER[0], QUARTER[0]), "tiers_overlap"),
        ((Tier(Decimal(-1), Decimal(1)),), "tier_negative"),
    ])
    def test_bad_tiers_are_refused_with_a_code(self, tiers, code):
        with pytest.raises(TermsError) as refused:
            check_terms(Terms(tiers))
        assert refused.value.code == code

    def test_a_per_unit_rate_per_bracket_needs_a_quantity_base(self):
        with pytest.raises(TermsError) as refused:
            check_terms(Terms(QUARTER, mode=Mode.BRACKET, rate_kind=RateKind.PER_UNIT))
        assert refused.value.code == "bracket_rate_mismatch"


amounts = st.integers(min_value=0, max_value=10**12)
percents = st.decimals(min_value=0, max_value=50, places=2)


@st.composite
def tier_lists(draw):  # type: ignore[no-untyped-def]
    starts = sorted(draw(st.sets(st.integers(0, 10**11), min_size=1, max_size=5)))
    rates = draw(st.lists(percents, min_size=len(starts), max_size=len(starts)))
    return tuple(Tier(Decimal(s), r) for s, r in zip(starts, rates, strict=True))


class TestProperties:
    @given(tier_lists(), amounts, amounts)
    def test_bracket_never_pays_more_than_the_top_rate_on_the_whole(self, tiers, a, extra):
        top = max(t.rate for t in tiers)
        paid = calculate(Terms(tiers, mode=Mode.BRACKET), Base(a)).total_minor
        assert 0 <= paid <= (a * top / 100) + len(tiers)

    @given(tier_lists(), amounts, amounts)
    def test_bracket_bonus_never_falls_as_the_base_grows(self, tiers, a, extra):
        terms = Terms(tiers, mode=Mode.BRACKET)
        assert calculate(terms, Base(a + extra)).total_minor >= calculate(
            terms, Base(a)).total_minor - len(tiers)

    @given(tier_lists(), amounts, percents, st.integers(0, 10**9))
    def test_the_cap_bounds_the_total_and_keeps_the_parts_adding_up(self, tiers, a, cap, comp):
        result = calculate(Terms(tiers, cap_percent=cap, compensation_minor=comp), Base(a))
        assert result.total_minor == result.premium_minor + result.compensation_minor
        assert result.total_minor <= a * cap / 100 + 1
        assert result.premium_minor >= 0 and result.compensation_minor >= 0

    @given(tier_lists(), st.lists(amounts, min_size=1, max_size=6))
    def test_adjustments_always_net_to_the_latest_total(self, tiers, bases):
        claims: list[int] = []
        for amount in bases:
            claims.append(adjustment(calculate(Terms(tiers), Base(amount)).total_minor, claims))
        assert sum(claims) == calculate(Terms(tiers), Base(bases[-1])).total_minor

    @given(tier_lists(), amounts)
    def test_whole_base_is_the_reached_rate_on_the_whole(self, tiers, a):
        result = calculate(Terms(tiers), Base(a))
        if result.tier is None:
            assert result.total_minor == 0
        else:
            assert abs(result.total_minor - a * tiers[result.tier].rate / 100) <= Decimal("0.5")
