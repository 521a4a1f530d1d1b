"""A cap on how often a unit benefit applies per receipt ("one free item per receipt")."""

from decimal import Decimal

import pytest
from discount_builders import priced, root, sell

from pos.discounts.engine import (
    CheapestFree,
    Discount,
    Gift,
    GiftLine,
    QuantityDiscount,
    Rule,
    validate_tree,
)


def only(benefit) -> Discount:
    return root(Rule.SUM, Discount("d", "Capped", benefit, segment="Bakery"))


def croissants(qty: str):
    return [sell(1, "CROISSANT", qty)]


class TestCheapestFree:
    def test_at_the_cap_every_set_gives_its_free_unit(self):
        result = priced(only(CheapestFree(3, max_per_receipt=2)), croissants("6"))
        assert result.discount_total_minor == 2 * 8900

    def test_one_set_past_the_cap_gives_nothing_more(self):
        result = priced(only(CheapestFree(3, max_per_receipt=2)), croissants("9"))
        assert result.discount_total_minor == 2 * 8900

    def test_the_units_past_the_cap_stay_for_the_next_offer(self):
        capped = Discount("3for2", "3 for 2", CheapestFree(3, max_per_receipt=1), segment="Bakery")
        then = Discount("2nd", "2nd half", QuantityDiscount(2, Decimal(50)), segment="Bakery")
        result = priced(root(Rule.SUM, capped, then), croissants("5"))
        assert result.discount_total_minor == 8900 + 4450  # 3 used by the cap, 2 left


class TestQuantityDiscount:
    def test_at_the_cap(self):
        result = priced(only(QuantityDiscount(2, max_per_receipt=1)), croissants("2"))
        assert result.discount_total_minor == 8900

    def test_one_past_the_cap(self):
        result = priced(only(QuantityDiscount(2, max_per_receipt=1)), croissants("4"))
        assert result.discount_total_minor == 8900

    def test_in_line_order_too(self):
        benefit = QuantityDiscount(2, cheapest_first=False, max_per_receipt=1)
        result = priced(only(benefit), croissants("4"))
        assert result.discount_total_minor == 8900


class TestGift:
    ONE_MUG = Discount("mug", "One mug per receipt", Gift(2, "Coffee", 107, max_per_receipt=1))

    def test_at_the_cap_one_gift_is_owed(self):
        result = priced(root(Rule.SUM, self.ONE_MUG), [sell(1, "ESPRESSO-BEANS-1KG", "2")])
        assert result.gift_lines == (GiftLine(107, Decimal(1), 0, "mug", "One mug per receipt"),)

    def test_one_past_the_cap_still_one_gift(self):
        result = priced(root(Rule.SUM, self.ONE_MUG), [sell(1, "ESPRESSO-BEANS-1KG", "4")])
        assert [gift.quantity for gift in result.gift_lines] == [Decimal(1)]

    def test_a_second_scanned_mug_is_paid(self):
        lines = [sell(1, "ESPRESSO-BEANS-1KG", "4"), sell(2, "BRANDED-MUG", "2")]
        result = priced(root(Rule.SUM, self.ONE_MUG), lines)
        assert result.lines[1].amount_minor == 45000


class TestValidation:
    @pytest.mark.parametrize(
        "benefit",
        [
            CheapestFree(3, max_per_receipt=0),
            QuantityDiscount(2, max_per_receipt=-1),
            Gift(2, None, 107, max_per_receipt=0),
        ],
    )
    def test_a_cap_below_one_is_refused(self, benefit):
        problems = validate_tree(root(Rule.SUM, Discount("d", "d", benefit)))
        assert [(p.path, p.code) for p in problems] == [
            ("children[0].benefit.max_per_receipt", "quantity_too_small")
        ]

    def test_no_cap_is_fine(self):
        assert validate_tree(root(Rule.SUM, Discount("d", "d", CheapestFree(3)))) == []
