"""Price a receipt: the indexed ``price`` for the till and ``naive_price`` to check it against."""

from __future__ import annotations

from collections.abc import Sequence

from .basket import Basket, build_basket
from .conditions import Check, Condition, FirstPurchaseFromSegment, ReceiptVolume, SegmentQuantity
from .evaluate import Evaluation, Judge, scan_targets
from .groups import Outcome
from .hints import hint_for
from .index import CompiledRules
from .inputs import LineInput, PricingContext
from .judge import qualifying_lines
from .model import Discount, Group, ManualSlot, Scope
from .result import Hint, PricedLine, Pricing


def price(lines: Sequence[LineInput], rules: CompiledRules, context: PricingContext) -> Pricing:
    """Price the lines, visiting only the rules the index finds for them."""
    basket = build_basket(lines)
    hits = rules.lookup(basket)
    children = rules.children(hits, bool(context.manual_discounts))
    evaluation = Evaluation(
        rules.root,
        basket,
        context,
        children_of=lambda group: children.get(group.id, ()),
        targets_of=lambda discount: hits.get(discount.id, ()),
        judge=lambda discount, targets, hints: qualifying_lines(
            discount, rules.judged[discount.id], targets, basket, context, hints
        ),
        has_manual_slot=rules.slot_path is not None,
    )
    return _assemble(basket, evaluation.run(), evaluation)


def naive_price(lines: Sequence[LineInput], root: Group, context: PricingContext) -> Pricing:
    """Price the lines by visiting every rule for every line; the reference for ``price``."""
    basket = build_basket(lines)
    scan = scan_targets(basket)

    def targets_of(discount: Discount) -> Sequence[int]:
        return scan(discount) if discount.is_active else []

    evaluation = Evaluation(
        root,
        basket,
        context,
        children_of=lambda group: group.children,
        targets_of=targets_of,
        judge=_naive_judge(basket, context),
        has_manual_slot=_has_slot(root),
    )
    return _assemble(basket, evaluation.run(), evaluation)


# What a line-scope condition measures on the line alone: what is bought, not the sale's facts.
_MEASURES_WHAT_IS_BOUGHT = (ReceiptVolume, SegmentQuantity, FirstPurchaseFromSegment)


def _naive_judge(basket: Basket, context: PricingContext) -> Judge:
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


def _has_slot(group: Group) -> bool:
    return any(
        isinstance(child, ManualSlot) or (isinstance(child, Group) and _has_slot(child))
        for child in group.children
    )


def _assemble(basket: Basket, outcome: Outcome, evaluation: Evaluation) -> Pricing:
    priced = []
    for line in basket.lines:
        base = basket.base[line.line_no]
        discount = outcome.amounts.get(line.line_no, 0)
        priced.append(
            PricedLine(
                line.line_no,
                base,
                discount,
                base - discount,
                tuple(outcome.applied.get(line.line_no, ())),
                tuple(outcome.displaced.get(line.line_no, ())),
            )
        )
    return Pricing(tuple(priced), tuple(outcome.gifts), tuple(evaluation.hints))
