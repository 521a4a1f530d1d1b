"""Judge a discount's conditions on the receipt, or line by line under line scope (seed 002).

Under document scope every condition is judged on the receipt and the discount goes to all its
lines. Under line scope the conditions that measure what is bought (volume, quantity, a trial
segment) are judged on each line's own amount and quantity, and the discount goes only to the
lines that meet them; the facts about the sale (time, payment, card, cashier, store, buyer)
hold or fail for every line alike. Hints follow: under line scope a hint is about a line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .basket import Basket
from .conditions import Check, Condition, LineCondition, is_judged_per_line
from .hints import hint_for
from .inputs import PricingContext
from .model import Discount, Scope
from .result import Hint


@dataclass(frozen=True, slots=True)
class Judged:
    """Hold a discount's conditions split into those judged on the receipt and per line.

    ``may_hint`` tells whether judging may give a hint: only a condition that measures what
    is bought can fall short by an amount or a quantity.
    """

    on_receipt: tuple[Condition, ...]
    per_line: tuple[LineCondition, ...]
    may_hint: bool


def split_conditions(discount: Discount) -> Judged:
    """Split a discount's conditions by where its scope has them judged."""
    conditions = discount.all_conditions()
    may_hint = any(is_judged_per_line(condition) for condition in conditions)
    if discount.scope is Scope.DOCUMENT:
        return Judged(conditions, (), may_hint)
    per_line: list[LineCondition] = []
    on_receipt: list[Condition] = []
    for condition in conditions:
        if is_judged_per_line(condition):
            per_line.append(condition)  # type: ignore[arg-type]
        else:
            on_receipt.append(condition)
    return Judged(tuple(on_receipt), tuple(per_line), may_hint)


def qualifying_lines(
    discount: Discount,
    judged: Judged,
    targets: Sequence[int],
    basket: Basket,
    context: PricingContext,
    hints: list[Hint],
) -> Sequence[int]:
    """Return the target lines the discount goes to; add hints for what nearly qualifies."""
    missing: tuple[Condition, Check] | None = None
    for condition in judged.on_receipt:
        check = condition.check(basket, context)
        if check.is_met:
            continue
        # Under line scope only the per-line conditions are measurable: the rest gate.
        if missing is not None or not check.is_measurable or judged.per_line:
            return ()
        missing = (condition, check)
    if missing is not None:
        hints.append(hint_for(discount, *missing))
        return ()
    if not judged.per_line:
        return targets
    return _per_line(discount, judged.per_line, targets, basket, context, hints)


def _per_line(
    discount: Discount,
    conditions: tuple[LineCondition, ...],
    targets: Sequence[int],
    basket: Basket,
    context: PricingContext,
    hints: list[Hint],
) -> list[int]:
    kept: list[int] = []
    for line_no in targets:
        line, amount = basket.by_no[line_no], basket.base[line_no]
        missing: tuple[Condition, Check] | None = None
        for condition in conditions:
            check = condition.check_line(line, amount, context)
            if check.is_met:
                continue
            if missing is not None or not check.is_measurable:
                break
            missing = (condition, check)
        else:
            if missing is None:
                kept.append(line_no)
            else:
                hints.append(hint_for(discount, *missing, line_no=line_no))
    return kept
