"""The pure earning rules: shares, rates, campaigns, rounding, and what a payment costs."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from loyalty.points.rules import (
    EarnLine,
    EarnRules,
    earn,
    earned_total,
    multiplier,
    points_for_amount,
    round_points,
    share_of,
    split_earned,
)

FIVE = EarnRules(earn_bp=500)
DAY = date(2026, 11, 22)


def test_money_paid_is_spread_over_the_lines_and_each_earns_its_segments_rate():
    rules = EarnRules(earn_bp=500, segment_bp={"TOBACCO": 0, "OWN": 1000}, is_fractional=True)
    lines = [EarnLine(1, 10000, frozenset({"TOBACCO"})), EarnLine(2, 10000, frozenset({"OWN"})),
             EarnLine(3, 10000)]
    assert earn(lines, 30000, rules, DAY, 1) == {1: 0, 2: 1000, 3: 500}
    assert earn(lines, 15000, rules, DAY, 1) == {1: 0, 2: 500, 3: 250}  # half paid in money


def test_the_lowest_override_wins_when_a_line_has_several():
    rules = EarnRules(earn_bp=500, segment_bp={"A": 300, "B": 0})
    assert earn([EarnLine(1, 100000, frozenset({"A", "B"}))], 100000, rules, DAY, 1) == {1: 0}


def test_the_best_campaign_of_the_day_and_store_applies_and_campaigns_do_not_stack():
    rules = EarnRules(earn_bp=500, campaigns=[
        {"from": "2026-11-01", "to": "2026-11-30", "store_ids": [], "multiplier": "2"},
        {"from": "2026-11-22", "to": "2026-11-22", "store_ids": [7], "multiplier": "3"}])
    assert multiplier(rules, DAY, 1) == 2 and multiplier(rules, DAY, 7) == 3
    assert multiplier(rules, date(2026, 12, 1), 7) == 1


def test_rounding_down_or_half_up_to_whole_points_unless_fractional():
    assert round_points(Fraction(1450), FIVE) == 1400
    assert round_points(Fraction(1450), EarnRules(earn_bp=500, rounding="half_up")) == 1500
    assert round_points(Fraction(14495, 10), EarnRules(earn_bp=1, is_fractional=True)) == 1449


def test_a_payment_in_points_must_be_whole_points_at_the_rate():
    assert points_for_amount(5000, FIVE) == 5000
    assert points_for_amount(5050, FIVE) is None
    assert points_for_amount(5050, EarnRules(earn_bp=0, is_fractional=True)) == 5050
    assert points_for_amount(5000, EarnRules(earn_bp=0, point_value_minor=50)) == 10000


def test_a_returned_share_is_half_up_to_whole_points_and_all_of_it_at_the_end():
    assert share_of(2200, 1000, 3000, FIVE) == 700
    assert share_of(2200, 2000, 3000, FIVE) == 1500
    assert share_of(2200, 3000, 3000, FIVE) == 2200


@given(st.lists(st.integers(0, 10**7), min_size=1, max_size=30), st.integers(0, 10**8),
       st.booleans())
def test_what_lines_earn_adds_up_to_the_rounded_total_in_the_types_steps(amounts, money,
                                                                          fractional):
    rules = EarnRules(earn_bp=700, is_fractional=fractional)
    earned = earn([EarnLine(i, a) for i, a in enumerate(amounts)], money, rules, DAY, 1)
    step = 1 if fractional else 100
    base = min(money, sum(amounts))
    assert sum(earned.values()) == round_points(Fraction(base * 700 * 100, 10000 * 100), rules)
    assert all(v >= 0 and v % step == 0 for v in earned.values())


@given(st.lists(st.integers(-10**5, 10**7), min_size=1, max_size=30), st.integers(0, 10**8),
       st.booleans(), st.sampled_from(["down", "half_up"]), st.sampled_from(["1", "2.5"]))
def test_one_rates_total_and_its_split_at_a_return_are_the_earns_own(amounts, money, fractional,
                                                                      rounding, boost):
    rules = EarnRules(earn_bp=700, is_fractional=fractional, rounding=rounding, campaigns=[
        {"from": None, "to": None, "store_ids": [], "multiplier": boost}])
    earned = earn([EarnLine(i, a) for i, a in enumerate(amounts)], money, rules, DAY, 1)
    total = earned_total(sum(max(a, 0) for a in amounts), money, rules, DAY, 1)
    assert total == sum(earned.values())
    assert split_earned(total, amounts, money, rules) == list(earned.values())
