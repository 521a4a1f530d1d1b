"""Unit benefits: pick whole units for quantity discounts, cheapest-free sets and gifts.

Units on one line are alike, so a line is handled as a run of units rather than unit by unit:
a line of 1,000 pieces costs no more than a line of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pos.core.money import line_amount, round_minor

from .basket import Basket
from .benefits import HUNDRED, CheapestFree, Gift, QuantityDiscount
from .inputs import LineInput
from .result import GiftLine

Amounts = dict[int, int]


@dataclass(slots=True)
class UnitEffect:
    """Collect a unit benefit's amounts per line, the units it consumed and gifts owed."""

    amounts: dict[int, int] = field(default_factory=dict)
    consumed: dict[int, int] = field(default_factory=dict)
    gifts: list[GiftLine] = field(default_factory=list)
    gift_line_nos: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Run:
    line_no: int
    units: int
    unit_value: Decimal


def units_value(base_minor: int, units: int, quantity: Decimal, percent: Decimal) -> int:
    """Return ``percent`` of the value of ``units`` units of a line worth ``base_minor``."""
    exact = Decimal(base_minor) * units * percent / (quantity * HUNDRED)
    return min(base_minor, round_minor(exact))


def _runs(lines: Sequence[int], basket: Basket, bases: Amounts, used: Amounts) -> list[_Run]:
    runs: list[_Run] = []
    for line_no in lines:
        quantity = basket.by_no[line_no].quantity
        units = int(quantity) - used.get(line_no, 0)
        if units > 0:
            runs.append(_Run(line_no, units, Decimal(bases[line_no]) / quantity))
    return runs


def _sets(runs: list[_Run], set_size: int, cap: int | None) -> int:
    """Return how many full sets the runs hold, at most ``cap`` (the benefit's per-receipt cap)."""
    sets = sum(run.units for run in runs) // set_size
    return sets if cap is None else min(sets, cap)


def _pick(
    runs: list[_Run], set_size: int, sets: int, free_first: int | None
) -> dict[int, tuple[int, int]]:
    """Return per line (units consumed, units discounted) over ``sets`` sets, in ``runs`` order.

    With ``free_first`` the first that many units are the discounted ones; otherwise the last
    unit of every set is. Units past the sets are left for other benefits.
    """
    limit = sets * set_size
    picked: dict[int, tuple[int, int]] = {}
    position = 0
    for run in runs:
        take = min(run.units, limit - position)
        if take <= 0:
            break
        end = position + take
        if free_first is not None:
            free = max(0, min(end, free_first) - position)
        else:
            free = end // set_size - position // set_size
        picked[run.line_no] = (take, free)
        position = end
    return picked


def _priced(
    picked: dict[int, tuple[int, int]], basket: Basket, bases: Amounts, percent: Decimal
) -> UnitEffect:
    effect = UnitEffect()
    for line_no, (take, free) in picked.items():
        effect.consumed[line_no] = take
        if free:
            amount = units_value(bases[line_no], free, basket.by_no[line_no].quantity, percent)
            if amount:
                effect.amounts[line_no] = amount
    return effect


def quantity_discount(
    benefit: QuantityDiscount, lines: Sequence[int], basket: Basket, bases: Amounts, used: Amounts
) -> UnitEffect:
    """Discount every n-th unit, cheapest units first or in line order."""
    runs = _runs(lines, basket, bases, used)
    sets = _sets(runs, benefit.every_nth, benefit.max_per_receipt)
    free_first = None
    if benefit.cheapest_first:
        runs.sort(key=lambda run: run.unit_value)  # stable: ties keep line order
        free_first = sets
    picked = _pick(runs, benefit.every_nth, sets, free_first)
    return _priced(picked, basket, bases, benefit.percent)


def cheapest_free(
    benefit: CheapestFree, lines: Sequence[int], basket: Basket, bases: Amounts, used: Amounts
) -> UnitEffect:
    """Rank units dearest first, cut them into sets and make each set's last unit free."""
    runs = _runs(lines, basket, bases, used)
    runs.sort(key=lambda run: -run.unit_value)
    sets = _sets(runs, benefit.set_size, benefit.max_per_receipt)
    return _priced(_pick(runs, benefit.set_size, sets, None), basket, bases, HUNDRED)


def gift(
    benefit: Gift,
    lines: Sequence[int],
    basket: Basket,
    bases: Amounts,
    used: Amounts,
    owner: tuple[str, str],
) -> UnitEffect:
    """Consume qualifying units, discount gift items on the receipt, and owe the rest."""
    runs = _runs(lines, basket, bases, used)
    gifts_due = _sets(runs, benefit.required_qty, benefit.max_per_receipt)
    if not gifts_due:
        return UnitEffect()
    picked = _pick(runs, benefit.required_qty, gifts_due, 0)
    effect = _priced(picked, basket, bases, HUNDRED)
    taken = {**used}
    for line_no, count in effect.consumed.items():
        taken[line_no] = taken.get(line_no, 0) + count
    for line in _gift_item_lines(benefit.gift_item_id, basket):
        units = min(int(line.quantity) - taken.get(line.line_no, 0), gifts_due)
        if units <= 0:
            continue
        base = bases[line.line_no]
        worth = units_value(base, units, line.quantity, HUNDRED)
        amount = max(0, worth - line_amount(benefit.gift_price_minor, Decimal(units)))
        if not amount and not line.is_gift:
            continue  # already no dearer than the gift: taking it would give nothing, only block
        if amount:
            effect.amounts[line.line_no] = amount
        effect.consumed[line.line_no] = effect.consumed.get(line.line_no, 0) + units
        effect.gift_line_nos.append(line.line_no)
        gifts_due -= units
    if gifts_due:
        effect.gifts.append(
            GiftLine(benefit.gift_item_id, Decimal(gifts_due), benefit.gift_price_minor, *owner)
        )
    return effect


def _gift_item_lines(item_id: int, basket: Basket) -> list[LineInput]:
    # Gift lines the till added earlier take the gift first, so re-pricing is idempotent.
    found = [ln for ln in basket.lines if ln.item_id == item_id and ln.is_discountable]
    return sorted(found, key=lambda ln: not ln.is_gift)
