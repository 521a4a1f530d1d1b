"""Gift lines: once a line holds a gift, no other discount or markup touches it."""

from decimal import Decimal

import pytest
from discount_builders import context, discounts_on, percent, priced, root, sell

from pos.discounts.engine import (
    Discount,
    Gift,
    Group,
    LineInput,
    ManualDiscount,
    Markup,
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
        gift = Discount("d1", "Item 2 at 0.01", Gift(1, None, 2, gift_price_minor=1,
                                                       max_per_receipt=1))
        lines = [LineInput(1, 1, Decimal(1), 0), LineInput(2, 2, Decimal(1), 1)]
        manual = context(card_id="C-1", manual_discounts=(
            ManualDiscount("m1", None, amount_minor=1, reason="Scratched"),))
        without = priced(Group("g1", "G1", Rule.MAX, ()), lines, manual)
        with_gift = priced(Group("g2", "G2", Rule.MAX, (gift,)), lines, manual)
        assert [line.amount_minor for line in without.lines] == [0, 0]
        assert [line.amount_minor for line in with_gift.lines] == [0, 0]
        assert discounts_on(with_gift, 2) == {"m1": 1}
