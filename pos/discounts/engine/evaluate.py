"""Walk the rule tree for one receipt: leaves apply, groups combine, hints are collected.

Both evaluators share this walk; they differ in which children a group shows, how a
discount's target lines are found (an index, or a scan of every line) and how its conditions
are judged (split once at compile time, or the plain way line by line).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .apply import apply_discount
from .basket import Basket
from .benefits import AmountOff, Gift, Per, PercentOff
from .groups import Outcome, combine_exclusive, combine_together, union_consumed
from .inputs import ManualDiscount, PricingContext
from .model import Discount, Group, Kind, ManualSlot, Node, Rule, Scope
from .result import AppliedDiscount, Hint

ChildrenOf = Callable[[Group], Sequence[Node]]
TargetsOf = Callable[[Discount], Sequence[int]]
Judge = Callable[[Discount, Sequence[int], list[Hint]], Sequence[int]]
"""Return the target lines a discount goes to, adding hints for what nearly qualifies."""
Amounts = dict[int, int]  # line number -> minor units (or units consumed)

_TOGETHER = (Rule.SUM, Rule.MULTIPLY)


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

    def run(self) -> Outcome:
        """Evaluate the whole tree on the lines' base amounts."""
        return self.group(self.root, dict(self.basket.base), {})

    def group(self, group: Group, bases: Amounts, consumed: Amounts) -> Outcome:
        """Evaluate a group's children in list order and combine them by its rule."""
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

    def _children(self, group: Group) -> list[Discount | Group]:
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
        return self.leaf(node, parent, bases, consumed)

    def leaf(self, discount: Discount, parent: Group, bases: Amounts, consumed: Amounts) -> Outcome:
        """Apply a discount to the lines it may touch whose conditions hold."""
        # A cashier's discount has no conditions, and its id may be anything the till chose.
        targets = self.manual_targets.get(id(discount))
        is_manual = targets is not None
        if targets is None:
            targets = self.targets_of(discount)
        if self.gift_lines:
            targets = self._open_to(discount, targets)
        if targets and not is_manual:
            targets = self.judge(discount, targets, self.hints)
        if not targets:
            return Outcome(consumed)
        effect = apply_discount(discount, targets, self.basket, bases, consumed)
        self.gift_line_nos.update(effect.gift_line_nos)
        outcome = Outcome(effect.consumed, gifts=effect.gifts)
        for line_no, amount in effect.amounts.items():
            outcome.add(line_no, _applied(discount, parent, amount))
        return outcome

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


def _applied(discount: Discount, parent: Group, amount: int) -> AppliedDiscount:
    return AppliedDiscount(
        discount.id, discount.name, discount.kind, parent.id, parent.name, parent.rule, amount
    )
