"""Price a basket without saving anything: the till's preview."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pos.core.barcode import WeightLayout
from pos.core.db import Database
from pos.core.errors import ValidationError
from pos.core.security import Actor
from pos.receipts.lines import LineRequest, priced_items, resolve_lines
from pos.receipts.pricing import SaleFacts, price_lines
from pos.stores.model import Store
from pos.stores.service import get_till


@dataclass(frozen=True)
class Basket:
    """What the till wants priced."""

    till_id: int
    lines: tuple[LineRequest, ...]
    card_code: str | None = None
    customer_ref: str | None = None
    payment_forms: frozenset[str] = frozenset()


def quote(db: Database, actor: Actor, basket: Basket, layouts: list[WeightLayout],
          now: datetime) -> dict[str, Any]:
    """Return the priced lines, totals and trace of a basket (read-only)."""
    if not basket.lines:
        raise ValidationError("A quote needs lines", code="receipt_empty", field="lines")
    with db.read() as session:
        till = get_till(session, basket.till_id)
        store = session.get(Store, till.store_id)
        assert store is not None
        lines = resolve_lines(session, store, basket.lines, layouts, now)
        for number, line in enumerate(lines, start=1):
            line.line_no = number
        facts = SaleFacts(now_local=now.astimezone(store.zone).replace(tzinfo=None),
                          store_id=store.id, cashier_group=actor.principal.user_group,
                          card_code=basket.card_code, customer_ref=basket.customer_ref,
                          payment_forms=basket.payment_forms)
        pricing = price_lines(session, priced_items(session, lines), facts)
    return _result(lines, pricing)


def _result(lines: Sequence[Any], pricing: Any) -> dict[str, Any]:
    by_no = {p.line_no: p for p in pricing.lines}
    out = []
    for line in lines:
        priced = by_no[line.line_no]
        line.discount_minor, line.amount_minor = priced.discount_minor, priced.amount_minor
        line.discounts = [a.to_dict() for a in priced.applied]
        out.append(line)
    return {"lines": out, "total_minor": pricing.total_minor,
            "discount_minor": pricing.discount_total_minor,
            "hints": [h.to_dict() for h in pricing.hints],
            "gift_lines": [g.to_dict() for g in pricing.gift_lines],
            "pricing_trace": [{"line_no": e.line_no, "event": e.event, **e.record.to_dict()}
                              for e in pricing.trace]}
