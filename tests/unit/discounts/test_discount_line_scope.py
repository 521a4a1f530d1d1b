"""Line scope: a condition is judged on each line, and only the lines meeting it get the discount.

Seed 002: «Если указать область применение в строке, то скидка сработает только для тех строк,
в которых выполнилось заданное условие». Facts about the sale hold or fail for all lines alike.
"""

from decimal import Decimal

from discount_builders import context, discounts_on, percent, priced, root, sell

from pos.discounts.engine import (
    CardTypes,
    FirstPurchaseFromSegment,
    ReceiptVolume,
    Rule,
    Scope,
    SegmentQuantity,
)

FIVE_COFFEES = (SegmentQuantity("Coffee", Decimal(5)),)


def five_coffees_ten_off(scope: Scope = Scope.LINE, **fields):
    return percent(
        "coffee5",
        "10",
        name="10% off 5 coffees",
        scope=scope,
        segment="Coffee",
        conditions=FIVE_COFFEES,
        **fields,
    )


class TestQuantityPerLine:
    def test_a_line_of_three_is_not_discounted_because_another_line_holds_three_more(self):
        lines = [sell(1, "ESPRESSO-BEANS-1KG", "3"), sell(2, "FILTER-COFFEE-250G", "3")]
        result = priced(root(Rule.SUM, five_coffees_ten_off()), lines)
        assert result.discount_total_minor == 0

    def test_only_the_line_that_meets_the_quantity_is_discounted(self):
        lines = [sell(1, "ESPRESSO-BEANS-1KG", "5"), sell(2, "FILTER-COFFEE-250G", "3")]
        result = priced(root(Rule.SUM, five_coffees_ten_off()), lines)
        assert discounts_on(result, 1) == {"coffee5": 74950}
        assert discounts_on(result, 2) == {}

    def test_document_scope_still_counts_the_whole_receipt(self):
        lines = [sell(1, "ESPRESSO-BEANS-1KG", "3"), sell(2, "FILTER-COFFEE-250G", "3")]
        result = priced(root(Rule.SUM, five_coffees_ten_off(Scope.DOCUMENT)), lines)
        assert [line.discount_minor for line in result.lines] == [44970, 17700]


class TestVolumePerLine:
    def test_amount_floor_is_met_by_the_line_alone(self):
        over_1000 = percent("big-line", "5", conditions=(ReceiptVolume(min_amount_minor=100000),))
        lines = [sell(1, "TV-55"), sell(2, "OAT-MILK-1L", "5"), sell(3, "OAT-MILK-1L", "6")]
        result = priced(root(Rule.SUM, over_1000), lines)
        assert [line.discount_minor for line in result.lines] == [5000, 0, 5697]

    def test_quantity_floor_of_a_segment_ignores_lines_outside_it(self):
        six_dairy = percent(
            "dairy6", "5", conditions=(ReceiptVolume(min_quantity=Decimal(6), segment="Dairy"),)
        )
        lines = [sell(1, "OAT-MILK-1L", "6"), sell(2, "CROISSANT", "9")]
        result = priced(root(Rule.SUM, six_dairy), lines)
        assert [line.discount_minor for line in result.lines] == [5697, 0]

    def test_a_trial_segment_discount_goes_to_that_segments_lines_only(self):
        trial = percent("try-coffee", "20", conditions=(FirstPurchaseFromSegment("Coffee"),))
        lines = [sell(1, "ESPRESSO-BEANS-1KG"), sell(2, "OAT-MILK-1L")]
        result = priced(root(Rule.SUM, trial), lines, context(customer_id="K-7"))
        assert [line.discount_minor for line in result.lines] == [29980, 0]


class TestSaleFactsHoldForEveryLine:
    def test_a_card_condition_discounts_every_line_or_none(self):
        gold = percent("gold", "5", conditions=(CardTypes(frozenset({"gold"})), *FIVE_COFFEES))
        lines = [sell(1, "ESPRESSO-BEANS-1KG", "5"), sell(2, "FILTER-COFFEE-250G", "5")]
        with_card = priced(root(Rule.SUM, gold), lines, context(card_types=frozenset({"gold"})))
        assert [line.discount_minor for line in with_card.lines] == [37475, 14750]
        assert priced(root(Rule.SUM, gold), lines).discount_total_minor == 0


class TestHintsPerLine:
    def test_the_hint_names_the_line_and_what_it_lacks(self):
        lines = [
            sell(1, "ESPRESSO-BEANS-1KG", "3"),
            sell(2, "FILTER-COFFEE-250G", "5"),
            sell(3, "OAT-MILK-1L", "4"),
        ]
        result = priced(root(Rule.SUM, five_coffees_ten_off()), lines)
        (hint,) = result.hints
        assert (hint.line_no, hint.shortfall_quantity, hint.condition) == (
            1,
            Decimal(2),
            "segment_quantity",
        )
        assert hint.message == "Add 2 more items to line 1 for 10% off 5 coffees"
        assert hint.to_dict()["line_no"] == 1

    def test_a_receipt_hint_names_no_line(self):
        lines = [sell(1, "ESPRESSO-BEANS-1KG", "3")]
        result = priced(root(Rule.SUM, five_coffees_ten_off(Scope.DOCUMENT)), lines)
        (hint,) = result.hints
        assert (hint.line_no, hint.shortfall_quantity) == (None, Decimal(2))

    def test_a_line_outside_the_segment_gets_no_hint(self):
        everyone = percent("any5", "10", conditions=FIVE_COFFEES)
        result = priced(root(Rule.SUM, everyone), [sell(1, "OAT-MILK-1L", "4")])
        assert result.hints == ()
