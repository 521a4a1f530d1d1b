"""The result: line arithmetic, JSON-ready trace, receipt summary and input errors."""

import json
from decimal import Decimal

import pytest
from discount_builders import context, percent, priced, root, sell

from pos.discounts.engine import (
    Discount,
    EngineInputError,
    Gift,
    Group,
    Kind,
    ManualDiscount,
    Rule,
    compile_rules,
    price,
)

CARD_5 = percent("card5", "5", name="Card 5%", kind=Kind.CARD)
CAMPAIGN_10 = percent("camp10", "10", name="Spring 10%", kind=Kind.CAMPAIGN)


class TestSerialisation:
    def test_to_dict_is_plain_json_with_money_as_integers(self):
        mug = Discount("mug", "Mug", Gift(1, "Coffee", 107))
        tree = root(
            Rule.SUM, Group("loyalty", "Loyalty", Rule.PRIORITY, (CARD_5, CAMPAIGN_10)), mug
        )
        result = priced(tree, [sell(1, "ESPRESSO-BEANS-1KG", "2"), sell(2, "OAT-MILK-1L")])
        data = json.loads(json.dumps(result.to_dict()))
        assert data["total_minor"] == 299800 - 14990 + 18990 - 950
        line = data["lines"][0]
        assert line["applied"] == [
            {
                "discount_id": "card5",
                "name": "Card 5%",
                "kind": "card",
                "group_id": "loyalty",
                "group_name": "Loyalty",
                "rule": "priority",
                "amount_minor": 14990,
            },
        ]
        assert line["displaced"][0]["displaced_by"] == "card5"
        assert data["gift_lines"] == [
            {
                "item_id": 107,
                "quantity": "2",
                "unit_price_minor": 0,
                "discount_id": "mug",
                "name": "Mug",
            }
        ]

    def test_summary_totals_each_discount_over_the_receipt(self):
        result = priced(root(Rule.SUM, CARD_5), [sell(1, "TV-55"), sell(2, "OAT-MILK-1L")])
        assert result.summary() == [
            {"discount_id": "card5", "name": "Card 5%", "amount_minor": 5950}
        ]

    def test_trace_lists_applied_then_displaced_line_by_line(self):
        result = priced(
            root(Rule.MAX, CARD_5, CAMPAIGN_10), [sell(1, "TV-55"), sell(2, "OAT-MILK-1L")]
        )
        steps = [(e.line_no, e.event, e.record.discount_id) for e in result.trace]
        assert steps == [
            (1, "applied", "camp10"),
            (1, "displaced", "card5"),
            (2, "applied", "camp10"),
            (2, "displaced", "card5"),
        ]


class TestLineArithmetic:
    def test_each_line_is_its_base_less_the_discounts_applied_to_it(self):
        ctx = context(manual_discounts=(ManualDiscount("m", None, amount_minor=333),))
        tree = root(Rule.MULTIPLY, CAMPAIGN_10, CARD_5)
        result = priced(tree, [sell(1, "OAT-MILK-1L", "1.375"), sell(2, "CROISSANT", "3")], ctx)
        for line in result.lines:
            assert line.discount_minor == sum(a.amount_minor for a in line.applied)
            assert line.amount_minor == line.base_amount_minor - line.discount_minor
        assert result.lines[0].base_amount_minor == 26111  # 18990 x 1.375 = 26111.25


class TestBadInput:
    @pytest.mark.parametrize(
        ("lines", "code"),
        [
            ([sell(1, "TV-55"), sell(1, "CROISSANT")], "duplicate_line_no"),
            ([sell(1, "TV-55", "0")], "quantity_not_positive"),
            ([sell(1, "TV-55", unit_price_minor=-1)], "price_negative"),
        ],
    )
    def test_lines_that_cannot_be_priced_are_refused_with_a_code(self, lines, code):
        with pytest.raises(EngineInputError) as raised:
            price(lines, compile_rules(root(Rule.SUM)), context())
        assert raised.value.code == code
        assert raised.value.status == 422

    def test_an_empty_receipt_prices_to_zero(self):
        assert priced(root(Rule.SUM, CARD_5), []).to_dict()["total_minor"] == 0


def test_quantities_keep_their_decimal_places_in_the_gift_line():
    mug = Discount("mug", "Mug", Gift(2, "Coffee", 107))
    result = priced(root(Rule.SUM, mug), [sell(1, "ESPRESSO-BEANS-1KG", "4")])
    assert result.gift_lines[0].quantity == Decimal(2)
