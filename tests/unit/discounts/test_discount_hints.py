"""Hints: what the buyer still needs for a discount that is nearly theirs."""

from decimal import Decimal

from discount_builders import context, percent, priced, root, sell

from pos.discounts.engine import (
    AccumulatedVolume,
    CardTypes,
    ReceiptVolume,
    Rule,
    Scope,
    SegmentQuantity,
)

RECEIPT_3_PERCENT = percent(
    "big",
    "3",
    name="3% off the receipt",
    scope=Scope.DOCUMENT,
    conditions=(ReceiptVolume(min_amount_minor=300000),),
)
COFFEE_10 = percent(
    "coffee3",
    "10",
    name="10% off Coffee",
    scope=Scope.DOCUMENT,
    segment="Coffee",
    conditions=(SegmentQuantity("Coffee", Decimal(3)),),
)


class TestHints:
    def test_spend_more_for_the_receipt_discount(self):
        result = priced(
            root(Rule.SUM, RECEIPT_3_PERCENT),
            [sell(1, "TV-55", "2"), sell(2, "TV-55", unit_price_minor=88000)],
        )
        (hint,) = result.hints
        assert (hint.discount_id, hint.condition, hint.shortfall_minor) == (
            "big",
            "receipt_volume",
            12000,
        )
        assert hint.message == "Spend 120.00 more for 3% off the receipt"

    def test_add_one_more_item_from_a_segment(self):
        lines = [sell(1, "ESPRESSO-BEANS-1KG"), sell(2, "FILTER-COFFEE-250G")]
        (hint,) = priced(root(Rule.SUM, COFFEE_10), lines).hints
        assert (hint.condition, hint.shortfall_quantity, hint.segment) == (
            "segment_quantity",
            Decimal(1),
            "Coffee",
        )
        assert hint.message == "Add 1 more item from Coffee for 10% off Coffee"

    def test_no_hint_once_the_discount_fires(self):
        lines = [sell(1, "ESPRESSO-BEANS-1KG", "3")]
        assert priced(root(Rule.SUM, COFFEE_10), lines).hints == ()

    def test_no_hint_when_another_condition_fails(self):
        gold_only = percent(
            "gold",
            "3",
            conditions=(
                CardTypes(frozenset({"gold"})),
                ReceiptVolume(min_amount_minor=300000),
            ),
        )
        lines = [sell(1, "TV-55")]
        assert priced(root(Rule.SUM, gold_only), lines).hints == ()
        with_card = priced(
            root(Rule.SUM, gold_only), lines, context(card_types=frozenset({"gold"}))
        )
        assert [hint.shortfall_minor for hint in with_card.hints] == [200000]

    def test_no_hint_for_accumulated_volume_this_receipt_cannot_reach(self):
        silver = percent("silver", "7", conditions=(AccumulatedVolume(5000000),))
        assert priced(root(Rule.SUM, silver), [sell(1, "TV-55")]).hints == ()

    def test_no_hint_for_a_discount_with_nothing_to_touch_on_the_receipt(self):
        assert priced(root(Rule.SUM, COFFEE_10), [sell(1, "OAT-MILK-1L")]).hints == ()

    def test_hints_serialise_with_quantities_as_strings(self):
        lines = [sell(1, "ESPRESSO-BEANS-1KG", "1.5")]
        (hint,) = priced(root(Rule.SUM, COFFEE_10), lines).hints
        assert hint.to_dict()["shortfall_quantity"] == "1.5"
        assert hint.message == "Add 1.5 more items from Coffee for 10% off Coffee"
