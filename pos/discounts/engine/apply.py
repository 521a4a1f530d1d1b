"""Apply one discount's benefit to its lines, on the amounts left for them by earlier steps."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from pos.core.money import allocate

from . import units
from .basket import Basket
from .benefits import CheapestFree, Gift, QuantityDiscount, SimpleBenefit
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
    if isinstance(benefit, _UNIT_BENEFITS):
        return _apply_units(discount, benefit, lines, basket, bases, consumed)
    amounts: dict[int, int] = {}
    price = _spread if discount.spreads_total else _per_line
    if not discount.by_price_group:
        price(benefit, lines, basket, bases, amounts)
        return Effect(amounts, consumed)
    for simple, members in _by_benefit(discount, lines, basket):
        price(simple, members, basket, bases, amounts)
    return Effect(amounts, consumed)


_UNIT_BENEFITS = (QuantityDiscount, CheapestFree, Gift)


def _by_benefit(
    discount: Discount, lines: Sequence[int], basket: Basket
) -> Iterable[tuple[SimpleBenefit, Sequence[int]]]:
    """Return the lines by the benefit they get: refined for their price group, else the same."""
    # validate_tree refuses unit benefits as refinements, so a simple discount stays simple.
    partitions: dict[int, tuple[SimpleBenefit, list[int]]] = {}
    for line_no in lines:
        benefit = cast(SimpleBenefit, discount.benefit_for(basket.by_no[line_no]))
        partitions.setdefault(id(benefit), (benefit, []))[1].append(line_no)
    return partitions.values()


def _per_line(
    benefit: SimpleBenefit,
    lines: Sequence[int],
    basket: Basket,
    bases: dict[int, int],
    amounts: dict[int, int],
) -> None:
    off_line, by_no = benefit.off_line, basket.by_no
    for line_no in lines:
        base = bases[line_no]
        amount = min(off_line(base, by_no[line_no].quantity), base)
        if amount:
            amounts[line_no] = amount


def _spread(
    benefit: SimpleBenefit,
    lines: Sequence[int],
    basket: Basket,
    bases: dict[int, int],
    amounts: dict[int, int],
) -> None:
    """Price the benefit on the lines' total, then split it exactly (per line if no total)."""
    total = sum(bases[line_no] for line_no in lines)
    off = benefit.off_total(total)
    if off is None:
        _per_line(benefit, lines, basket, bases, amounts)
    elif total > 0 and off != 0:
        if len(lines) == 1:  # what one line of a positive total is given needs no split
            amounts[lines[0]] = min(off, total)
            return
        parts = allocate(min(off, total), [bases[line_no] for line_no in lines])
        amounts.update((n, part) for n, part in zip(lines, parts, strict=True) if part)


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
