"""The naive evaluator's way of judging conditions: plainly, every condition for every line.

Written apart from ``judge.py`` so the property tests compare two independent readings of
seed 002's scope rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from .basket import Basket, build_basket
from .conditions import Check, Condition, FirstPurchaseFromSegment, ReceiptVolume, SegmentQuantity
from .evaluate import Judge
from .hints import hint_for
from .inputs import LineInput, PricingContext
from .model import Discount, Scope
from .result import Hint

# What a line-scope condition measures on the line alone: what is bought, not the sale's facts.
_MEASURES_WHAT_IS_BOUGHT = (ReceiptVolume, SegmentQuantity, FirstPurchaseFromSegment)


def naive_judge(basket: Basket, context: PricingContext) -> Judge:
    """Judge every condition for every line: on a receipt of that line alone if line scope."""

    def judge(discount: Discount, targets: Sequence[int], hints: list[Hint]) -> Sequence[int]:
        if discount.scope is Scope.DOCUMENT:
            checks = [(c, c.check(basket, context)) for c in discount.all_conditions()]
            return targets if _verdict(discount, checks, None, hints) else []
        kept: list[int] = []
        for line_no in targets:
            line = basket.by_no[line_no]
            checks = [
                (c, _naive_line_check(c, line, basket, context)) for c in discount.all_conditions()
            ]
            if _verdict(discount, checks, line_no, hints):
                kept.append(line_no)
        return kept

    return judge


def _naive_line_check(
    condition: Condition, line: LineInput, basket: Basket, context: PricingContext
) -> Check:
    if not isinstance(condition, _MEASURES_WHAT_IS_BOUGHT):
        return condition.check(basket, context)
    segment = condition.segment
    if segment is not None and segment not in line.segments:
        return Check(False)  # more of this line never adds to another segment
    return condition.check(build_basket([line]), context)


def _verdict(
    discount: Discount,
    checks: list[tuple[Condition, Check]],
    line_no: int | None,
    hints: list[Hint],
) -> bool:
    unmet = [(condition, check) for condition, check in checks if not check.is_met]
    if len(unmet) == 1 and unmet[0][1].is_measurable:
        hints.append(hint_for(discount, *unmet[0], line_no=line_no))
    return not unmet
