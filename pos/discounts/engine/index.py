"""Compile the rule tree once into an index, so a receipt visits only rules that can fire.

A discount is filed under its most selective restriction: its item ids, else its segment,
else its price groups; one with no restriction goes to the "everyone" bucket. Looking a
receipt up is then a few dict reads per line, whatever the number of rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from pos.core.errors import ValidationError

from .basket import Basket
from .benefits import Gift, SimpleBenefit, UnitBenefit
from .conditions import Condition
from .evaluate import NO_DEFERRAL, Deferral
from .inputs import LineInput
from .judge import Judged, split_conditions
from .model import Discount, Group, ManualSlot, Node, Rule
from .validate import Problem, validate_tree

Path = tuple[tuple[str, int], ...]
K = TypeVar("K", int, str)


class RulesError(ValidationError):
    """Raise when a rule tree cannot be compiled; ``problems`` says where and why."""

    code = "rules_invalid"

    def __init__(self, problems: list[Problem]) -> None:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(problem.path or "root", []).append(problem.code)
        super().__init__("; ".join(f"{p.path}: {p.code}" for p in problems), errors=errors)
        self.problems = problems


@dataclass(slots=True)
class Bucket:
    """Hold the discounts filed under one key, split by how a line found there is checked.

    ``shared`` match every line filed under the key and are filed under no other key: they
    all get the one list of those lines. ``exact`` need no check either but are filed under
    several keys (item ids); ``checked`` are checked line by line.
    """

    shared: list[Discount] = field(default_factory=list)
    exact: list[Discount] = field(default_factory=list)
    checked: list[Discount] = field(default_factory=list)


@dataclass(slots=True)
class CompiledRules:
    """Hold the tree with its index; build it with :func:`compile_rules` when rules change."""

    root: Group
    by_item: dict[int, Bucket] = field(default_factory=dict)
    by_segment: dict[str, Bucket] = field(default_factory=dict)
    by_price_group: dict[str, Bucket] = field(default_factory=dict)
    everyone: Bucket = field(default_factory=Bucket)
    paths: dict[str, Path] = field(default_factory=dict)
    conditions: dict[str, tuple[Condition, ...]] = field(default_factory=dict)
    judged: dict[str, Judged] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    slot_path: Path | None = None
    units_read: set[str] = field(default_factory=set)
    """Ids of the groups whose consumed units a unit benefit evaluated later may read."""
    deferral: Deferral = NO_DEFERRAL

    def lookup(self, basket: Basket) -> dict[str, list[int]]:
        """Return each candidate discount's target lines, in line order.

        Discounts sharing a key and matching all its lines share one list: do not mutate it.
        """
        hits: dict[str, list[int]] = {}
        shared: dict[int, tuple[Bucket, list[int]]] = {}
        for line in basket.lines:
            if not line.is_discountable or line.is_gift:
                continue
            for bucket in self._buckets(line):
                if bucket.shared:
                    if (entry := shared.get(id(bucket))) is None:
                        shared[id(bucket)] = (bucket, [line.line_no])
                    else:
                        entry[1].append(line.line_no)
                for discount in bucket.exact:
                    hits.setdefault(discount.id, []).append(line.line_no)
                for discount in bucket.checked:
                    if discount.matches(line):
                        hits.setdefault(discount.id, []).append(line.line_no)
        for bucket, lines in shared.values():
            hits.update((discount.id, lines) for discount in bucket.shared)
        return hits

    def _buckets(self, line: LineInput) -> list[Bucket]:
        buckets = [self.everyone]
        if (bucket := self.by_item.get(line.item_id)) is not None:
            buckets.append(bucket)
        for segment in line.segments:
            if (bucket := self.by_segment.get(segment)) is not None:
                buckets.append(bucket)
        if line.price_group is not None and (
            (bucket := self.by_price_group.get(line.price_group)) is not None
        ):
            buckets.append(bucket)
        return buckets

    def children(self, hits: dict[str, list[int]], has_manual: bool) -> dict[str, list[Node]]:
        """Return, per group on a path to a candidate, its children worth visiting in order."""
        marked: dict[str, set[int]] = {}
        for discount_id in hits:
            path = self.paths[discount_id]
            group_id, index = path[-1]
            if (indexes := marked.get(group_id)) is not None:
                indexes.add(index)  # its group's own path is marked already
            else:
                marked[group_id] = {index}
                _mark(path[:-1], marked)
        if has_manual and self.slot_path is not None:
            _mark(self.slot_path, marked)
        return {group_id: self._visited(group_id, indexes) for group_id, indexes in marked.items()}

    def _visited(self, group_id: str, indexes: set[int]) -> list[Node]:
        children = self.groups[group_id].children
        if len(indexes) == len(children):  # dense receipts find every child
            return list(children)
        return [children[i] for i in sorted(indexes)]


def _mark(path: Path, marked: dict[str, set[int]]) -> None:
    """Mark the steps of a path to visit; every group marked has its own path marked."""
    # Deepest first: a step marked already had every step above it marked with it.
    for group_id, index in reversed(path):
        indexes = marked.setdefault(group_id, set())
        if index in indexes:
            break
        indexes.add(index)


def compile_rules(root: Group) -> CompiledRules:
    """Validate the tree and index its active discounts by item, segment and price group."""
    problems = validate_tree(root)
    if problems:
        raise RulesError(problems)
    rules = CompiledRules(root)
    _walk(root, (), rules)
    _mark_units_read(root, False, rules)
    rules.deferral = _deferral(rules)
    return rules


def _walk(group: Group, path: Path, rules: CompiledRules) -> None:
    rules.groups[group.id] = group
    for index, child in enumerate(group.children):
        here = (*path, (group.id, index))
        if isinstance(child, Group):
            _walk(child, here, rules)
        elif isinstance(child, ManualSlot):
            rules.slot_path = here
        elif child.is_active:
            rules.paths[child.id] = here
            rules.conditions[child.id] = child.all_conditions()
            rules.judged[child.id] = split_conditions(child)
            _file(child, rules)


def _mark_units_read(group: Group, is_read: bool, rules: CompiledRules) -> None:
    """Mark the groups whose consumed units reach a unit benefit evaluated after them.

    A child's units go on to the next children of a group that threads them (sum or multiply
    without stacking), and in any case into the group's own, which its parent passes on.
    """
    if is_read:
        rules.units_read.add(group.id)
    threads = group.rule in (Rule.SUM, Rule.MULTIPLY) and not group.allow_stacking
    units_after = False
    for child in reversed(group.children):
        if isinstance(child, Group):
            _mark_units_read(child, is_read or (threads and units_after), rules)
        units_after = units_after or _reads_units(child)


def _deferral(rules: CompiledRules) -> Deferral:
    """Say which discounts may wait as sure losers of their priority group, and which hint.

    One may wait unless it gives gifts (its gift lines are part of the pricing), or consumes
    units a later unit benefit may read (then only a simple benefit, which consumes none).
    """
    waiting: set[str] = set()
    for group in rules.groups.values():
        if group.rule is not Rule.PRIORITY:
            continue
        units_read = group.id in rules.units_read
        for child in group.children:
            if not isinstance(child, Discount) or child.id not in rules.judged:
                continue
            benefit = child.benefit
            if isinstance(benefit, SimpleBenefit) or not (units_read or isinstance(benefit, Gift)):
                waiting.add(child.id)
    hinting = {discount_id for discount_id, judged in rules.judged.items() if judged.may_hint}
    return Deferral(frozenset(waiting), frozenset(hinting))


def _reads_units(node: Node) -> bool:
    if isinstance(node, Group):
        return any(_reads_units(child) for child in node.children)
    return isinstance(node, Discount) and isinstance(node.benefit, UnitBenefit)


def _file(discount: Discount, rules: CompiledRules) -> None:
    segment = discount.qualifying_segment
    if discount.item_ids:
        keys: list[Bucket] = [_bucket(rules.by_item, key) for key in sorted(discount.item_ids)]
    elif segment is not None:
        keys = [_bucket(rules.by_segment, segment)]
    elif discount.price_groups:
        keys = [_bucket(rules.by_price_group, key) for key in sorted(discount.price_groups)]
    else:
        keys = [rules.everyone]
    for bucket in keys:
        if not _is_filed_exactly(discount):
            bucket.checked.append(discount)
        elif len(keys) == 1:
            bucket.shared.append(discount)
        else:
            bucket.exact.append(discount)


def _is_filed_exactly(discount: Discount) -> bool:
    """Tell whether every line looked up under the discount's key matches it, unchecked."""
    keys = [bool(discount.item_ids), discount.qualifying_segment is not None]
    keys.append(bool(discount.price_groups))
    benefit_segment = getattr(discount.benefit, "segment", None)
    narrowed = benefit_segment not in (None, discount.qualifying_segment)
    return sum(keys) <= 1 and not discount.line_nos and not narrowed


def _bucket(index: dict[K, Bucket], key: K) -> Bucket:
    bucket = index.get(key)
    if bucket is None:
        bucket = index[key] = Bucket()
    return bucket
