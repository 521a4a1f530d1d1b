"""Validation: every problem in a rule tree comes back with a field path and a stable code."""

from datetime import date, time
from decimal import Decimal

import pytest
from discount_builders import percent, root

from pos.discounts.engine import (
    AmountOff,
    CheapestFree,
    DateRange,
    Discount,
    FixedPrice,
    Gift,
    Group,
    ManualSlot,
    Markup,
    PaymentForm,
    PercentOff,
    PriceGroupBenefit,
    QuantityDiscount,
    ReceiptVolume,
    Rule,
    RulesError,
    SegmentQuantity,
    StoreIn,
    TimeOfSale,
    TimeRange,
    compile_rules,
    validate_tree,
)


def problems(*children) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in validate_tree(root(Rule.SUM, *children))]


def benefit(b) -> Discount:
    return Discount("d", "d", b)


def condition(c) -> Discount:
    return percent("d", "5", conditions=(c,))


class TestTree:
    def test_a_clean_tree_has_no_problems(self):
        assert problems(percent("a", "5"), Group("g", "G", Rule.MAX, (percent("b", "7"),))) == []

    def test_the_same_id_twice_is_reported_where_it_repeats(self):
        assert problems(percent("a", "5"), Group("g", "G", Rule.MAX, (percent("a", "7"),))) == [
            ("children[1].children[0].id", "duplicate_id")
        ]

    def test_a_group_inside_itself_is_a_cycle(self):
        inner = Group("root", "Again", Rule.SUM)
        assert problems(inner) == [("children[0].id", "group_cycle")]

    def test_two_manual_slots_are_one_too_many(self):
        assert problems(ManualSlot(), ManualSlot()) == [("children[1]", "manual_slot_repeated")]

    def test_compiling_a_broken_tree_raises_with_the_problems(self):
        with pytest.raises(RulesError) as raised:
            compile_rules(root(Rule.SUM, percent("a", "150")))
        assert [p.code for p in raised.value.problems] == ["percent_out_of_range"]
        assert raised.value.errors == {"children[0].benefit.percent": ["percent_out_of_range"]}


class TestBenefits:
    @pytest.mark.parametrize(
        ("bad", "path", "code"),
        [
            (PercentOff(Decimal(0)), "benefit.percent", "percent_out_of_range"),
            (PercentOff(Decimal("100.01")), "benefit.percent", "percent_out_of_range"),
            (AmountOff(0), "benefit.amount_minor", "amount_not_positive"),
            (FixedPrice(-1), "benefit.price_minor", "price_negative"),
            (Markup(), "benefit", "markup_needs_percent_or_amount"),
            (
                Markup(percent=Decimal(5), amount_minor=100),
                "benefit",
                "markup_needs_percent_or_amount",
            ),
            (Markup(percent=Decimal(1001)), "benefit.percent", "percent_out_of_range"),
            (QuantityDiscount(1), "benefit.every_nth", "quantity_too_small"),
            (CheapestFree(1), "benefit.set_size", "quantity_too_small"),
            (Gift(0, "Coffee", 107), "benefit.required_qty", "quantity_too_small"),
            (
                Gift(2, "Coffee", 107, gift_price_minor=-5),
                "benefit.gift_price_minor",
                "price_negative",
            ),
        ],
    )
    def test_bad_benefit(self, bad, path, code):
        assert problems(benefit(bad)) == [(f"children[0].{path}", code)]

    def test_refinements_are_checked_too(self):
        refined = Discount(
            "d",
            "d",
            PercentOff(Decimal(5)),
            by_price_group=(
                PriceGroupBenefit("premium", PercentOff(Decimal(200))),
                PriceGroupBenefit("premium", QuantityDiscount(3)),
            ),
        )
        assert problems(refined) == [
            ("children[0].by_price_group[0].benefit.percent", "percent_out_of_range"),
            ("children[0].by_price_group[1]", "refinement_repeated"),
            ("children[0].by_price_group[1]", "refinement_needs_simple_benefit"),
        ]


class TestConditions:
    @pytest.mark.parametrize(
        ("bad", "path", "code"),
        [
            (ReceiptVolume(), "", "volume_threshold_missing"),
            (ReceiptVolume(min_amount_minor=0), ".min_amount_minor", "amount_not_positive"),
            (ReceiptVolume(min_quantity=Decimal(0)), ".min_quantity", "quantity_not_positive"),
            (SegmentQuantity("Coffee", Decimal(0)), ".min_quantity", "quantity_not_positive"),
            (DateRange(date(2025, 3, 2), date(2025, 3, 1)), ".end", "dates_out_of_order"),
            (TimeOfSale(weekdays=frozenset({7})), ".weekdays", "weekday_out_of_range"),
            (TimeOfSale(ranges=(TimeRange(time(9), time(9)),)), ".ranges[0]", "time_range_empty"),
            (PaymentForm(frozenset()), ".forms", "choice_empty"),
            (StoreIn(frozenset()), ".store_ids", "choice_empty"),
        ],
    )
    def test_bad_condition(self, bad, path, code):
        assert problems(condition(bad)) == [(f"children[0].conditions[0]{path}", code)]

    def test_validity_dates_out_of_order(self):
        late = percent("d", "5", valid_from=date(2025, 4, 1), valid_to=date(2025, 3, 1))
        assert problems(late) == [("children[0].valid_to", "dates_out_of_order")]
