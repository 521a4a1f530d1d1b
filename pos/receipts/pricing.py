"""The one pricing function: receipt lines and sale facts through the discount engine.

Until the discount issue loads real rules, the engine runs with an empty rule tree, so no line
gets a discount; but every line already stores its discounts list and the receipt its trace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from pos.discounts.engine import (
    CompiledRules,
    Group,
    LineInput,
    Pricing,
    PricingContext,
    Rule,
    compile_rules,
    price,
)


@dataclass(frozen=True)
class PricedItem:
    """A line as pricing sees it: catalog facts and quantity."""

    line_no: int
    item_id: int
    quantity: Decimal
    unit_price_minor: int
    price_group: str | None = None
    segments: frozenset[str] = frozenset()
    is_discountable: bool = True


@dataclass(frozen=True)
class SaleFacts:
    """What conditions may look at: when, where, who sells, who buys, how they pay."""

    now_local: datetime
    store_id: int
    cashier_group: str | None = None
    card_code: str | None = None
    customer_ref: str | None = None
    payment_forms: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def active_rules() -> CompiledRules:
    """Return the compiled rule tree (empty until the discount issue supplies rules)."""
    return compile_rules(Group("root", "No discounts", Rule.SUM))


def price_lines(items: Sequence[PricedItem], facts: SaleFacts) -> Pricing:
    """Price a receipt's lines; the total is always the sum of the line amounts."""
    lines = [LineInput(line_no=i.line_no, item_id=i.item_id, quantity=i.quantity,
                       unit_price_minor=i.unit_price_minor, price_group=i.price_group,
                       segments=i.segments, is_discountable=i.is_discountable)
             for i in items]
    context = PricingContext(
        now_local=facts.now_local, store_id=facts.store_id,
        cashier_groups=frozenset({facts.cashier_group}) if facts.cashier_group else frozenset(),
        card_id=facts.card_code, customer_id=facts.customer_ref,
        payment_forms=facts.payment_forms,
    )
    return price(lines, active_rules(), context)
