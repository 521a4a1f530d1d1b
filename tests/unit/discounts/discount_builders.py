"""Terse builders for discount engine tests: a little shop, its lines and a sale moment."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pos.discounts.engine import (
    Discount,
    Group,
    LineInput,
    PercentOff,
    Pricing,
    PricingContext,
    Rule,
    compile_rules,
    naive_price,
    price,
)

# A Friday lunchtime in the store's own time zone.
FRIDAY_NOON = datetime(2025, 3, 14, 12, 0)

# item id, unit price in minor units, segments
SHOP = {
    "OAT-MILK-1L": (101, 18990, frozenset({"Dairy"})),
    "ESPRESSO-BEANS-1KG": (102, 149900, frozenset({"Coffee"})),
    "CROISSANT": (103, 8900, frozenset({"Bakery"})),
    "PAIN-AU-CHOCOLAT": (104, 9900, frozenset({"Bakery"})),
    "CIGARETTES": (105, 25000, frozenset({"Tobacco"})),
    "GIFT-CARD-1000": (106, 100000, frozenset()),
    "BRANDED-MUG": (107, 45000, frozenset({"Merch"})),
    "FILTER-COFFEE-250G": (108, 59000, frozenset({"Coffee"})),
    "TV-55": (109, 100000, frozenset({"Electronics"})),
}
NOT_DISCOUNTABLE = {"CIGARETTES", "GIFT-CARD-1000"}


def sell(line_no: int, sku: str, qty: str = "1", **overrides) -> LineInput:
    """Return a receipt line for a shop item, with field overrides."""
    item_id, unit_price, segments = SHOP[sku]
    fields = {
        "line_no": line_no,
        "item_id": item_id,
        "quantity": Decimal(qty),
        "unit_price_minor": unit_price,
        "segments": segments,
        "is_discountable": sku not in NOT_DISCOUNTABLE,
    }
    fields.update(overrides)
    return LineInput(**fields)


def context(**overrides) -> PricingContext:
    """Return a sale on Friday noon with field overrides."""
    return PricingContext(now_local=overrides.pop("now_local", FRIDAY_NOON), **overrides)


def percent(discount_id: str, value: str, **fields) -> Discount:
    """Return a percent-off discount named after its id."""
    return Discount(
        discount_id, fields.pop("name", discount_id), PercentOff(Decimal(value)), **fields
    )


def root(rule: Rule, *children, **fields) -> Group:
    """Return the root group of a tree."""
    return Group("root", "All discounts", rule, tuple(children), **fields)


def priced(tree: Group, lines, ctx: PricingContext | None = None) -> Pricing:
    """Price through the index and check that the naive evaluator agrees."""
    ctx = ctx or context()
    result = price(lines, compile_rules(tree), ctx)
    assert result.to_dict() == naive_price(lines, tree, ctx).to_dict()
    return result


def discounts_on(result: Pricing, line_no: int) -> dict[str, int]:
    """Return the applied discounts of a line as id -> amount."""
    line = next(line for line in result.lines if line.line_no == line_no)
    return {applied.discount_id: applied.amount_minor for applied in line.applied}
