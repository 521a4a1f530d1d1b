"""The stored tree as the engine sees it, and the per-process cache of compiled rules.

Every worker keeps the compiled rules with the version they were built from; each pricing
reads the version (one indexed row) and recompiles only when another process changed rules.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.core import versions
from pos.core.registry import Caches
from pos.discounts import codec
from pos.discounts import engine as e
from pos.discounts.model import RULES, DiscountGroup, DiscountRow

ROOT_NAME = "All discounts"


def group_key(group_id: int) -> str:
    """Return the engine id of a stored group (discount ids are plain numbers)."""
    return f"g{group_id}"


def build_tree(groups: Iterable[DiscountGroup], discounts: Iterable[DiscountRow]) -> e.Group:
    """Assemble the engine's tree from stored groups and discounts, children in order."""
    by_parent: dict[int | None, list[DiscountGroup]] = defaultdict(list)
    for group in groups:
        by_parent[group.parent_id].append(group)
    rows_by_group: dict[int, list[DiscountRow]] = defaultdict(list)
    for row in discounts:
        rows_by_group[row.group_id].append(row)
    roots = by_parent.get(None, [])
    if not roots:
        return e.Group("root", ROOT_NAME, e.Rule.MAX)

    def node(group: DiscountGroup, seen: frozenset[int]) -> e.Group:
        if group.id in seen:  # a cycle in stored data: cut it here, validation reports it
            return e.Group(group_key(group.id), group.name, e.Rule(group.rule))
        seen = seen | {group.id}
        members: list[tuple[int, int, e.Discount | e.Group | e.ManualSlot]] = []
        members += [(g.position, 0, node(g, seen)) for g in by_parent.get(group.id, [])]
        members += [(r.position, 1, codec.discount(r)) for r in rows_by_group.get(group.id, [])]
        members.sort(key=lambda m: (m[0], m[1]))
        children: list[e.Discount | e.Group | e.ManualSlot] = [m[2] for m in members]
        if group.holds_manual:
            children.append(e.ManualSlot())
        return e.Group(group_key(group.id), group.name, e.Rule(group.rule), tuple(children),
                       group.allow_stacking)

    return node(min(roots, key=lambda g: g.id), frozenset())


def load_tree(session: Session) -> e.Group:
    """Read the whole stored tree."""
    return build_tree(session.scalars(select(DiscountGroup)),
                      session.scalars(select(DiscountRow)))


def load_groups(session: Session) -> e.Group:
    """Read the stored groups as a tree: their nesting and manual slot, not their discounts."""
    return build_tree(session.scalars(select(DiscountGroup)), ())


def rules_version(session: Session) -> str:
    """Return the rules token this session sees ("" before any rule exists)."""
    return versions.token(session, RULES) or ""


class RulesCache:
    """An app's compiled rules in this process, rebuilt when the stored version moves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: str | None = None
        self._rules: e.CompiledRules | None = None

    def get(self, session: Session) -> e.CompiledRules:
        """Return compiled rules no older than the stored version."""
        version = rules_version(session)
        rules = self._rules
        if rules is not None and version == self._version:
            return rules
        with self._lock:
            if self._rules is None or version != self._version:
                self._rules = e.compile_rules(load_tree(session))
                self._version = version
            return self._rules


def active_rules(caches: Caches, session: Session) -> e.CompiledRules:
    """Return the active compiled rules, from the app's cache (rebuilt when they change)."""
    return caches.get(RulesCache).get(session)
