"""What the office's receipt pages read: a search over the receipts a manager sees, one receipt.

The scope is the API's (:func:`pos.receipts.access.visible_receipts`, ``get_receipt``): a
receipt of a store the manager does not see is not found. A loyalty card is searched by the
card's id (the number typed is turned into it by :func:`card_by_number` and never kept), and
finds the receipts of the card and of the cards it replaced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from loyalty.cards.model import Card
from loyalty.cards.service import card_id_of, predecessors
from pos.core.db import Database
from pos.core.paging import Page, paginate
from pos.core.security import Principal
from pos.core.throttle import check_throttle, record_windowed_failure
from pos.fiscal.model import OutboxEntry
from pos.journal.model import JournalEntry
from pos.receipts.access import visible_receipts
from pos.receipts.model import Receipt
from pos.receipts.report import discount_report
from pos.receipts.service import get_receipt
from pos.screens.office_shifts_state import names, till_labels
from pos.stores.model import Store

CARD_MISSES = 20
CARD_MISS_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class ReceiptFilters:
    """The receipt search's filters; ``None`` matches anything."""

    number: int | None = None
    store_id: int | None = None
    till_id: int | None = None
    shift_id: int | None = None
    card_id: int | None = None
    total_minor: int | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class ReceiptRow:
    """A receipt as the search lists it."""

    receipt: Receipt
    till: str
    cashier: str


@dataclass(frozen=True)
class ReceiptFacts:
    """One receipt with its explanation, returns, journal and fiscal state, and people."""

    receipt: Receipt
    store: str
    till: str
    people: dict[int, str]
    discounts: dict[str, Any]
    returns: list[Receipt] = field(default_factory=list)
    journal: list[JournalEntry] = field(default_factory=list)
    fiscal: list[OutboxEntry] = field(default_factory=list)


def card_by_number(db: Database, number: str, user_id: int, now: datetime) -> int | None:
    """Return the id of the card that holds a typed number's history now (None: no such card).

    Misses are counted per user (:data:`CARD_MISSES` in :data:`CARD_MISS_WINDOW`, then 429):
    the search is no way to find out which card numbers exist.
    """
    key = f"office_card_search:{user_id}"
    with db.transaction() as session:
        check_throttle(session, [key], now)
        card_id = card_id_of(session, number.strip())
        if card_id is None:
            record_windowed_failure(session, [key], now, limit=CARD_MISSES,
                                    window=CARD_MISS_WINDOW)
        return card_id


def search_receipts(db: Database, viewer: Principal, filters: ReceiptFilters, *, page: int,
                    page_size: int) -> Page[ReceiptRow]:
    """Return a page of the receipts the viewer sees matching every filter, newest first."""
    with db.read() as session:
        query = _filtered(session, visible_receipts(select(Receipt), viewer), filters)
        found = paginate(session, query.order_by(Receipt.opened_at.desc(), Receipt.id.desc()),
                         page=page, page_size=page_size)
        tills = till_labels(session, {r.till_id for r in found.items})
        people = names(session, {r.cashier_id for r in found.items})
    return found.map(lambda r: ReceiptRow(r, tills.get(r.till_id, "?"),
                                          people.get(r.cashier_id, "?")))


def _filtered(session: Session, query: Any, filters: ReceiptFilters) -> Any:
    for column, value in ((Receipt.number, filters.number), (Receipt.store_id, filters.store_id),
                          (Receipt.till_id, filters.till_id), (Receipt.shift_id, filters.shift_id),
                          (Receipt.total_minor, filters.total_minor)):
        if value is not None:
            query = query.where(column == value)
    if filters.card_id is not None:
        numbers = select(Card.number).where(Card.id.in_(predecessors(session, filters.card_id)))
        query = query.where(Receipt.card_code.in_(numbers))
    if filters.start is not None or filters.end is not None:
        # Opened or closed in the range, as the API's search: one crossing midnight shows twice.
        query = query.where(or_(_within(Receipt.opened_at, filters),
                                _within(Receipt.closed_at, filters)))
    return query


def _within(column: Any, filters: ReceiptFilters) -> Any:
    bounds = []
    if filters.start is not None:
        bounds.append(column >= filters.start)
    if filters.end is not None:
        bounds.append(column < filters.end)
    return and_(*bounds)


def receipt_facts(db: Database, receipt_id: int, viewer: Principal) -> ReceiptFacts:
    """Return a receipt the viewer sees (else ``receipt_not_found``) with all it shows."""
    receipt = get_receipt(db, receipt_id, viewer)
    with db.read() as session:
        returns = list(session.scalars(visible_receipts(
            select(Receipt).where(Receipt.original_receipt_id == receipt.id), viewer)
            .order_by(Receipt.id)))
        where = {"store_id": receipt.store_id, "kind": receipt.kind, "document_id": receipt.id}
        journal = list(session.scalars(select(JournalEntry).filter_by(**where)))
        fiscal = list(session.scalars(select(OutboxEntry).filter_by(**where)
                                      .order_by(OutboxEntry.id)))
        store = session.get(Store, receipt.store_id)
        people = names(session, [receipt.cashier_id, receipt.approved_by_id,
                                 receipt.voided_by_id])
        till = till_labels(session, [receipt.till_id]).get(receipt.till_id, "?")
    return ReceiptFacts(receipt, store.name if store else "?", till, people,
                        discount_report(receipt), returns, journal, fiscal)

