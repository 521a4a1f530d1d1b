"""Document scope: a discount priced on the receipt's total and split exactly over lines."""

from decimal import Decimal

from discount_builders import discounts_on, percent, priced, root, sell

from pos.core.money import percent_of
from pos.discounts.engine import (
    AmountOff,
    Discount,
    Per,
    PercentOff,
    PriceGroupBenefit,
    ReceiptVolume,
    Rule,
    Scope,
)

OVER_3000 = (ReceiptVolume(min_amount_minor=300000),)


class TestSpreadOverLines:
    def test_three_percent_over_3000_adds_up_to_the_kopeck(self):
        lines = [
            sell(1, "TV-55", unit_price_minor=133333),
            sell(2, "TV-55", unit_price_minor=133333),
            sell(3, "TV-55", unit_price_minor=33334),
        ]
        discount = percent("big", "3", scope=Scope.DOCUMENT, conditions=OVER_3000)
        result = priced(root(Rule.SUM, discount), lines)
        assert result.discount_total_minor == percent_of(300000, Decimal(3)) == 9000
        assert [line.discount_minor for line in result.lines] == [4000, 4000, 1000]
        assert result.total_minor == 291000

    def test_document_percent_rounds_once_where_line_percents_would_drift(self):
        lines = [sell(n, "CROISSANT", unit_price_minor=50) for n in (1, 2, 3)]
        by_document = priced(root(Rule.SUM, percent("d", "3", scope=Scope.DOCUMENT)), lines)
        by_line = priced(root(Rule.SUM, percent("d", "3")), lines)
        assert by_document.discount_total_minor == 5  # 4.5 rounded once
        assert [line.discount_minor for line in by_document.lines] == [2, 2, 1]
        assert by_line.discount_total_minor == 6  # 1.5 rounded three times

    def test_only_the_segment_shares_a_segment_discount(self):
        lines = [
            sell(1, "ESPRESSO-BEANS-1KG"),
            sell(2, "OAT-MILK-1L"),
            sell(3, "FILTER-COFFEE-250G"),
        ]
        discount = percent("coffee", "10", scope=Scope.DOCUMENT, segment="Coffee")
        result = priced(root(Rule.SUM, discount), lines)
        assert [line.discount_minor for line in result.lines] == [14990, 0, 5900]

    def test_excluded_lines_take_no_share(self):
        lines = [sell(1, "TV-55", "3"), sell(2, "CIGARETTES")]
        discount = percent("big", "3", scope=Scope.DOCUMENT, conditions=OVER_3000)
        result = priced(root(Rule.SUM, discount), lines)
        assert [line.discount_minor for line in result.lines] == [9000, 0]

    def test_a_document_amount_never_exceeds_the_receipt(self):
        discount = Discount("r", "500 off", AmountOff(50000, Per.DOCUMENT))
        result = priced(root(Rule.SUM, discount), [sell(1, "CROISSANT"), sell(2, "OAT-MILK-1L")])
        assert result.total_minor == 0


class TestPriceGroupRefinement:
    REFINED = Discount(
        "card",
        "Card 5%, 2% on premium",
        PercentOff(Decimal(5)),
        by_price_group=(PriceGroupBenefit("premium", PercentOff(Decimal(2))),),
    )

    def test_a_line_in_the_price_group_gets_the_refined_percent(self):
        lines = [sell(1, "TV-55", price_group="premium"), sell(2, "TV-55", price_group="basic")]
        result = priced(root(Rule.SUM, self.REFINED), lines)
        assert discounts_on(result, 1) == {"card": 2000}
        assert discounts_on(result, 2) == {"card": 5000}

    def test_on_the_document_each_price_group_is_priced_on_its_own_total(self):
        discount = Discount(
            "card",
            "Card",
            PercentOff(Decimal(5)),
            scope=Scope.DOCUMENT,
            by_price_group=(PriceGroupBenefit("premium", PercentOff(Decimal(2))),),
        )
        lines = [
            sell(1, "CROISSANT", unit_price_minor=50, price_group="premium"),
            sell(2, "CROISSANT", unit_price_minor=50, price_group="premium"),
            sell(3, "TV-55", price_group="basic"),
        ]
        result = priced(root(Rule.SUM, discount), lines)
        # premium: 2% of 1.00 = 2 kopecks split 1/1; basic: 5% of 1000.00
        assert [line.discount_minor for line in result.lines] == [1, 1, 5000]

    def test_price_groups_can_restrict_the_lines(self):
        discount = percent("basic-only", "5", price_groups=frozenset({"basic"}))
        lines = [sell(1, "TV-55", price_group="premium"), sell(2, "TV-55", price_group="basic")]
        result = priced(root(Rule.SUM, discount), lines)
        assert [line.discount_minor for line in result.lines] == [0, 5000]
