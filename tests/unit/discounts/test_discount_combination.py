"""Groups: sum, max, min, multiply and priority, nesting, stacking and manual discounts."""

from decimal import Decimal

import pytest
from discount_builders import context, discounts_on, percent, priced, root, sell

from pos.discounts.engine import (
    AmountOff,
    Discount,
    Gift,
    Group,
    Kind,
    ManualDiscount,
    ManualSlot,
    Markup,
    Per,
    QuantityDiscount,
    Rule,
)

TV = [sell(1, "TV-55")]  # one item at 1000.00
CARD_5 = percent("card5", "5", name="Card 5%", kind=Kind.CARD)
CAMPAIGN_10 = percent("camp10", "10", name="Spring campaign 10%", kind=Kind.CAMPAIGN)


class TestWorkedExamples:
    @pytest.mark.parametrize(
        ("rule", "off", "applied"),
        [
            (Rule.SUM, 15000, {"camp10": 10000, "card5": 5000}),
            (Rule.MAX, 10000, {"camp10": 10000}),
            (Rule.MIN, 5000, {"card5": 5000}),
            (Rule.MULTIPLY, 14500, {"camp10": 10000, "card5": 4500}),
        ],
    )
    def test_card_and_campaign_on_a_1000_tv(self, rule, off, applied):
        result = priced(root(rule, CAMPAIGN_10, CARD_5), TV)
        assert result.lines[0].discount_minor == off
        assert discounts_on(result, 1) == applied

    def test_multiply_applies_each_on_the_price_left_by_the_previous(self):
        result = priced(root(Rule.MULTIPLY, CAMPAIGN_10, CARD_5), TV)
        assert result.total_minor == 85500
        assert [a.discount_id for a in result.lines[0].applied] == ["camp10", "card5"]

    def test_priority_keeps_the_first_listed_and_shows_the_other_displaced(self):
        result = priced(root(Rule.PRIORITY, CARD_5, CAMPAIGN_10), TV)
        line = result.lines[0]
        assert line.discount_minor == 5000
        (displaced,) = line.displaced
        assert (displaced.discount_id, displaced.displaced_by, displaced.rule) == (
            "camp10",
            "card5",
            Rule.PRIORITY,
        )
        assert displaced.amount_minor == 10000

    def test_max_names_the_winner_that_displaced_the_smaller_one(self):
        line = priced(root(Rule.MAX, CAMPAIGN_10, CARD_5), TV).lines[0]
        assert [(d.discount_id, d.displaced_by, d.rule) for d in line.displaced] == [
            ("card5", "camp10", Rule.MAX)
        ]


class TestPerLine:
    def test_max_is_decided_line_by_line(self):
        coffee = percent("coffee20", "20", segment="Coffee")
        everything = percent("all5", "5")
        lines = [sell(1, "ESPRESSO-BEANS-1KG"), sell(2, "OAT-MILK-1L")]
        result = priced(root(Rule.MAX, everything, coffee), lines)
        assert discounts_on(result, 1) == {"coffee20": 29980}
        assert discounts_on(result, 2) == {"all5": 950}

    def test_priority_falls_through_to_the_next_where_the_first_does_not_fire(self):
        coffee = percent("coffee20", "20", segment="Coffee")
        everything = percent("all5", "5")
        lines = [sell(1, "ESPRESSO-BEANS-1KG"), sell(2, "OAT-MILK-1L")]
        result = priced(root(Rule.PRIORITY, coffee, everything), lines)
        assert discounts_on(result, 1) == {"coffee20": 29980}
        assert discounts_on(result, 2) == {"all5": 950}

    def test_ties_go_to_the_earlier_listed(self):
        result = priced(root(Rule.MAX, percent("first", "5"), percent("second", "5")), TV)
        assert discounts_on(result, 1) == {"first": 5000}


class TestNesting:
    def test_groups_combine_like_discounts(self):
        loyalty = Group("loyalty", "Loyalty", Rule.MAX, (CARD_5, percent("vip", "7")))
        tree = root(Rule.SUM, loyalty, CAMPAIGN_10)
        assert discounts_on(priced(tree, TV), 1) == {"vip": 7000, "camp10": 10000}

    def test_a_losing_group_shows_each_of_its_discounts_displaced_by_the_winner(self):
        bundle = Group("bundle", "Card and VIP", Rule.SUM, (CARD_5, percent("vip", "2")))
        result = priced(root(Rule.MAX, CAMPAIGN_10, bundle), TV)
        displaced = {(d.discount_id, d.displaced_by, d.group_id) for d in result.lines[0].displaced}
        assert displaced == {("card5", "camp10", "root"), ("vip", "camp10", "root")}

    def test_applied_records_name_their_own_group_and_rule(self):
        loyalty = Group("loyalty", "Loyalty", Rule.MAX, (CARD_5,))
        (applied,) = priced(root(Rule.SUM, loyalty), TV).lines[0].applied
        assert (applied.group_id, applied.group_name, applied.rule) == (
            "loyalty",
            "Loyalty",
            Rule.MAX,
        )


class TestNeverBelowZero:
    def test_a_sum_past_the_price_is_cut_from_the_last_discount(self):
        result = priced(root(Rule.SUM, percent("a", "60"), percent("b", "50")), TV)
        assert result.lines[0].amount_minor == 0
        assert discounts_on(result, 1) == {"a": 60000, "b": 40000}

    def test_markup_then_discount_in_multiply(self):
        tree = root(Rule.MULTIPLY, Discount("up", "+10%", Markup(percent=Decimal(10))), CAMPAIGN_10)
        assert priced(tree, TV).total_minor == 99000

    def test_lines_excluded_from_discounts_get_neither_discounts_nor_markups(self):
        tree = root(
            Rule.SUM, percent("all", "10"), Discount("up", "+5%", Markup(percent=Decimal(5)))
        )
        result = priced(tree, [sell(1, "CIGARETTES"), sell(2, "GIFT-CARD-1000")])
        assert [line.discount_minor for line in result.lines] == [0, 0]


class TestStacking:
    COFFEE_SECOND_HALF = Discount(
        "half", "2nd coffee at half price", QuantityDiscount(2, Decimal(50)), segment="Coffee"
    )
    MUG = Discount("mug", "Mug for 2 coffees", Gift(2, "Coffee", 107))
    TWO_COFFEES = [sell(1, "ESPRESSO-BEANS-1KG", "2"), sell(2, "BRANDED-MUG")]

    def test_units_taken_by_a_gift_are_not_used_again_in_the_same_group(self):
        result = priced(root(Rule.SUM, self.MUG, self.COFFEE_SECOND_HALF), self.TWO_COFFEES)
        assert discounts_on(result, 1) == {}
        assert discounts_on(result, 2) == {"mug": 45000}

    def test_a_stacking_group_lets_both_use_the_same_units(self):
        tree = root(Rule.SUM, self.MUG, self.COFFEE_SECOND_HALF, allow_stacking=True)
        result = priced(tree, self.TWO_COFFEES)
        assert discounts_on(result, 1) == {"half": 74950}
        assert discounts_on(result, 2) == {"mug": 45000}

    def test_percent_discounts_still_add_to_a_quantity_discount(self):
        tree = root(Rule.SUM, self.COFFEE_SECOND_HALF, percent("coffee5", "5", segment="Coffee"))
        result = priced(tree, [sell(1, "ESPRESSO-BEANS-1KG", "2")])
        assert discounts_on(result, 1) == {"half": 74950, "coffee5": 14990}


class TestManualDiscounts:
    def test_without_a_slot_manual_discounts_join_the_root(self):
        ctx = context(
            manual_discounts=(ManualDiscount("m1", None, percent=Decimal(10), reason="Dented box"),)
        )
        result = priced(root(Rule.SUM, CARD_5), TV, ctx)
        assert discounts_on(result, 1) == {"card5": 5000, "m1": 10000}
        assert result.lines[0].applied[1].kind is Kind.MANUAL
        assert result.lines[0].applied[1].name == "Dented box"

    def test_a_slot_puts_manual_discounts_where_the_tree_says(self):
        personal = Group("personal", "Card or cashier", Rule.MAX, (CARD_5, ManualSlot()))
        tree = root(Rule.SUM, personal, CAMPAIGN_10)
        ctx = context(manual_discounts=(ManualDiscount("m1", 1, amount_minor=7000),))
        result = priced(tree, TV, ctx)
        assert discounts_on(result, 1) == {"m1": 7000, "camp10": 10000}
        assert [(d.discount_id, d.displaced_by) for d in result.lines[0].displaced] == [
            ("card5", "m1")
        ]

    def test_a_line_discount_touches_only_its_line(self):
        ctx = context(manual_discounts=(ManualDiscount("m1", 2, amount_minor=1000),))
        result = priced(root(Rule.SUM), [sell(1, "OAT-MILK-1L"), sell(2, "CROISSANT")], ctx)
        assert [line.discount_minor for line in result.lines] == [0, 1000]

    def test_a_receipt_amount_is_spread_over_the_lines(self):
        ctx = context(manual_discounts=(ManualDiscount("m1", None, amount_minor=1000),))
        result = priced(root(Rule.SUM), [sell(1, "OAT-MILK-1L"), sell(2, "CROISSANT")], ctx)
        assert [line.discount_minor for line in result.lines] == [681, 319]

    def test_manual_discounts_never_touch_excluded_lines(self):
        ctx = context(manual_discounts=(ManualDiscount("m1", 1, percent=Decimal(10)),))
        assert priced(root(Rule.SUM), [sell(1, "CIGARETTES")], ctx).discount_total_minor == 0


class TestAmountsInGroups:
    def test_per_document_amount_competes_per_line_under_max(self):
        receipt_off = Discount("r100", "100 off", AmountOff(10000, Per.DOCUMENT))
        coffee = percent("coffee20", "20", segment="Coffee")
        lines = [sell(1, "ESPRESSO-BEANS-1KG"), sell(2, "TV-55")]
        result = priced(root(Rule.MAX, receipt_off, coffee), lines)
        # 100.00 splits 59.98/40.02 by line amounts; coffee's 20% (299.80) wins line 1, and
        # the receipt amount keeps only its share of line 2.
        assert discounts_on(result, 1) == {"coffee20": 29980}
        assert discounts_on(result, 2) == {"r100": 4002}
        assert result.lines[0].displaced[0].amount_minor == 5998
