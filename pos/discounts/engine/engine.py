"""Price a receipt: the indexed ``price`` for the till and ``naive_price`` to check it against."""

from __future__ import annotations

from collections.abc import Sequence

from .basket import Basket, build_basket
from .evaluate import Evaluation, scan_targets
from .groups import Outcome
from .index import CompiledRules
from .inputs import LineInput, PricingContext
from .model import Discount, Group, ManualSlot
from .result import PricedLine, Pricing


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
        conditions_of=lambda discount: rules.conditions[discount.id],
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
        conditions_of=Discount.all_conditions,
        has_manual_slot=_has_slot(root),
    )
    return _assemble(basket, evaluation.run(), evaluation)


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
