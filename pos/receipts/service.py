"""Use cases of an open receipt: add and change lines, pay, close, void.

Pricing again after a change is ``repricing``'s; checking payments and moving the value of
tenders is ``tendering``'s (the one-shot upload in ``opening`` shares both).

Each use case is one write transaction, run in the :class:`Context` the view hands it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from pos.auth.approval import authorize
from pos.catalog.cache import CatalogItem, catalog
from pos.core import audit
from pos.core.context import Context
from pos.core.db import Database
from pos.core.errors import ConflictError
from pos.core.money import line_amount
from pos.core.security import Actor, Principal, Right
from pos.receipts.access import admit_change, receipt_not_found, sees_receipt
from pos.receipts.closing import OnWrite, after_write, close_in
from pos.receipts.draft import DraftLine, DraftPayment, DraftReceipt
from pos.receipts.lines import (
    LineRequest,
    LoadedItems,
    check_quantity,
    parse_line_quantity,
    resolve_lines,
    weight_source_of,
)
from pos.receipts.model import MILLI, Receipt, ReceiptLine
from pos.receipts.prepricing import Prepriced, preprice
from pos.receipts.repricing import reprice
from pos.receipts.stored_draft import Written, load_draft
from pos.receipts.tendering import (
    PaymentRequest,
    give_back_tenders,
    make_payment,
    take_tenders,
)
from pos.receipts.weighing import weighed_now
from pos.shifts.model import Shift
from pos.stores.model import Store

AnyReceipt = TypeVar("AnyReceipt", Receipt, DraftReceipt)


@dataclass(frozen=True)
class LineChange:
    """A new quantity for a line, and for weighed goods where the weight came from."""

    quantity: str | Decimal
    weight_source: str | None = None


def _add_lines(session: Session, ctx: Context, receipt: Receipt | DraftReceipt,
               requests: Sequence[LineRequest]) -> list[ReceiptLine]:
    store = _store_of(session, receipt)
    items = LoadedItems()
    lines = resolve_lines(session, store, requests, ctx.layouts, ctx.now, items,
                          receipt.new_line)
    approver = authorize_manual_weight(session, ctx.actor, lines, ctx.now, receipt.store_id,
                                       receipt.till_id)
    # No autoflush: the new lines are written once, with their final prices, at the end.
    with session.no_autoflush:
        for line in lines:
            if line.is_manual_weight:
                line.manual_weight_approved_by_id = approver
            receipt.add_line(line)
        reprice(session, ctx, receipt, store, items)
    return lines


def authorize_manual_weight(session: Session, actor: Actor, lines: Sequence[ReceiptLine],
                            now: datetime, store_id: int | None = None,
                            till_id: int | None = None) -> int | None:
    """Let a typed-in weight through with the right or a manager's approval; return who approved.

    Once per request and before anything is written: a refused approval commits its failure
    count, and a one-time code is spent by its first use.
    """
    manual = [line.sku for line in lines if line.is_manual_weight]
    if not manual:
        return None
    return authorize(session, actor, Right.MANUAL_WEIGHT, action="manual_weight",
                     target=",".join(manual)[:200], now=now, store_id=store_id,
                     till_id=till_id)


def load_for_change(session: Session, ctx: Context, receipt_id: int) -> Receipt:
    """Load an open receipt for a change: in scope, right till, own or approved, shift open.

    Outside the actor's scope (see ``pos.core.scope``) the receipt does not exist (404) unless
    a manager approves; in scope, another cashier's receipt needs the right or an approval.
    """
    receipt = session.get(Receipt, receipt_id, with_for_update=True)
    if receipt is None:
        raise receipt_not_found(receipt_id)
    shift = session.get(Shift, receipt.shift_id)
    assert shift is not None
    return admit_for_change(session, ctx, receipt, shift)


def load_draft_for_change(session: Session, ctx: Context, receipt_id: int) -> DraftReceipt:
    """Load an open receipt for a change as :func:`load_for_change`, but as a draft.

    Written back by :class:`~pos.receipts.stored_draft.Written`: the lighter way for the
    changes a sale makes most (adding a line, a payment, the close).
    """
    loaded = load_draft(session, receipt_id, for_update=True)
    if loaded is None:
        raise receipt_not_found(receipt_id)
    return admit_for_change(session, ctx, *loaded)


def admit_for_change(session: Session, ctx: Context, receipt: AnyReceipt, shift: Shift
                     ) -> AnyReceipt:
    """Check a receipt loaded for a change (see :func:`load_for_change`) and return it."""
    approver = admit_change(session, ctx, receipt, shift)
    if ctx.till_id is not None and receipt.till_id != ctx.till_id:
        raise ConflictError("The receipt belongs to another till", code="wrong_till")
    receipt.ensure_open()
    shift.ensure_open()
    if approver is None and receipt.cashier_id != ctx.actor.user_id:
        authorize(session, ctx.actor, Right.MANAGE_OTHERS_SHIFTS, action="others_receipt",
                  target=f"receipt:{receipt.id}", now=ctx.now, store_id=receipt.store_id,
                  till_id=receipt.till_id)
    return receipt


def _store_of(session: Session, receipt: Receipt | DraftReceipt) -> Store:
    # The worker's copy, valid under the catalog token this session reads anyway.
    store = catalog(session).store(receipt.store_id)
    assert store is not None
    return store


@dataclass(frozen=True)
class LineAdded:
    """A line just added, with the receipt and what its pricing changed on the other lines."""

    receipt: DraftReceipt
    line: ReceiptLine | DraftLine
    changed_lines: list[ReceiptLine | DraftLine]  # other lines new (a gift) or priced anew
    removed_line_nos: list[int]  # lines the pricing took away (a gift no longer due)

    @property
    def receipt_id(self) -> int:
        """Return the receipt's id."""
        return self.receipt.id

    @property
    def total_minor(self) -> int:
        """Return the receipt's new total."""
        return self.receipt.total_minor

    @property
    def discount_minor(self) -> int:
        """Return the receipt's new discount."""
        return self.receipt.discount_minor

    @property
    def paid_minor(self) -> int:
        """Return what is paid so far."""
        return self.receipt.paid_minor

    @property
    def due_minor(self) -> int:
        """Return what is still due."""
        return self.receipt.due_minor


def add_line(ctx: Context, receipt_id: int, request: LineRequest,
             on_write: OnWrite | None = None) -> DraftReceipt:
    """Add a line by SKU or barcode; a weight from the scale is read from it now."""
    return sell_line(ctx, receipt_id, request, on_write).receipt


def sell_line(ctx: Context, receipt_id: int, request: LineRequest,
              on_write: Callable[[Session, Any], None] | None = None) -> LineAdded:
    """Add a line and tell what changed; ``on_write`` gets the :class:`LineAdded`.

    While another till is writing (SQLite's writer lock is held), the receipt is priced with
    the line before the write transaction (``prepricing``), so this pricing does not make the
    others wait in turn; the write reuses those prices only if the receipt is still what they
    were computed from. With the lock free, pricing inside the write loads the receipt once.
    """
    request = weighed_now(ctx, receipt_id, request)
    prepriced = preprice(ctx, receipt_id, request) if ctx.db.writer_busy() else None
    return write_line(ctx, receipt_id, request, prepriced, on_write)


def write_line(ctx: Context, receipt_id: int, request: LineRequest, prepriced: Prepriced | None,
               on_write: Callable[[Session, Any], None] | None = None) -> LineAdded:
    """Add the line in a write transaction: at its prepriced prices if they still hold."""
    with ctx.db.transaction() as session:
        receipt = load_draft_for_change(session, ctx, receipt_id)
        written = Written.of(receipt)
        before = {line.line_no: (line.discount_minor, line.amount_minor)
                  for line in receipt.lines}
        added = prepriced.apply(session, receipt) if prepriced is not None else None
        if added is None:
            added = _add_lines(session, ctx, receipt, [request])[0]
        written.write(session, receipt)
        now = {line.line_no: line for line in receipt.lines}
        result = LineAdded(receipt, added, [
            line for no, line in now.items() if line is not added
            and before.get(no) != (line.discount_minor, line.amount_minor)],
            sorted(before.keys() - now.keys()))
        if on_write is not None:
            on_write(session, result)
        return result


def change_line(ctx: Context, receipt_id: int, line_no: int, change: LineChange) -> Receipt:
    """Change a line's quantity (and for weighed goods where the weight came from)."""
    with ctx.db.transaction() as session:
        receipt = load_for_change(session, ctx, receipt_id)
        receipt.ensure_no_payments()
        line = receipt.line(line_no)
        if line.is_certificate:
            raise ConflictError("A certificate line is one certificate; add another line",
                                code="certificate_line_fixed")
        quantity = parse_line_quantity(change.quantity)
        assert quantity is not None
        items = LoadedItems()
        item = items.of(session, [line.item_id])[line.item_id]
        _apply_quantity(session, ctx, item, line, quantity, change.weight_source)
        reprice(session, ctx, receipt, _store_of(session, receipt), items)
        return receipt


def _apply_quantity(session: Session, ctx: Context, item: CatalogItem, line: ReceiptLine,
                    quantity: Decimal, weight_source: str | None) -> None:
    check_quantity(item, quantity)
    if line.weight_source == "barcode":
        raise ConflictError("A weight barcode's quantity cannot change",
                            code="quantity_from_barcode")
    source = weight_source_of(item, weight_source)
    approver = None
    if source == "manual":
        approver = authorize(session, ctx.actor, Right.MANUAL_WEIGHT, action="manual_weight",
                             target=line.sku, now=ctx.now, store_id=line.receipt.store_id,
                             till_id=line.receipt.till_id)
    line.weight_source, line.manual_weight_approved_by_id = source, approver
    line.quantity_milli = int(quantity * MILLI)
    line.base_amount_minor = line_amount(line.unit_price_minor, quantity)


def remove_line(ctx: Context, receipt_id: int, line_no: int) -> Receipt:
    """Remove a line."""
    with ctx.db.transaction() as session:
        receipt = load_for_change(session, ctx, receipt_id)
        receipt.remove_line(line_no)
        reprice(session, ctx, receipt, _store_of(session, receipt))
        return receipt


def add_payment(ctx: Context, receipt_id: int, request: PaymentRequest,
                on_write: OnWrite | None = None) -> DraftReceipt:
    """Take a payment."""
    with ctx.db.transaction() as session:
        receipt = load_draft_for_change(session, ctx, receipt_id)
        written = Written.of(receipt)
        payment = make_payment(ctx.registry.payment_types, request, DraftPayment)
        if not receipt.payments:
            # The first payment decides the payment form that discounts may depend on.
            reprice(session, ctx, receipt, _store_of(session, receipt),
                    payment_forms=frozenset({payment.kind}))
        receipt.add_payment(payment)
        take_tenders(session, ctx, receipt, [payment])
        written.write(session, receipt)
        after_write(session, receipt, on_write)
        return receipt


def remove_payment(ctx: Context, receipt_id: int, seq: int) -> Receipt:
    """Take back a payment of an open receipt (audited).

    The first payment decided the payment form discounts may depend on; once the last payment
    is gone the receipt is priced again without one, so the next payment decides anew.
    """
    with ctx.db.transaction() as session:
        receipt = load_for_change(session, ctx, receipt_id)
        payment = receipt.payment(seq)
        receipt.payments.remove(payment)
        give_back_tenders(session, ctx, receipt, [payment])
        audit.record(session, at=ctx.now, action="payment_removed", user_id=ctx.actor.user_id,
                     target=f"receipt:{receipt.id}", store_id=receipt.store_id,
                     details={"seq": seq, "kind": payment.kind,
                              "amount_minor": payment.amount_minor},
                     client_address=ctx.actor.client_address)
        if not receipt.payments:
            reprice(session, ctx, receipt, _store_of(session, receipt),
                    payment_forms=frozenset())
        return receipt


def close_receipt(ctx: Context, receipt_id: int, on_write: OnWrite | None = None
                  ) -> DraftReceipt:
    """Close a fully paid receipt: number, journal, fiscal outbox."""
    with ctx.db.transaction() as session:
        receipt = load_draft_for_change(session, ctx, receipt_id)
        close_in(session, ctx, receipt, Written.of(receipt))
        after_write(session, receipt, on_write)
        return receipt


def void_receipt(ctx: Context, receipt_id: int) -> Receipt:
    """Void an open receipt; one with lines needs the void right or a manager's approval."""
    with ctx.db.transaction() as session:
        receipt = load_for_change(session, ctx, receipt_id)
        approver = None
        if receipt.lines:
            approver = authorize(session, ctx.actor, Right.VOID_RECEIPT, action="void_receipt",
                                 target=f"receipt:{receipt.id}", now=ctx.now,
                                 store_id=receipt.store_id, till_id=receipt.till_id)
        receipt.void(ctx.actor.user_id, approver)
        give_back_tenders(session, ctx, receipt, receipt.payments)
        ctx.registry.receipt_listeners.voided(session, ctx, receipt)
        return receipt


def get_receipt(db: Database, receipt_id: int, viewer: Principal | None = None) -> Receipt:
    """Return a receipt the viewer may see (None: the system sees all) or ``receipt_not_found``."""
    with db.read() as session:
        receipt = session.get(Receipt, receipt_id)
        if receipt is None or (viewer is not None and not sees_receipt(session, viewer, receipt)):
            raise receipt_not_found(receipt_id)
        return receipt
