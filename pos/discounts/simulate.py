"""Price a basket or a stored receipt under a draft rule set, without activating it.

The draft is the stored tree with some discounts added or replaced and some switched off; it
is built from unsaved rows of the real tables, compiled (and so validated) in memory only.
Both prices come back, with the difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.core.context import Context
from pos.core.errors import NotFoundError, ValidationError
from pos.discounts.engine import CompiledRules, Pricing, compile_rules
from pos.discounts.model import DiscountGroup, DiscountRow
from pos.discounts.references import check_references
from pos.discounts.service import storable
from pos.discounts.tree import ROOT_NAME, active_rules, build_tree
from pos.receipts.model import ReceiptLine
from pos.receipts.pricing import price_lines
from pos.receipts.quote import Basket, Subject, basket_subject, receipt_subject

_COLUMNS = [c.name for c in DiscountRow.__table__.columns]
_NEW_ROW = {"conditions": [], "refinements": [], "segment": None, "item_ids": [],
            "price_groups": [], "store_ids": [], "customer_segments": [], "card_types": [],
            "valid_from": None, "valid_to": None, "is_active": True, "position": 10**6}


@dataclass(frozen=True)
class Draft:
    """Changes to try: discounts to add or replace (by ``id``), discounts to switch off."""

    discounts: tuple[dict[str, Any], ...] = ()
    deactivate: frozenset[int] = field(default_factory=frozenset)


def simulate(ctx: Context, draft: Draft, *, basket: Basket | None, receipt_id: int | None,
             card_types: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Price the same lines under the active rules and under the draft.

    ``card_types`` are card types the sample buyer holds without a card code (a basket only).
    """
    if (basket is None) == (receipt_id is None):
        raise ValidationError("Simulate a basket or a stored receipt", code="basket_or_receipt",
                              field="basket")
    with ctx.db.read() as session:
        draft_rules = _draft_rules(session, draft)
        subject = (basket_subject(session, ctx, basket) if basket is not None
                   else receipt_subject(session, ctx, receipt_id or 0))
        if card_types:
            facts = replace(subject.facts, card_types=subject.facts.card_types | card_types)
            subject = replace(subject, facts=facts)
        current = _price(session, active_rules(ctx.registry.caches, session), subject)
        proposed = _price(session, draft_rules, subject)
    return {"current": _view(subject.lines, current), "draft": _view(subject.lines, proposed),
            "difference_minor": proposed.total_minor - current.total_minor}


def _price(session: Session, rules: CompiledRules, subject: Subject) -> Pricing:
    return price_lines(session, rules, subject.inputs, subject.facts)


def _draft_rules(session: Session, draft: Draft) -> CompiledRules:
    # Unsaved copies of the stored rows (never added to the session), changed as the draft says.
    rows = {row.id: DiscountRow(**{c: getattr(row, c) for c in _COLUMNS})
            for row in session.scalars(select(DiscountRow))}
    groups = list(session.scalars(select(DiscountGroup)))
    if not groups:  # no rule stored yet: the draft goes into the root the first one creates
        groups = [DiscountGroup(id=0, name=ROOT_NAME, rule="max", parent_id=None, position=0,
                                allow_stacking=False, holds_manual=False)]
    root = min((g.id for g in groups if g.parent_id is None), default=None)
    unknown = sorted(draft.deactivate - set(rows))
    if unknown:
        raise NotFoundError(f"No discount {unknown[0]}", code="discount_not_found",
                            field="deactivate")
    for discount_id in draft.deactivate:
        rows[discount_id].is_active = False
    for index, data in enumerate(draft.discounts, start=1):
        row = _draft_row(session, data, -index, root, rows, {g.id for g in groups})
        rows[row.id] = row
    return compile_rules(build_tree(groups, rows.values()))


def _draft_row(session: Session, data: dict[str, Any], new_id: int, root: int | None,
               rows: dict[int, DiscountRow], group_ids: set[int]) -> DiscountRow:
    data = dict(data)
    replaces = data.pop("id", None)
    if replaces is not None and replaces not in rows:
        raise NotFoundError(f"No discount {replaces}", code="discount_not_found", field="id")
    group_id = data.pop("group_id", None)
    if group_id is None:
        group_id = rows[replaces].group_id if replaces else root
    if group_id is None or group_id not in group_ids:
        raise NotFoundError("The draft's group does not exist", code="discount_group_not_found",
                            field="group_id")
    stored = storable(data)
    check_references(session, stored)
    base = {c: getattr(rows[replaces], c) for c in _COLUMNS} if replaces else _NEW_ROW
    return DiscountRow(**{**base, **stored, "id": replaces or new_id, "group_id": group_id})


def _view(lines: Sequence[ReceiptLine], pricing: Pricing) -> dict[str, Any]:
    by_no = {p.line_no: p for p in pricing.lines}
    return {
        "total_minor": pricing.total_minor, "discount_minor": pricing.discount_total_minor,
        "hints": [hint.to_dict() for hint in pricing.hints],
        "lines": [{"line_no": line.line_no, "sku": line.sku,
                   "base_amount_minor": by_no[line.line_no].base_amount_minor,
                   "discount_minor": by_no[line.line_no].discount_minor,
                   "amount_minor": by_no[line.line_no].amount_minor,
                   "applied": [a.to_dict() for a in by_no[line.line_no].applied],
                   "displaced": [d.to_dict() for d in by_no[line.line_no].displaced]}
                  for line in lines],
    }
