"""Priority groups: the first child to fire keeps a line, the others are displaced and explained.

A discount whose lines are all taken already is priced only when its record is read; these
tests pin down that the explanation is the same as if it had been priced at once (``priced``
also checks every result against the naive evaluator, which prices every loser at once).
"""

from decimal import Decimal

from discount_builders import context, discounts_on, percent, priced, root, sell

from pos.core.money import rounding
from pos.discounts.engine import (
    CheapestFree,
    Discount,
    Group,
    QuantityDiscount,
    Rule,
    SegmentQuantity,
    compile_rules,
    price,
)

BEANS_10 = percent("beans10", "10", item_ids=frozenset({102}))
CROISSANT_20 = percent("croissant20", "20", item_ids=frozenset({103}))
ALL_5 = percent("all5", "5")
COFFEE_10 = percent("coffee10", "10", segment="Coffee")
SECOND_COFFEE_FREE = Discount("second", "2nd coffee free", QuantityDiscount(2), segment="Coffee")


def displaced_on(result, line_no):
    line = next(line for line in result.lines if line.line_no == line_no)
    return [(d.discount_id, d.displaced_by, d.amount_minor) for d in line.displaced]


class TestDisplacedUnpriced:
    def test_a_discount_on_taken_lines_is_displaced_by_whoever_took_each_line(self):
        lines = [sell(1, "ESPRESSO-BEANS-1KG"), sell(2, "CROISSANT")]
        result = priced(root(Rule.PRIORITY, BEANS_10, CROISSANT_20, ALL_5), lines)
        assert displaced_on(result, 1) == [("all5", "beans10", 7495)]
        assert displaced_on(result, 2) == [("all5", "croissant20", 445)]

    def test_a_displaced_amount_read_later_is_rounded_as_the_pricing_was(self):
        tree = root(Rule.PRIORITY, percent("first", "5"), percent("second", "10"))
        lines = [sell(1, "CROISSANT", unit_price_minor=105)]
        with rounding("half_even"):
            result = price(lines, compile_rules(tree), context())
        # Read outside the block, where 10.5 would round up to 11.
        assert displaced_on(result, 1) == [("second", "first", 10)]

    def test_a_discount_on_taken_lines_still_hints(self):
        three_coffees = percent("three", "10", conditions=(SegmentQuantity("Coffee", Decimal(3)),))
        result = priced(root(Rule.PRIORITY, ALL_5, three_coffees), [sell(1, "ESPRESSO-BEANS-1KG")])
        (hint,) = result.hints
        assert (hint.discount_id, hint.line_no, hint.shortfall_quantity) == ("three", 1, 2)


class TestDisplacedUnitBenefits:
    TWO_COFFEES = [sell(1, "ESPRESSO-BEANS-1KG", "2")]

    COFFEES = Group("coffees", "Coffee offers", Rule.PRIORITY, (COFFEE_10, SECOND_COFFEE_FREE))

    def test_a_displaced_quantity_discount_is_explained(self):
        result = priced(root(Rule.SUM, self.COFFEES), self.TWO_COFFEES)
        assert discounts_on(result, 1) == {"coffee10": 29980}
        assert displaced_on(result, 1) == [("second", "coffee10", 149900)]

    def test_units_a_displaced_benefit_consumed_are_not_used_again_by_a_later_one(self):
        # The sum threads consumed units on: the priority group's loser took both coffees.
        two_for_one = Discount("free", "Cheapest coffee free", CheapestFree(2, "Coffee"))
        result = priced(root(Rule.SUM, self.COFFEES, two_for_one), self.TWO_COFFEES)
        assert discounts_on(result, 1) == {"coffee10": 29980}
        assert displaced_on(result, 1) == [("second", "coffee10", 149900)]
