"""Price a receipt: the indexed ``price`` for the till and ``naive_price`` to check it against."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .allowances import take_allowances
from .basket import Basket, build_basket
from .displaced import DisplacedLog, Displacements
from .evaluate import Evaluation, scan_targets
from .groups import Outcome
from .index import CompiledRules
from .inputs import LineInput, PricingContext
from .judge import qualifying_lines
from .model import Discount, Group, ManualSlot
from .naive import naive_judge
from .result import PricedLine, Pricing


def price(lines: Sequence[LineInput], rules: CompiledRules, context: PricingContext) -> Pricing:
    """Price the lines, visiting only the rules the index finds for them."""
    basket = build_basket(lines)
    hits = rules.lookup(basket)
    children = rules.children(hits, bool(context.manual_discounts))

    def evaluation(gift_lines: frozenset[int]) -> Evaluation:
        return Evaluation(
            rules.root,
            basket,
            context,
            children_of=lambda group: children.get(group.id, ()),
            targets_of=lambda discount: hits.get(discount.id, ()),
            judge=lambda discount, targets, hints: qualifying_lines(
                discount, rules.judged[discount.id], targets, basket, context, hints
            ),
            has_manual_slot=rules.slot_path is not None,
            gift_lines=gift_lines,
            deferral=rules.deferral,
        )

    return _assemble(basket, *_settle(evaluation))


def naive_price(lines: Sequence[LineInput], root: Group, context: PricingContext) -> Pricing:
    """Price the lines by visiting every rule for every line; the reference for ``price``."""
    basket = build_basket(lines)
    scan = scan_targets(basket)

    def targets_of(discount: Discount) -> Sequence[int]:
        return scan(discount) if discount.is_active else []

    def evaluation(gift_lines: frozenset[int]) -> Evaluation:
        return Evaluation(
            root,
            basket,
            context,
            children_of=lambda group: group.children,
            targets_of=targets_of,
            judge=naive_judge(basket, context),
            has_manual_slot=_has_slot(root),
            gift_lines=gift_lines,
        )

    return _assemble(basket, *_settle(evaluation))


def _settle(evaluation: Callable[[frozenset[int]], Evaluation]) -> tuple[Outcome, Evaluation]:
    """Run the tree; while gifts turn up on lines still open to others, close them and rerun.

    A scanned gift item is a gift line once a gift benefit gives it away: a markup or another
    discount must not land on it, and no displacement may take the gift away. The closed set
    only grows, so this ends; receipts without a gift item on them run once.
    """
    gift_lines: frozenset[int] = frozenset()
    while True:
        run = evaluation(gift_lines)
        outcome = run.run()
        found = run.gift_line_nos - gift_lines
        if not found:
            return outcome, run
        gift_lines |= found


def _has_slot(group: Group) -> bool:
    return any(
        isinstance(child, ManualSlot) or (isinstance(child, Group) and _has_slot(child))
        for child in group.children
    )


def _assemble(basket: Basket, outcome: Outcome, evaluation: Evaluation) -> Pricing:
    priced = []
    log = DisplacedLog(outcome.displaced, evaluation.as_priced) if outcome.displaced else None
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
                () if log is None else Displacements(log, line.line_no),
            )
        )
    gifted = frozenset(evaluation.gift_line_nos)
    allowances = evaluation.context.allowances
    lines = take_allowances(priced, basket, allowances, gifted) if allowances else tuple(priced)
    return Pricing(lines, tuple(outcome.gifts), tuple(evaluation.hints), gifted)
