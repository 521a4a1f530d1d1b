"""Find receipts: by till, shift, state, kind, number and time, newest first, a page at a time.

So a store finds the open receipts before closing a shift, or one receipt by its number to
reprint it. The common filters (a till's receipts in a state, a till's receipt by number) are
served by indexes of their own (migration 0006).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import load_only, raiseload

from pos.core.db import Database
from pos.core.paging import Page, paginate
from pos.core.security import Principal
from pos.receipts.access import visible_receipts
from pos.receipts.model import Receipt

# What a list item shows; the lines, payments and trace stay behind (GET /receipts/{id}).
_LISTED = load_only(Receipt.id, Receipt.store_id, Receipt.number, Receipt.till_id,
                    Receipt.shift_id, Receipt.state, Receipt.kind, Receipt.total_minor,
                    Receipt.opened_at, Receipt.closed_at, Receipt.cashier_id)


@dataclass(frozen=True)
class ReceiptQuery:
    """Filters of the receipt list; ``None`` matches anything."""

    till_id: int | None = None
    shift_id: int | None = None
    state: str | None = None
    kind: str | None = None
    number: int | None = None
    opened_or_closed_from: datetime | None = None
    opened_or_closed_to: datetime | None = None


def list_receipts(db: Database, query: ReceiptQuery, *, page: int, page_size: int,
                  viewer: Principal | None = None) -> Page[Receipt]:
    """Return a page of the receipts the viewer may read matching every filter, newest first.

    ``viewer`` None is the system, which reads every receipt.
    """
    wanted = select(Receipt).options(_LISTED, raiseload("*"))
    if viewer is not None:
        wanted = visible_receipts(wanted, viewer)
    for column, value in ((Receipt.till_id, query.till_id), (Receipt.shift_id, query.shift_id),
                          (Receipt.state, query.state), (Receipt.kind, query.kind),
                          (Receipt.number, query.number)):
        if value is not None:
            wanted = wanted.where(column == value)
    start, end = query.opened_or_closed_from, query.opened_or_closed_to
    if start is not None or end is not None:
        # Opened or closed in the range: a receipt that crosses midnight is found on both days.
        wanted = wanted.where(or_(_within(Receipt.opened_at, start, end),
                                  _within(Receipt.closed_at, start, end)))
    with db.read() as session:
        return paginate(session, wanted.order_by(Receipt.opened_at.desc(), Receipt.id.desc()),
                        page=page, page_size=page_size)


def _within(column: Any, start: datetime | None, end: datetime | None) -> Any:
    bounds = []
    if start is not None:
        bounds.append(column >= start)
    if end is not None:
        bounds.append(column < end)
    return and_(*bounds)
