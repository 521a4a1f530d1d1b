"""Price a basket or a stored receipt under a draft rule set, without activating it.

The draft is the stored tree with some discounts added or replaced and some switched off; it
is compiled (and so validated) in memory only. Both prices come back, with the difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.core.barcode import WeightLayout
from pos.core.db import Database
from pos.core.errors import NotFoundError, ValidationError
from pos.core.security import Actor
from pos.discounts import codec
from pos.discounts.engine import CompiledRules, compile_rules
from pos.discounts.model import DiscountGroup, DiscountRow
from pos.discounts.references import check_references
from pos.discounts.service import _JSON_FIELDS
from pos.discounts.tree import ROOT_NAME, build_tree, rules_for
from pos.receipts.lines import priced_items, resolve_lines
from pos.receipts.model import Receipt
from pos.receipts.pricing import SaleFacts, price_lines
from pos.receipts.quote import Basket
from pos.stores.model import Store
from pos.stores.service import get_till

_COLUMNS = [c.name for c in DiscountRow.__table__.columns]


@dataclass(frozen=True)
class Draft:
    """Changes to try: discounts to add or replace (by ``id``), discounts to switch off."""

    discounts: tuple[dict[str, Any], ...] = ()
    deactivate: frozenset[int] = field(default_factory=frozenset)


def simulate(db: Database, actor: Actor, draft: Draft, *, basket: Basket | None,
             receipt_id: int | None, layouts: list[WeightLayout], now: datetime
             ) -> dict[str, Any]:
    """Price the same lines under the active rules and under the draft."""
    if (basket is None) == (receipt_id is None):
        raise ValidationError("Simulate a basket or a stored receipt", code="basket_or_receipt",
                              field="basket")
    with db.read() as session:
        draft_rules = _draft_rules(session, draft, now)
        store, lines, facts = _subject(session, actor, basket, receipt_id, layouts, now)
        items = priced_items(session, lines)
        current = price_lines(session, items, facts, rules_for(session))
        proposed = price_lines(session, items, facts, draft_rules)
    return {"current": _view(lines, current), "draft": _view(lines, proposed),
            "difference_minor": proposed.total_minor - current.total_minor}


def _draft_rules(session: Session, draft: Draft, now: datetime) -> CompiledRules:
    rows = {row.id: _copy(row) for row in session.scalars(select(DiscountRow))}
    groups: list[Any] = list(session.scalars(select(DiscountGroup)))
    if not groups:  # no rule stored yet: the draft goes into the root the first one creates
        groups = [SimpleNamespace(id=0, name=ROOT_NAME, rule="max", parent_id=None, position=0,
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


def _copy(row: DiscountRow) -> SimpleNamespace:
    return SimpleNamespace(**{name: getattr(row, name) for name in _COLUMNS})


def _draft_row(session: Session, data: dict[str, Any], new_id: int, root: int | None,
               rows: dict[int, SimpleNamespace], group_ids: set[int]) -> SimpleNamespace:
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
    stored = {k: codec.to_storage(v) if k in _JSON_FIELDS else v for k, v in data.items()}
    check_references(session, stored)
    base = vars(rows[replaces]) if replaces else {
        "conditions": [], "refinements": [], "segment": None, "item_ids": [],
        "price_groups": [], "store_ids": [], "customer_segments": [], "card_types": [],
        "valid_from": None, "valid_to": None, "is_active": True, "position": 10**6}
    return SimpleNamespace(**{**base, **stored, "id": replaces or new_id, "group_id": group_id})


def _subject(session: Session, actor: Actor, basket: Basket | None, receipt_id: int | None,
             layouts: list[WeightLayout], now: datetime) -> tuple[Store, list[Any], SaleFacts]:
    if basket is not None:
        till = get_till(session, basket.till_id)
        store = session.get(Store, till.store_id)
        assert store is not None
        lines = resolve_lines(session, store, basket.lines, layouts, now)
        for number, line in enumerate(lines, start=1):
            line.line_no = number
        card, customer, forms, at = (basket.card_code, basket.customer_ref,
                                     basket.payment_forms, now)
        manual: tuple[dict[str, Any], ...] = ()
    else:
        receipt = session.get(Receipt, receipt_id)
        if receipt is None:
            raise NotFoundError(f"No receipt {receipt_id}", code="receipt_not_found",
                                field="receipt_id")
        store = session.get(Store, receipt.store_id)
        assert store is not None
        lines = list(receipt.lines)
        card, customer = receipt.card_code, receipt.customer_ref
        forms = frozenset(p.kind for p in receipt.payments)
        at, manual = receipt.closed_at or receipt.opened_at, tuple(receipt.manual_discounts)
    facts = SaleFacts(now_local=at.astimezone(store.zone).replace(tzinfo=None),
                      store_id=store.id, cashier_group=actor.principal.user_group,
                      card_code=card, customer_ref=customer, payment_forms=forms,
                      manual_discounts=manual)
    return store, lines, facts


def _view(lines: list[Any], pricing: Any) -> dict[str, Any]:
    by_no = {p.line_no: p for p in pricing.lines}
    return {
        "total_minor": pricing.total_minor, "discount_minor": pricing.discount_total_minor,
        "lines": [{"line_no": line.line_no, "sku": line.sku,
                   "base_amount_minor": by_no[line.line_no].base_amount_minor,
                   "discount_minor": by_no[line.line_no].discount_minor,
                   "amount_minor": by_no[line.line_no].amount_minor,
                   "applied": [a.to_dict() for a in by_no[line.line_no].applied],
                   "displaced": [d.to_dict() for d in by_no[line.line_no].displaced]}
                  for line in lines],
    }
