"""Apply one discount's benefit to its lines, on the amounts left for them by earlier steps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from pos.core.money import allocate

from . import units
from .basket import Basket
from .benefits import CheapestFree, Gift, QuantityDiscount, SimpleBenefit
from .inputs import LineInput
from .model import Discount
from .result import GiftLine


@dataclass(slots=True)
class Effect:
    """Hold a discount's amount per line, the units consumed afterwards, and gifts owed.

    ``gift_line_nos`` are the lines on the receipt whose units it gives away as gifts.
    """

    amounts: dict[int, int]
    consumed: dict[int, int]
    gifts: list[GiftLine] = field(default_factory=list)
    gift_line_nos: list[int] = field(default_factory=list)


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
    amounts: dict[int, int] = {}
    if discount.spreads_total:
        _spread(discount, lines, basket, bases, amounts)
    else:
        _per_line(discount, lines, basket, bases, amounts)
    return Effect(amounts, consumed)


def _simple(discount: Discount, line: LineInput) -> SimpleBenefit:
    # validate_tree refuses unit benefits as refinements, so a simple discount stays simple.
    return cast(SimpleBenefit, discount.benefit_for(line))


def _per_line(
    discount: Discount,
    lines: Sequence[int],
    basket: Basket,
    bases: dict[int, int],
    amounts: dict[int, int],
) -> None:
    for line_no in lines:
        line = basket.by_no[line_no]
        amount = _simple(discount, line).off_line(bases[line_no], line.quantity)
        amount = min(amount, bases[line_no])
        if amount:
            amounts[line_no] = amount


def _spread(
    discount: Discount,
    lines: Sequence[int],
    basket: Basket,
    bases: dict[int, int],
    amounts: dict[int, int],
) -> None:
    """Price each price group's benefit on its lines' total, then split it exactly."""
    partitions: dict[int, tuple[SimpleBenefit, list[int]]] = {}
    for line_no in lines:
        benefit = _simple(discount, basket.by_no[line_no])
        partitions.setdefault(id(benefit), (benefit, []))[1].append(line_no)
    for benefit, members in partitions.values():
        total = sum(bases[line_no] for line_no in members)
        off = benefit.off_total(total)
        if off is None:
            _per_line(discount, members, basket, bases, amounts)
        elif total > 0 and off != 0:
            parts = allocate(min(off, total), [bases[line_no] for line_no in members])
            amounts.update((n, part) for n, part in zip(members, parts, strict=True) if part)


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
    return Effect(effect.amounts, after, effect.gifts, effect.gift_line_nos)
