"""Hints for the till: what the buyer still needs for a discount that is nearly theirs."""

from __future__ import annotations

from decimal import Decimal

from pos.core.money import format_minor

from .conditions import Check, Condition
from .model import Discount
from .result import Hint


def hint_for(
    discount: Discount, condition: Condition, check: Check, line_no: int | None = None
) -> Hint:
    """Build the structured hint and its message for one measurable missing condition.

    With ``line_no`` the shortfall is the line's own (line scope): more of that line's item.
    """
    segment: str | None = getattr(condition, "segment", None)
    if line_no is not None:
        where = f" {'on' if check.shortfall_minor is not None else 'to'} line {line_no}"
    else:
        where = f" from {segment}" if segment else ""
    if check.shortfall_minor is not None:
        message = f"Spend {format_minor(check.shortfall_minor)} more{where} for {discount.name}"
    else:
        count = _plain(check.shortfall_quantity or Decimal(0))
        noun = "item" if count == "1" else "items"
        message = f"Add {count} more {noun}{where} for {discount.name}"
    return Hint(
        discount.id,
        discount.name,
        condition.code,
        check.shortfall_minor,
        check.shortfall_quantity,
        segment,
        message,
        line_no,
    )


def _plain(quantity: Decimal) -> str:
    # "1", "2.5": a shortfall in pieces reads without the three places of a weighed quantity.
    return format(quantity.normalize(), "f")
