"""Apply one discount's benefit to its lines, on the amounts left for them by earlier steps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pos.core.money import allocate

from . import units
from .basket import Basket
from .benefits import Benefit, CheapestFree, Gift, QuantityDiscount, SimpleBenefit
from .model import Discount
from .result import GiftLine


@dataclass(slots=True)
class Effect:
    """Hold a discount's amount per line, the units consumed afterwards, and gifts owed."""

    amounts: dict[int, int]
    consumed: dict[int, int]
    gifts: list[GiftLine] = field(default_factory=list)


def apply_discount(
    discount: Discount,
    lines: Sequence[int],
    basket: Basket,
    bases: dict[int, int],
    consumed: dict[int, int],
) -> Effect:
    """Price the discount on its target lines; amounts are capped at what each line has left."""
    benefit = discount.benefit
    if isinstance(benefit, QuantityDiscount | CheapestFree | Gift):
        return _apply_units(discount, benefit, lines, basket, bases, consumed)
    if discount.spreads_total:
        return Effect(_spread(discount, lines, basket, bases), consumed)
    amounts: dict[int, int] = {}
    for line_no in lines:
        line = basket.by_no[line_no]
        simple: SimpleBenefit = discount.benefit_for(line)  # type: ignore[assignment]
        _put(amounts, line_no, simple.off_line(bases[line_no], line.quantity), bases)
    return Effect(amounts, consumed)


def _put(amounts: dict[int, int], line_no: int, amount: int, bases: dict[int, int]) -> None:
    amount = min(amount, bases[line_no])
    if amount:
        amounts[line_no] = amount


def _spread(
    discount: Discount, lines: Sequence[int], basket: Basket, bases: dict[int, int]
) -> dict[int, int]:
    """Price each price group's benefit on its lines' total, then split it exactly."""
    partitions: dict[int, tuple[Benefit, list[int]]] = {}
    for line_no in lines:
        benefit = discount.benefit_for(basket.by_no[line_no])
        partitions.setdefault(id(benefit), (benefit, []))[1].append(line_no)
    amounts: dict[int, int] = {}
    for benefit, members in partitions.values():
        total = sum(bases[line_no] for line_no in members)
        off = benefit.off_total(total)  # type: ignore[union-attr]
        if off is None:
            for line_no in members:
                line = basket.by_no[line_no]
                _put(amounts, line_no, benefit.off_line(bases[line_no], line.quantity), bases)  # type: ignore[union-attr]
            continue
        if total <= 0 or off == 0:
            continue
        parts = allocate(min(off, total), [bases[line_no] for line_no in members])
        for line_no, part in zip(members, parts, strict=True):
            if part:
                amounts[line_no] = part
    return amounts


def _apply_units(
    discount: Discount,
    benefit: QuantityDiscount | CheapestFree | Gift,
    lines: Sequence[int],
    basket: Basket,
    bases: dict[int, int],
    consumed: dict[int, int],
) -> Effect:
    if isinstance(benefit, QuantityDiscount):
        effect = units.quantity_discount(benefit, lines, basket, bases, consumed)
    elif isinstance(benefit, CheapestFree):
        effect = units.cheapest_free(benefit, lines, basket, bases, consumed)
    else:
        owner = (discount.id, discount.name)
        effect = units.gift(benefit, lines, basket, bases, consumed, owner)
    if not effect.consumed:
        return Effect(effect.amounts, consumed, effect.gifts)
    after = dict(consumed)
    for line_no, count in effect.consumed.items():
        after[line_no] = after.get(line_no, 0) + count
    return Effect(effect.amounts, after, effect.gifts)
