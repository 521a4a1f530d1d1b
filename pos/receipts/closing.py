"""Closing a receipt or return: its number, journal entry, fiscal outbox row and buyer totals.

Shared by the open receipt's close, the one-shot upload (``opening``) and returns. A receipt
closes in the transaction that takes its till's next number, chains it to the journal and
queues it for the fiscal device.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from loyalty.points.at_till import keep_for_write
from pos.core.context import Context
from pos.core.security import Actor
from pos.discounts.history import BoughtSegments, buyer_key, record_purchase, record_segments
from pos.fiscal.numbering import next_number
from pos.fiscal.service import record_numbered
from pos.receipts.draft import DraftReceipt
from pos.receipts.lines import LoadedItems
from pos.receipts.model import RETURN, Receipt, receipt_document
from pos.receipts.stored_draft import Written
from pos.stores.service import store_local_date

# (a close's purchase history reads these of every line and item: taken in C, not a loop)
_ITEM_ID, _SEGMENTS = operator.attrgetter("item_id"), operator.attrgetter("segments")

OnWrite = Callable[[Session, Receipt], None]


def close_in(session: Session, ctx: Context, receipt: Receipt | DraftReceipt,
             written: Written | None = None) -> None:
    """Close a paid receipt or return: number it, then journal and queue it for the device.

    A receipt loaded as a draft is written back by ``written``; an ORM one is flushed.
    """
    receipt.close(ctx.now)
    # The number is taken before the receipt is written, so a new receipt is inserted closed
    # and numbered (a loaded one updated) in a single flush.
    with session.no_autoflush:
        receipt.number = next_number(session, receipt.store_id, receipt.till_id)
    if written is not None:
        assert isinstance(receipt, DraftReceipt)
        written.write(session, receipt)
    else:
        session.flush()
    record_closed(session, ctx, receipt, segments_of(session, receipt, LoadedItems()))


def read_ahead(session: Session, receipt: Receipt, items: LoadedItems) -> frozenset[str]:
    """Return the buyer's segments for a one-shot's close, and have its card ride to the write.

    Called in the upload's read transaction: the write then neither reads the card again
    (loyalty re-checks it in the guarded update of its row) nor the items.
    """
    if receipt.card_code:
        keep_for_write(session, receipt)
    return segments_of(session, receipt, items)


def segments_of(session: Session, receipt: Receipt, items: LoadedItems) -> frozenset[str]:
    """Return what the purchase history keeps of a named buyer's receipt (nothing if anonymous)."""
    if buyer_key(receipt.card_code, receipt.customer_ref) is None or not receipt.lines:
        return frozenset()
    ids = set(map(_ITEM_ID, receipt.lines))
    by_id = items.of(session, ids)
    return frozenset().union(*map(_SEGMENTS, map(by_id.__getitem__, ids)))


def cashier_name(actor: Actor) -> str:
    """Return the name a receipt prints for its cashier."""
    return actor.principal.full_name or actor.principal.username


def record_closed(session: Session, ctx: Context, receipt: Receipt, segments: frozenset[str],
                  document: dict[str, Any] | None = None) -> None:
    """Journal a numbered receipt, queue it for the fiscal device, tell the features.

    Also adds the receipt to its named buyer's purchase history: a customer's day and
    segments; a card's segments (loyalty's listener moves its spend and "has bought").
    """
    assert receipt.number is not None
    now = ctx.now
    record_numbered(session, store_id=receipt.store_id, till_id=receipt.till_id,
                    kind=receipt.kind, document_id=receipt.id, number=receipt.number,
                    document=document or receipt_document(receipt, cashier_name(ctx.actor)),
                    now=now)
    ctx.registry.receipt_listeners.closed(session, ctx, receipt)
    buyer = buyer_key(receipt.card_code, receipt.customer_ref)
    if buyer is None:
        return  # an anonymous sale has no history to keep
    known = ctx.registry.caches.get(BoughtSegments)
    if receipt.card_code:
        record_segments(session, buyer, segments, known)
        return
    sign = -1 if receipt.kind == RETURN else 1
    record_purchase(session, buyer,
                    store_local_date(session, receipt.store_id, receipt.closed_at or now),
                    sign * receipt.total_minor, segments, known)


def after_write(session: Session, receipt: Receipt, on_write: OnWrite | None) -> None:
    """Run ``on_write`` last in the use case's transaction (a keyed answer is stored so)."""
    if on_write is not None:
        session.flush()
        on_write(session, receipt)
