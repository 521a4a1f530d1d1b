"""Compile the rule tree once into an index, so a receipt visits only rules that can fire.

A discount is filed under its most selective restriction: its item ids, else its segment,
else its price groups; one with no restriction goes to the "everyone" bucket. Looking a
receipt up is then a few dict reads per line, whatever the number of rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from pos.core.errors import ValidationError

from .basket import Basket
from .benefits import UnitBenefit
from .conditions import Condition
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
class CompiledRules:
    """Hold the tree with its index; build it with :func:`compile_rules` when rules change."""

    root: Group
    by_item: dict[int, list[Discount]] = field(default_factory=dict)
    by_segment: dict[str, list[Discount]] = field(default_factory=dict)
    by_price_group: dict[str, list[Discount]] = field(default_factory=dict)
    everyone: list[Discount] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)
    conditions: dict[str, tuple[Condition, ...]] = field(default_factory=dict)
    judged: dict[str, Judged] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    slot_path: Path | None = None
    filed_exactly: set[str] = field(default_factory=set)
    """Ids of the discounts that match every line filed under their key: no check needed."""
    units_read: set[str] = field(default_factory=set)
    """Ids of the groups whose consumed units a unit benefit evaluated later may read."""

    def lookup(self, basket: Basket) -> dict[str, list[int]]:
        """Return each candidate discount's target lines, in line order."""
        hits: dict[str, list[int]] = {}
        for line in basket.lines:
            if not line.is_discountable or line.is_gift:
                continue
            buckets = [self.everyone, self.by_item.get(line.item_id, ())]
            buckets += [self.by_segment.get(segment, ()) for segment in line.segments]
            if line.price_group is not None:
                buckets.append(self.by_price_group.get(line.price_group, ()))
            for bucket in buckets:
                for discount in bucket:
                    if discount.id in self.filed_exactly or discount.matches(line):
                        hits.setdefault(discount.id, []).append(line.line_no)
        return hits

    def children(self, hits: dict[str, list[int]], has_manual: bool) -> dict[str, list[Node]]:
        """Return, per group on a path to a candidate, its children worth visiting in order."""
        marked: dict[str, set[int]] = {}
        paths = [self.paths[discount_id] for discount_id in hits]
        if has_manual and self.slot_path is not None:
            paths.append(self.slot_path)
        for path in paths:
            for group_id, index in path:
                marked.setdefault(group_id, set()).add(index)
        return {
            group_id: [self.groups[group_id].children[i] for i in sorted(indexes)]
            for group_id, indexes in marked.items()
        }


def compile_rules(root: Group) -> CompiledRules:
    """Validate the tree and index its active discounts by item, segment and price group."""
    problems = validate_tree(root)
    if problems:
        raise RulesError(problems)
    rules = CompiledRules(root)
    _walk(root, (), rules)
    _mark_units_read(root, False, rules)
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


def _reads_units(node: Node) -> bool:
    if isinstance(node, Group):
        return any(_reads_units(child) for child in node.children)
    return isinstance(node, Discount) and isinstance(node.benefit, UnitBenefit)


def _file(discount: Discount, rules: CompiledRules) -> None:
    segment = discount.qualifying_segment
    if discount.item_ids:
        _put_all(rules.by_item, sorted(discount.item_ids), discount)
    elif segment is not None:
        rules.by_segment.setdefault(segment, []).append(discount)
    elif discount.price_groups:
        _put_all(rules.by_price_group, sorted(discount.price_groups), discount)
    else:
        rules.everyone.append(discount)
    if _is_filed_exactly(discount):
        rules.filed_exactly.add(discount.id)


def _is_filed_exactly(discount: Discount) -> bool:
    """Tell whether every line looked up under the discount's key matches it, unchecked."""
    keys = [bool(discount.item_ids), discount.qualifying_segment is not None]
    keys.append(bool(discount.price_groups))
    benefit_segment = getattr(discount.benefit, "segment", None)
    narrowed = benefit_segment not in (None, discount.qualifying_segment)
    return sum(keys) <= 1 and not discount.line_nos and not narrowed


def _put_all(index: dict[K, list[Discount]], keys: Sequence[K], discount: Discount) -> None:
    for key in keys:
        index.setdefault(key, []).append(discount)
