"""Combination rules: how a group turns its children's outcomes into its own, line by line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from .displaced import Loser, Loss, Lost, Step, Unpriced
from .model import Group, Rule
from .result import AppliedDiscount, DisplacedDiscount, GiftLine


@dataclass(slots=True)
class Outcome:
    """Hold what a node gives: per line its applied records, its displaced log, units, gifts.

    ``amounts`` mirrors ``applied``: a line is present when something applies on it.
    ``displaced`` lists the steps that displaced records, in order (``DisplacedLog``).
    """

    consumed: dict[int, int]
    amounts: dict[int, int] = field(default_factory=dict)
    applied: dict[int, list[AppliedDiscount]] = field(default_factory=dict)
    displaced: list[Step] = field(default_factory=list)
    gifts: list[GiftLine] = field(default_factory=list)

    def add(self, line_no: int, record: AppliedDiscount) -> None:
        """Append an applied record to a line and count its amount."""
        self.applied.setdefault(line_no, []).append(record)
        self.amounts[line_no] = self.amounts.get(line_no, 0) + record.amount_minor


def combine_together(
    group: Group, outcomes: Sequence[Outcome], bases: dict[int, int], consumed: dict[int, int]
) -> Outcome:
    """Join children that all apply (sum, multiply); cap a sum at the line's amount."""
    result = Outcome(consumed)
    applied, amounts = result.applied, result.amounts
    for outcome in outcomes:
        for line_no, records in outcome.applied.items():
            mine = applied.get(line_no)
            if mine is None:
                applied[line_no] = list(records)
                amounts[line_no] = outcome.amounts[line_no]
            else:
                mine += records
                amounts[line_no] += outcome.amounts[line_no]
        result.displaced += outcome.displaced
        result.gifts += outcome.gifts
    if group.rule is Rule.SUM:
        for line_no, amount in list(result.amounts.items()):
            if amount > bases[line_no]:
                _trim(result, line_no, amount - bases[line_no])
    return result


def _trim(result: Outcome, line_no: int, excess: int) -> None:
    # Discounts never take a line below zero: the last discounts in list order give way.
    kept: list[AppliedDiscount] = []
    for record in reversed(result.applied[line_no]):
        cut = min(excess, max(record.amount_minor, 0))
        excess -= cut
        if record.amount_minor - cut != 0:
            kept.append(replace(record, amount_minor=record.amount_minor - cut) if cut else record)
    kept.reverse()
    result.applied[line_no] = kept
    result.amounts[line_no] = sum(record.amount_minor for record in kept)
    if not kept:
        del result.applied[line_no], result.amounts[line_no]


def combine_exclusive(
    group: Group, children: Sequence[tuple[str, Outcome]], consumed: dict[int, int]
) -> Outcome:
    """Let one child win on each line (max, min, priority); record the others as displaced.

    Gift lines to add are not on the receipt yet, so there is no line for them to compete on:
    every child's gift lines are kept.
    """
    winners: dict[int, int] = {}
    for index, (_, outcome) in enumerate(children):
        for line_no, amount in outcome.amounts.items():
            best = winners.get(line_no)
            if best is None or _beats(group.rule, amount, children[best][1].amounts[line_no]):
                winners[line_no] = index
    result = Outcome(consumed)
    for index, (_, outcome) in enumerate(children):
        result.displaced += outcome.displaced
        result.gifts += outcome.gifts
        lost: dict[int, list[DisplacedDiscount]] = {}
        for line_no, records in outcome.applied.items():
            winner = winners[line_no]
            if winner == index:
                result.applied[line_no] = list(records)
                result.amounts[line_no] = outcome.amounts[line_no]
                continue
            by = children[winner][0]
            lost[line_no] = [_displace(record, group, by) for record in records]
        if lost:
            result.displaced.append(lost)
    return result


class FirstFires:
    """Combine a priority group's children as they are evaluated, in list order.

    The first child that fires on a line keeps it (``loss.taken``); every later one is
    displaced there by it.
    """

    def __init__(self, loss: Loss) -> None:
        self.loss = loss
        self.result = Outcome(loss.consumed)
        self.taken = loss.taken
        self.consumed = [loss.consumed]
        self._run: Unpriced | None = None
        # Lines once all taken stay taken: siblings filed under one key share their lines'
        # list, so the answer is kept by the list's id (the entry holds the list, so no other
        # list can take its id meanwhile).
        self.all_taken: dict[int, Sequence[int]] = {}

    def has_taken(self, lines: Sequence[int]) -> bool:
        """Tell whether every one of the lines is taken already (then note it in all_taken)."""
        if id(lines) in self.all_taken:
            return True
        if all(map(self.taken.__contains__, lines)):
            self.all_taken[id(lines)] = lines
            return True
        return False

    def lose(self, loser: Loser) -> None:
        """Record a discount displaced unpriced on its lines, all of them taken."""
        displaced = self.result.displaced
        if displaced and displaced[-1] is self._run:
            self._run.losers.append(loser)
        else:
            self._run = Unpriced(self.loss, [loser])
            displaced.append(self._run)

    def add(self, child_id: str, outcome: Outcome) -> None:
        """Take the lines the child fires on first; the rest of its records are displaced."""
        result, taken = self.result, self.taken
        result.displaced += outcome.displaced
        result.gifts += outcome.gifts
        self.consumed.append(outcome.consumed)
        lost: dict[int, list[AppliedDiscount]] = {}
        for line_no, records in outcome.applied.items():
            if line_no in taken:
                lost[line_no] = records
            else:
                taken[line_no] = child_id
                result.applied[line_no] = records
                result.amounts[line_no] = outcome.amounts[line_no]
        if lost:
            result.displaced.append(Lost(lost, self.loss))

    def outcome(self) -> Outcome:
        """Return the combined outcome, with the units any child consumed."""
        self.result.consumed = union_consumed(self.consumed[0], self.consumed[1:])
        return self.result


def _beats(rule: Rule, amount: int, best: int) -> bool:
    # Ties go to the earlier child: list order is the tie-break everywhere.
    if rule is Rule.MAX:
        return amount > best
    if rule is Rule.MIN:
        return amount < best
    return False  # priority: the first child that fires keeps the line


def _displace(record: AppliedDiscount, group: Group, by: str) -> DisplacedDiscount:
    return DisplacedDiscount(
        record.discount_id,
        record.name,
        record.kind,
        group.id,
        group.name,
        group.rule,
        record.amount_minor,
        by,
    )


def union_consumed(base: dict[int, int], others: Sequence[dict[int, int]]) -> dict[int, int]:
    """Return the units consumed by any of several alternatives (the most per line)."""
    changed = [other for other in others if other is not base]
    if not changed:
        return base
    merged = dict(base)
    for other in changed:
        for line_no, units in other.items():
            if units > merged.get(line_no, 0):
                merged[line_no] = units
    return merged
