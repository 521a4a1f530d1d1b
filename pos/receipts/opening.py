"""Opening a receipt, and the one-shot upload of a finished one (offline tills).

The upload is resolved, priced and paid in memory in a read phase and only written in the
write phase, from rows prepared beforehand: writers queue (one at a time on SQLite, one per till
for the numbering on PostgreSQL), so what they hold the lock for is the INSERTs. The phases are
two transactions on SQLite and one on PostgreSQL (see ``Database.read_then_write``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos.auth.approval import outside_scope
from pos.catalog.cache import catalog
from pos.core import versions
from pos.core.context import Context
from pos.core.db import Phases
from pos.core.direct import Direct
from pos.core.errors import ConflictError, ValidationError
from pos.core.scope import Place, sees, works_at
from pos.fiscal.numbering import next_number
from pos.receipts.cards import checked_card_code, expect_card
from pos.receipts.closing import OnWrite, after_write, cashier_name, read_ahead, record_closed
from pos.receipts.draft import DraftLine, DraftPayment, DraftReceipt
from pos.receipts.lines import LineRequest, LoadedItems, resolve_lines
from pos.receipts.model import SALE, Receipt, receipt_document
from pos.receipts.repricing import reprice
from pos.receipts.rows import NewRows
from pos.receipts.service import authorize_manual_weight
from pos.receipts.tendering import PaymentRequest, make_payment, take_tenders
from pos.shifts.model import CLOCK_SKEW, Shift, open_shift_id
from pos.shifts.service import till_place
from pos.stores.model import Store
from pos.stores.service import keep_store, till_not_found


@dataclass(frozen=True)
class NewReceipt:
    """A receipt to open, optionally complete with lines and payments (one-shot upload)."""

    till_id: int
    client_uuid: str | None = None
    lines: tuple[LineRequest, ...] = ()
    payments: tuple[PaymentRequest, ...] = ()
    card_code: str | None = None
    customer_ref: str | None = None
    sold_at: datetime | None = None  # an offline till's own time of sale (one-shot only)


@dataclass(frozen=True)
class Opened:
    """The receipt and whether this request created it (False: an earlier upload did)."""

    receipt: Receipt | DraftReceipt  # a draft: written by this request, as it was built
    is_new: bool


def create_receipt(ctx: Context, cmd: NewReceipt, on_write: OnWrite | None = None) -> Opened:
    """Open a receipt; with lines and covering payments, price, pay and close it at once.

    The receipt is resolved, priced and paid in memory in the read phase, and only written in
    the write phase: writers queue (one at a time on SQLite, one per till for the numbering on
    PostgreSQL), so what they hold the lock for is kept to the inserts. ``on_write(session,
    receipt)`` runs last in the write (a keyed reply is stored so).
    """
    if cmd.payments and not cmd.lines:
        raise ValidationError("Payments need lines", code="receipt_empty", field="payments")
    client_uuid = parse_client_uuid(cmd.client_uuid)
    at = _sale_time(cmd, ctx.now)
    with ctx.db.read_then_write() as phases:
        return _create(ctx, cmd, client_uuid, at, phases, on_write)


def _create(ctx: Context, cmd: NewReceipt, client_uuid: str, at: datetime, phases: Phases,
            on_write: OnWrite | None) -> Opened:
    with phases.read() as session:
        expect_card(session, cmd.card_code, ctx.now)
        till, store = catalog(session).till_and_store(cmd.till_id)
        place, existing, is_outside = _judge(session, ctx, till.store_id, till.id, client_uuid)
        if existing is not None:
            return Opened(same_till(existing, cmd.till_id), False)
        items = LoadedItems()
        draft = _draft(session, ctx, store, cmd, client_uuid, at, items)
        segments = read_ahead(session, draft, items)
        tokens = versions.seen(session)
    if cmd.payments:
        draft.close(at)
    rows = NewRows.of(draft)
    document = receipt_document(draft, cashier_name(ctx.actor)) if cmd.payments else None
    try:
        with phases.write() as session:
            keep_store(session, store)
            versions.keep(session, tokens)
            shift_id = open_shift_id(session, cmd.till_id, at)
            _admit(session, ctx, place, shift_id, is_outside)
            if any(line.is_manual_weight for line in draft.lines):
                rows.approve_manual_weight(authorize_manual_weight(
                    session, ctx.actor, draft.lines, ctx.now, draft.store_id, draft.till_id))
            number = next_number(session, draft.store_id, draft.till_id) \
                if cmd.payments else None
            rows.insert(session, shift_id=shift_id, number=number)
            take_tenders(session, ctx, draft, draft.payments)
            if document is not None:
                document.update(number=number, receipt_id=draft.id, shift_id=shift_id)
                record_closed(session, ctx, draft, segments, document)
            after_write(session, draft, on_write)
            return Opened(draft, True)
    except IntegrityError:
        # A concurrent upload of the same client UUID won the race: answer with its receipt.
        with ctx.db.read() as session:
            existing = by_client_uuid(session, till.store_id, client_uuid)
            if existing is None:
                raise
            return Opened(same_till(existing, cmd.till_id), False)


def _judge(session: Session, ctx: Context, store_id: int, till_id: int, client_uuid: str
           ) -> tuple[Place, Receipt | None, bool]:
    # Where the sale would be; the upload of this client UUID the actor may see, if any; and
    # whether the till is outside the actor's scope: 404 (its id unrevealed) without approval.
    principal = ctx.actor.principal
    place = till_place(session, principal, store_id, till_id)
    existing = by_client_uuid(session, store_id, client_uuid)
    if existing is not None and sees(principal, place, made_by_id=existing.cashier_id):
        return place, existing, False
    is_outside = not works_at(principal, place)
    if is_outside and ctx.actor.approval is None:
        raise till_not_found(till_id)
    return place, None, is_outside


def _admit(session: Session, ctx: Context, place: Place, shift_id: int, is_outside: bool
           ) -> None:
    # Judged again where the sale is written: the shift the rule relied on may have closed and
    # another cashier's opened since.
    if not is_outside and place.opened_by_id is not None:  # in scope as the shift's opener
        opener = session.scalar(select(Shift.opened_by_id).where(Shift.id == shift_id))
        is_outside = opener != ctx.actor.user_id
    if is_outside:
        outside_scope(session, ctx.actor, place.store_id, action="sell_on_others_till",
                      target=f"till:{place.till_id}", now=ctx.now,
                      not_found=till_not_found(place.till_id), till_id=place.till_id)


def _sale_time(cmd: NewReceipt, now: datetime) -> datetime:
    # An offline till uploads a finished sale with its own clock's time: prices, discounts and
    # the receipt's times are those of the sale. The shift must have been open by then (checked
    # with the shift); a time ahead of the server's beyond the clock skew allowed is refused.
    if cmd.sold_at is None:
        return now
    if not cmd.payments:
        raise ValidationError("sold_at is for finished receipts uploaded with their payments",
                              code="sold_at_needs_payments", field="sold_at")
    if cmd.sold_at > now + CLOCK_SKEW:
        raise ValidationError("sold_at is ahead of the server's clock",
                              code="sold_at_in_future", field="sold_at",
                              extra={"server_time": now.isoformat()})
    return cmd.sold_at.astimezone(UTC)  # stored and journaled as UTC, as the server's own


def _draft(session: Session, ctx: Context, store: Store, cmd: NewReceipt, client_uuid: str,
           at: datetime, items: LoadedItems) -> DraftReceipt:
    # The receipt as it will be written, built in memory: lines at catalog prices, discounts
    # applied for the forms of its payments, payments checked against the total.
    receipt = DraftReceipt(store_id=store.id, till_id=cmd.till_id, kind=SALE, state="open",
                      client_uuid=client_uuid, cashier_id=ctx.actor.user_id, opened_at=at,
                      card_code=checked_card_code(session, store, cmd.card_code, at, ctx.now),
                      customer_ref=cmd.customer_ref, total_minor=0, discount_minor=0,
                      change_minor=0, pricing_trace=[],
                      manual_discounts=[], lines=[], payments=[])
    receipt.add_lines(resolve_lines(session, store, cmd.lines, ctx.layouts, at, items,
                                    DraftLine))
    if receipt.lines:
        forms = frozenset(p.type for p in cmd.payments) if cmd.payments else None
        reprice(session, replace(ctx, now=at), receipt, store, items, forms)
    for payment in cmd.payments:
        receipt.add_payment(make_payment(ctx.registry.payment_types, payment, DraftPayment))
    return receipt


def parse_client_uuid(text: str | None) -> str:
    """Return a client UUID in canonical form (a new one when the till sent none)."""
    if text is None:
        return str(uuid.uuid4())
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise ValidationError("client_uuid is not a UUID", code="invalid_uuid",
                              field="client_uuid") from None


_BY_UUID = Direct(select(Receipt.id).where(Receipt.store_id == bindparam("store_id"),
                                           Receipt.client_uuid == bindparam("client_uuid")))


def by_client_uuid(session: Session, store_id: int, client_uuid: str) -> Receipt | None:
    """Return the store's receipt of a client UUID, if one was already uploaded."""
    # Asked of every upload and almost always answered "none": a plain indexed read of the
    # id, the receipt loaded only when there is one.
    found = _BY_UUID.scalar(session.connection(),
                            {"store_id": store_id, "client_uuid": client_uuid})
    return None if found is None else session.get(Receipt, found)


def same_till(receipt: Receipt, till_id: int) -> Receipt:
    """Return an earlier upload's receipt, refusing one of another till (``uuid_conflict``)."""
    if receipt.till_id != till_id:
        raise ConflictError("This client UUID belongs to another till's receipt",
                            code="uuid_conflict", field="client_uuid")
    return receipt
