"""Walk the rule tree for one receipt: leaves apply, groups combine, hints are collected.

Both evaluators share this walk; they differ in which children a group shows, how a
discount's target lines are found (an index, or a scan of every line), how its conditions
are judged (split once at compile time, or the plain way line by line) and whether a priority
group's sure losers wait to be priced (``Deferral``; the naive evaluator prices every one).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from .apply import apply_discount
from .basket import Basket
from .benefits import AmountOff, Gift, Per, PercentOff
from .displaced import Loser, Loss
from .groups import FirstFires, Outcome, combine_exclusive, combine_together, union_consumed
from .inputs import ManualDiscount, PricingContext
from .model import Discount, Group, Kind, ManualSlot, Node, Rule, Scope
from .result import AppliedDiscount, Hint

ChildrenOf = Callable[[Group], Sequence[Node]]
TargetsOf = Callable[[Discount], Sequence[int]]
Judge = Callable[[Discount, Sequence[int], list[Hint]], Sequence[int]]
"""Return the target lines a discount goes to, adding hints for what nearly qualifies."""
Amounts = dict[int, int]  # line number -> minor units (or units consumed)

_TOGETHER = (Rule.SUM, Rule.MULTIPLY)


@dataclass(frozen=True, slots=True)
class Deferral:
    """Let a priority group's sure losers wait: judged now only if they may hint, priced later.

    A sure loser is a discount whose candidate lines were all taken by earlier children. It
    waits unless it gives gifts, or consumes units that a later unit benefit may read; both
    are known when the rules are compiled (``waiting_ids``, see ``index.py``).
    """

    waiting_ids: frozenset[str]
    """Ids of the discounts that may wait when they are sure losers of their priority group."""
    hinting_ids: frozenset[str]
    """Ids of the discounts whose judging may add a hint (then a waiting one is judged now)."""


NO_DEFERRAL = Deferral(frozenset(), frozenset())
"""Price every sure loser at once (the naive evaluator's way)."""


def manual_as_discount(manual: ManualDiscount) -> Discount:
    """Turn a cashier's manual discount into a discount on its line or on the whole receipt."""
    per = Per.LINE if manual.line_no is not None else Per.DOCUMENT
    if manual.percent is not None:
        benefit: PercentOff | AmountOff = PercentOff(manual.percent)
    else:
        benefit = AmountOff(manual.amount_minor or 0, per)
    return Discount(
        id=manual.id,
        name=manual.reason or "Manual discount",
        benefit=benefit,
        kind=Kind.MANUAL,
        scope=Scope.LINE if manual.line_no is not None else Scope.DOCUMENT,
        line_nos=frozenset() if manual.line_no is None else frozenset({manual.line_no}),
    )


class Evaluation:
    """Price one receipt against one tree; create one per call of ``price``.

    ``gift_lines`` are lines found to hold gifts: only gift benefits touch them. The lines a
    gift benefit gives away during the run are collected in ``gift_line_nos``.
    """

    def __init__(
        self,
        root: Group,
        basket: Basket,
        context: PricingContext,
        children_of: ChildrenOf,
        targets_of: TargetsOf,
        judge: Judge,
        has_manual_slot: bool,
        gift_lines: frozenset[int] = frozenset(),
        deferral: Deferral = NO_DEFERRAL,
    ) -> None:
        self.root = root
        self.basket = basket
        self.context = context
        self.children_of = children_of
        self.targets_of = targets_of
        self.judge = judge
        self.hints: list[Hint] = []
        self.gift_lines = gift_lines
        self.gift_line_nos: set[int] = set()
        self.manual = [manual_as_discount(m) for m in context.manual_discounts]
        scan = scan_targets(basket)
        self.manual_targets = {id(d): scan(d) for d in self.manual}
        self.manual_at_root = bool(self.manual) and not has_manual_slot
        # No cashier's discount and no gift line: a discount's candidates are its targets.
        self.is_plain = not self.manual and not gift_lines
        self.deferral = deferral
        self.snapshot = contextvars.copy_context()

    def run(self) -> Outcome:
        """Evaluate the whole tree on the lines' base amounts."""
        return self.group(self.root, dict(self.basket.base), {})

    def group(self, group: Group, bases: Amounts, consumed: Amounts) -> Outcome:
        """Evaluate a group's children in list order and combine them by its rule."""
        if group.rule is Rule.PRIORITY:
            return self._first_fires(group, bases, consumed)
        threads = group.rule in _TOGETHER and not group.allow_stacking
        current, used = bases, consumed
        children: list[tuple[str, Outcome]] = []
        for node in self._children(group):
            outcome = self._node(node, group, current, used if threads else consumed)
            children.append((node.id, outcome))
            used = outcome.consumed if threads else used
            if group.rule is Rule.MULTIPLY and outcome.amounts:
                current = _less(current, outcome.amounts)
        if not threads:
            used = union_consumed(consumed, [outcome.consumed for _, outcome in children])
        active = [outcome for _, outcome in children if outcome.applied or outcome.displaced]
        if len(active) <= 1 and not any(outcome.gifts for _, outcome in children):
            # One child with anything to say wins every line it touches and fits its bases,
            # whatever the rule: hand its records up instead of copying them at every level.
            return _passed_up(active[0], used) if active else Outcome(used)
        if group.rule in _TOGETHER:
            return combine_together(group, [outcome for _, outcome in children], bases, used)
        return combine_exclusive(group, children, used)

    def _first_fires(self, group: Group, bases: Amounts, consumed: Amounts) -> Outcome:
        """Evaluate a priority group, giving each line to the first child that fires on it.

        A dense receipt meets hundreds of sure losers here: they cost a look-up each.
        """
        combined = FirstFires(Loss(group, bases, consumed, {}, self._loser_amounts))
        waiting, hinting = self.deferral.waiting_ids, self.deferral.hinting_ids
        targets_of = self.targets_of if self.is_plain else self._candidates
        all_taken = combined.all_taken
        for node in self._children(group):
            if isinstance(node, Group):
                combined.add(node.id, self.group(node, bases, consumed))
                continue
            lines = targets_of(node)
            if not lines:
                continue
            if node.id in waiting and (id(lines) in all_taken or combined.has_taken(lines)):
                if node.id in hinting or id(node) in self.manual_targets:
                    combined.lose((node, self._judged(node, lines, self.hints), True))
                else:
                    combined.lose((node, lines, False))
                continue
            lines = self._judged(node, lines, self.hints)
            if lines:
                combined.add(node.id, self._priced(node, group, lines, bases, consumed))
        return combined.outcome()

    def _children(self, group: Group) -> list[Discount | Group]:
        if not self.manual:  # a manual slot stands for no discount
            return [node for node in self.children_of(group) if not isinstance(node, ManualSlot)]
        nodes: list[Discount | Group] = []
        for node in self.children_of(group):
            if isinstance(node, ManualSlot):
                nodes += self.manual
            else:
                nodes.append(node)
        if self.manual_at_root and group is self.root:
            nodes += self.manual
        return nodes

    def _node(
        self, node: Discount | Group, parent: Group, bases: Amounts, consumed: Amounts
    ) -> Outcome:
        if isinstance(node, Group):
            return self.group(node, bases, consumed)
        lines = self._judged(node, self._candidates(node), self.hints)
        if not lines:
            return Outcome(consumed)
        return self._priced(node, parent, lines, bases, consumed)

    def _candidates(self, discount: Discount) -> Sequence[int]:
        """Return the lines the discount may touch, before its conditions are judged."""
        lines = self.manual_targets.get(id(discount))
        if lines is None:
            lines = self.targets_of(discount)
        return self._open_to(discount, lines) if self.gift_lines else lines

    def _judged(self, discount: Discount, lines: Sequence[int], hints: list[Hint]) -> Sequence[int]:
        """Return the lines whose conditions hold, adding hints for what nearly qualifies."""
        # A cashier's discount has no conditions, and its id may be anything the till chose.
        if not lines or id(discount) in self.manual_targets:
            return lines
        return self.judge(discount, lines, hints)

    def _priced(
        self,
        discount: Discount,
        parent: Group,
        lines: Sequence[int],
        bases: Amounts,
        consumed: Amounts,
    ) -> Outcome:
        effect = apply_discount(discount, lines, self.basket, bases, consumed)
        if effect.gift_line_nos:
            self.gift_line_nos.update(effect.gift_line_nos)
        outcome = Outcome(effect.consumed, effect.amounts, gifts=effect.gifts)
        applied, record = outcome.applied, _applied(discount, parent)
        for line_no, amount in effect.amounts.items():
            applied[line_no] = [record(amount)]
        return outcome

    def as_priced(self, call: Callable[[], None]) -> None:
        """Call ``call`` judging and rounding as this pricing did, perhaps after the request."""
        # A copy each time, since two threads cannot run in one context object at once.
        self.snapshot.copy().run(call)

    def _loser_amounts(self, loss: Loss, loser: Loser) -> Amounts:
        """Return what a sure loser would have given per line."""
        discount, lines, is_judged = loser
        lines = lines if is_judged else self.judge(discount, lines, [])
        if not lines:
            return {}
        return apply_discount(discount, lines, self.basket, loss.bases, loss.consumed).amounts

    def _open_to(self, discount: Discount, targets: Sequence[int]) -> Sequence[int]:
        """Drop the gift lines from a non-gift discount's targets."""
        if isinstance(discount.benefit, Gift):
            return targets
        return [line_no for line_no in targets if line_no not in self.gift_lines]


def scan_targets(basket: Basket) -> TargetsOf:
    """Return a target finder that tries every line (the naive evaluator's way)."""
    return lambda discount: [ln.line_no for ln in basket.lines if discount.matches(ln)]


def _passed_up(outcome: Outcome, consumed: Amounts) -> Outcome:
    outcome.consumed = consumed
    return outcome


def _less(bases: Amounts, amounts: Amounts) -> Amounts:
    left = dict(bases)
    for line_no, amount in amounts.items():
        left[line_no] -= amount
    return left


def _applied(discount: Discount, parent: Group) -> Callable[[int], AppliedDiscount]:
    """Return a maker of the discount's applied records, given the amount on a line."""
    return partial(
        AppliedDiscount,
        discount.id,
        discount.name,
        discount.kind,
        parent.id,
        parent.name,
        parent.rule,
    )
