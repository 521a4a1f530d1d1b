"""Gift lines: once a line holds a gift, no other discount or markup touches it."""

from dataclasses import replace
from decimal import Decimal

import pytest
from discount_builders import context, discounts_on, percent, priced, root, sell

from pos.discounts.engine import (
    CheapestFree,
    Discount,
    Gift,
    Group,
    LineInput,
    ManualDiscount,
    Markup,
    PercentOff,
    Rule,
    Scope,
)

MUG_FOR_TWO_COFFEES = Discount("mug", "Mug for 2 coffees", Gift(2, "Coffee", 107))
MARKUP_5 = Discount("late", "Late-night 5%", Markup(percent=Decimal(5)))
TEN_OFF = percent("all10", "10")


def receipt(mug_is_flagged: bool = False):
    # The till scans the announced mug as an ordinary line, or adds it flagged as a gift.
    return [sell(1, "ESPRESSO-BEANS-1KG", "2"), sell(2, "BRANDED-MUG", is_gift=mug_is_flagged)]


class TestNothingElseLandsOnAGift:
    @pytest.mark.parametrize("rule", list(Rule))
    @pytest.mark.parametrize("gift_first", [True, False])
    @pytest.mark.parametrize("other", [MARKUP_5, TEN_OFF], ids=["markup", "percent"])
    def test_the_scanned_gift_stays_free_whatever_the_rule_and_order(self, rule, gift_first, other):
        children = (MUG_FOR_TWO_COFFEES, other) if gift_first else (other, MUG_FOR_TWO_COFFEES)
        result = priced(root(rule, *children), receipt())
        mug = result.lines[1]
        assert (mug.discount_minor, mug.amount_minor) == (45000, 0)
        assert discounts_on(result, 2) == {"mug": 45000}

    @pytest.mark.parametrize("other", [MARKUP_5, TEN_OFF], ids=["markup", "percent"])
    def test_the_paid_lines_still_get_the_other_benefit(self, other):
        result = priced(root(Rule.SUM, MUG_FOR_TWO_COFFEES, other), receipt())
        expected = -14990 if other is MARKUP_5 else 29980
        assert discounts_on(result, 1) == {other.id: expected}

    def test_a_document_markup_is_spread_over_the_paid_lines_only(self):
        doc_markup = Discount("doc", "Doc 5%", Markup(percent=Decimal(5)), scope=Scope.DOCUMENT)
        result = priced(root(Rule.SUM, MUG_FOR_TWO_COFFEES, doc_markup), receipt())
        assert [line.discount_minor for line in result.lines] == [-14990, 45000]

    def test_a_nested_group_does_not_reach_the_gift_either(self):
        inner = Group("evening", "Evening", Rule.MULTIPLY, (MARKUP_5, TEN_OFF))
        result = priced(root(Rule.SUM, inner, MUG_FOR_TWO_COFFEES), receipt())
        assert discounts_on(result, 2) == {"mug": 45000}

    def test_a_gift_the_till_flagged_is_priced_the_same(self):
        flagged = priced(root(Rule.SUM, MARKUP_5, MUG_FOR_TWO_COFFEES), receipt(True))
        scanned = priced(root(Rule.SUM, MARKUP_5, MUG_FOR_TWO_COFFEES), receipt())
        assert [ln.amount_minor for ln in flagged.lines] == [
            ln.amount_minor for ln in scanned.lines
        ]

    def test_a_mug_bought_without_the_coffees_keeps_the_markup(self):
        result = priced(root(Rule.SUM, MUG_FOR_TWO_COFFEES, MARKUP_5), [sell(1, "BRANDED-MUG")])
        assert discounts_on(result, 1) == {"late": -2250}


class TestAGiftThatGivesNothing:
    def test_a_line_no_dearer_than_the_gift_price_keeps_the_cashiers_discount(self):
        # A free line qualifies for the gift, and the gift item is on the receipt at the gift
        # price already: taking it as the gift gives nothing, and must not push the cashier's
        # receipt discount off it (a price rose by a kopeck when a rule was added to MAX).
        gift = Discount(
            "d1", "Item 2 at 0.01", Gift(1, None, 2, gift_price_minor=1, max_per_receipt=1)
        )
        lines = [LineInput(1, 1, Decimal(1), 0), LineInput(2, 2, Decimal(1), 1)]
        manual = context(
            card_id="C-1",
            manual_discounts=(ManualDiscount("m1", None, amount_minor=1, reason="Scratched"),),
        )
        without = priced(Group("g1", "G1", Rule.MAX, ()), lines, manual)
        with_gift = priced(Group("g2", "G2", Rule.MAX, (gift,)), lines, manual)
        assert [line.amount_minor for line in without.lines] == [0, 0]
        assert [line.amount_minor for line in with_gift.lines] == [0, 0]
        assert discounts_on(with_gift, 2) == {"m1": 1}


def amounts(result):
    """Return what each line of a priced receipt costs."""
    return [line.amount_minor for line in result.lines]


def plain(line_no, item_id, unit_price_minor, qty="1", **fields):
    """Return a line of an item by number, as the property tests generate them."""
    return LineInput(line_no, item_id, Decimal(qty), unit_price_minor, **fields)


def best_of(*children):
    """Return a MAX group: each line takes what gives it most."""
    return Group("best", "Best for the buyer", Rule.MAX, children)


def gift_of(item_id, for_item, gift_price_minor=0):
    """Return a rule giving one unit of ``item_id`` for each unit of ``for_item``."""
    benefit = Gift(1, None, item_id, gift_price_minor=gift_price_minor)
    return Discount(
        "gift", f"Item {item_id} for item {for_item}", benefit, item_ids=frozenset({for_item})
    )


class TestAGiftLineIsLeftOutOfTheOtherDiscounts:
    """A line a gift rule gives away is priced as if the till had flagged it a gift.

    So adding a gift rule to a MAX group can raise another line's price: the other discounts
    are then priced on the paid lines only (found by the MAX-group property test).
    """

    def test_a_receipt_percent_is_reckoned_on_the_paid_lines_once_a_line_is_a_gift(self):
        # The example Hypothesis found, written out whole. Line 4 (item 1 at 0.02) becomes the
        # gift of the unit of line 5, so 0.58% is taken of 6.02 (0.0349 -> 0.03), not of
        # 6.04 (0.0350 -> 0.04): line 5 pays a kopeck more, the receipt a kopeck less.
        lines = [
            plain(1, 1, 0, is_discountable=False),
            plain(2, 1, 0, is_discountable=False),
            plain(3, 1, 0),
            plain(4, 1, 2),
            plain(5, 1, 301, qty="2", price_group="B"),
        ]
        cashier = ManualDiscount("m1", None, percent=Decimal("0.58"), amount_minor=1)
        sale = context(card_id="C-1", is_first_purchase=True, manual_discounts=(cashier,))
        gift = Discount("d1", "D1", Gift(1, None, 1), price_groups=frozenset({"B"}))
        without = priced(best_of(), lines, sale)
        with_gift = priced(best_of(gift), lines, sale)
        flagged = priced(
            best_of(gift), [*lines[:3], replace(lines[3], is_gift=True), lines[4]], sale
        )
        assert discounts_on(without, 5) == {"m1": 4}
        assert with_gift.gifted_line_nos == {4}
        assert (discounts_on(with_gift, 4), discounts_on(with_gift, 5)) == ({"d1": 2}, {"m1": 3})
        assert amounts(with_gift) == amounts(flagged)
        assert (without.total_minor, with_gift.total_minor) == (600, 599)

    def test_no_split_of_a_receipt_percent_keeps_every_line_when_either_becomes_a_gift(self):
        # 1% of 2.60 is 0.03: one of two equal lines takes 0.02. Whichever the other line's
        # gift rule frees, the line left pays 1% of 1.30 alone, 0.01: no allocation avoids a
        # rise, so the MAX property cannot hold for a rule that makes a gift line.
        lines = [plain(1, 1, 130), plain(2, 2, 130)]
        receipt_percent = Discount(
            "doc", "Receipt 1%", PercentOff(Decimal(1)), scope=Scope.DOCUMENT
        )
        without = priced(best_of(receipt_percent), lines)
        second_free = priced(best_of(receipt_percent, gift_of(2, for_item=1)), lines)
        first_free = priced(best_of(receipt_percent, gift_of(1, for_item=2)), lines)
        assert [line.discount_minor for line in without.lines] == [2, 1]
        assert (discounts_on(second_free, 1), discounts_on(first_free, 2)) == (
            {"doc": 1},
            {"doc": 1},
        )
        assert amounts(second_free)[0] > amounts(without)[0]

    def test_a_gift_line_does_not_count_towards_a_set_of_three_for_two(self):
        lines = [plain(1, 1, 1000), plain(2, 2, 900), plain(3, 3, 800)]
        three_for_two = Discount("3for2", "3 for 2", CheapestFree(3))
        without = priced(best_of(three_for_two), lines)
        with_gift = priced(best_of(three_for_two, gift_of(2, for_item=1)), lines)
        flagged = [*lines[:1], replace(lines[1], is_gift=True), lines[2]]
        assert amounts(without) == [1000, 900, 0]
        assert amounts(with_gift) == [1000, 0, 800]
        assert amounts(priced(best_of(three_for_two, gift_of(2, for_item=1)), flagged)) == [
            1000,
            0,
            800,
        ]

    def test_the_gift_keeps_its_line_in_a_max_group_even_where_another_discount_gives_more(self):
        lines = [plain(1, 1, 1000), plain(2, 2, 100)]
        half = Discount("half", "Half price", PercentOff(Decimal(50)))
        at_90 = gift_of(2, for_item=1, gift_price_minor=90)
        without = priced(best_of(half), lines)
        with_gift = priced(best_of(half, at_90), lines)
        assert amounts(without) == [500, 50]
        assert amounts(with_gift) == [500, 90]
        assert discounts_on(with_gift, 2) == {"gift": 10}
