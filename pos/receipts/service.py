"""Use cases of an open receipt: add and change lines, pay, close, void; and the steps of pricing
and closing that opening (``opening``) and returns share.

Each use case is one write transaction. A receipt closes in the transaction that takes its
till's next number, chains it to the journal and queues it for the fiscal device.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from pos.auth.approval import authorize
from pos.catalog.model import Item
from pos.core import audit
from pos.core.barcode import WeightLayout
from pos.core.db import Database
from pos.core.errors import ConflictError, NotFoundError, ValidationError
from pos.core.money import line_amount
from pos.core.security import Actor, Right
from pos.discounts.history import buyer_key, record_purchase
from pos.fiscal.numbering import next_number
from pos.fiscal.service import record_numbered
from pos.receipts import journaled as _journaled  # noqa: F401 - registers the live check
from pos.receipts import payments as registry
from pos.receipts.lines import (
    WEIGHT_SOURCES,
    LineRequest,
    check_quantity,
    parse_line_quantity,
    priced_items,
    resolve_lines,
)
from pos.receipts.model import (
    MILLI,
    RETURN,
    Receipt,
    ReceiptLine,
    ReceiptPayment,
    receipt_document,
)
from pos.receipts.pricing import SaleFacts, price_lines
from pos.shifts.model import Shift
from pos.stores.model import Store


@dataclass(frozen=True)
class PaymentRequest:
    """A payment as the till sends it."""

    type: str
    amount_minor: int
    card_brand: str | None = None
    card_last4: str | None = None
    terminal_ref: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


OnWrite = Callable[[Session, Receipt], None]


def _add_lines(session: Session, actor: Actor, receipt: Receipt,
               requests: Sequence[LineRequest], layouts: list[WeightLayout],
               now: datetime) -> list[ReceiptLine]:
    store = session.get(Store, receipt.store_id)
    assert store is not None
    lines = resolve_lines(session, store, requests, layouts, now)
    approver = authorize_manual_weight(session, actor, lines, now)
    _append(session, actor, receipt, store, lines, approver, now)
    return lines


def _append(session: Session, actor: Actor, receipt: Receipt, store: Store,
            lines: Sequence[ReceiptLine], approver: int | None, now: datetime) -> None:
    # No autoflush: the new lines are written once, with their final prices, at the end.
    with session.no_autoflush:
        for line in lines:
            if line.is_manual_weight:
                line.manual_weight_approved_by_id = approver
            receipt.add_line(line)
        reprice(session, receipt, store, actor, now)


def authorize_manual_weight(session: Session, actor: Actor, lines: Sequence[ReceiptLine],
                             now: datetime) -> int | None:
    # Once per request and before anything is written: a refused approval commits its
    # failure count, and a one-time code is spent by its first use.
    manual = [line.sku for line in lines if line.is_manual_weight]
    if not manual:
        return None
    return authorize(session, actor, Right.MANUAL_WEIGHT, action="manual_weight",
                     target=",".join(manual)[:200], now=now)


def reprice(session: Session, receipt: Receipt, store: Store, actor: Actor,
            now: datetime, payment_forms: frozenset[str] | None = None) -> None:
    """Run pricing over the receipt and store each line's discounts and the trace."""
    if not receipt.lines:
        receipt.total_minor = receipt.discount_minor = 0
        receipt.pricing_trace = []
        return
    forms = payment_forms if payment_forms is not None else frozenset(
        p.kind for p in receipt.payments)
    facts = SaleFacts(now_local=now.astimezone(store.zone).replace(tzinfo=None),
                      store_id=store.id, cashier_group=actor.principal.user_group,
                      card_code=receipt.card_code, customer_ref=receipt.customer_ref,
                      payment_forms=forms, manual_discounts=tuple(receipt.manual_discounts))
    pricing = price_lines(session, priced_items(session, receipt.lines), facts)
    by_no = {line.line_no: line for line in receipt.lines}
    for priced in pricing.lines:
        line = by_no[priced.line_no]
        line.discount_minor, line.amount_minor = priced.discount_minor, priced.amount_minor
        line.discounts = [a.to_dict() for a in priced.applied]
    receipt.total_minor = pricing.total_minor
    receipt.discount_minor = pricing.discount_total_minor
    receipt.pricing_trace = trace_of(pricing)


def trace_of(pricing: Any) -> list[dict[str, Any]]:
    """Return a pricing's trace as stored with the receipt (the applied-discounts report)."""
    return [{"line_no": e.line_no, "event": e.event, **e.record.to_dict()}
            for e in pricing.trace]


def make_payment(request: PaymentRequest) -> ReceiptPayment:
    """Check a payment against its registered type and build the row."""
    kind = registry.payment_type(request.type)
    card = {"card_brand": request.card_brand, "card_last4": request.card_last4,
            "terminal_ref": request.terminal_ref}
    registry.reject_pans({**card, **request.details})
    given = {k: v for k, v in card.items() if v is not None}
    unexpected = sorted(set(given) - set(kind.fields))
    if unexpected:
        raise ValidationError(f"{kind.name} payments take no {unexpected[0]}",
                              code="unexpected_payment_field", field=unexpected[0])
    kind.check({**given, **request.details})
    if request.amount_minor <= 0:
        raise ValidationError("A payment is above zero", code="invalid_amount", field="amount")
    return ReceiptPayment(kind=kind.name, amount_minor=request.amount_minor,
                          gives_change=kind.gives_change, details=dict(request.details),
                          **card)


def close_in(session: Session, actor: Actor, receipt: Receipt, now: datetime) -> None:
    receipt.close(now)
    # The number is taken before the receipt is written, so a new receipt is inserted closed
    # and numbered (a loaded one updated) in a single flush.
    with session.no_autoflush:
        receipt.number = next_number(session, receipt.store_id, receipt.till_id)
    session.flush()
    record_closed(session, actor, receipt, now, segments_of(session, receipt))


def segments_of(session: Session, receipt: Receipt) -> frozenset[str]:
    # What the purchase history keeps of a named buyer's receipt; nothing for an anonymous one.
    if buyer_key(receipt.card_code, receipt.customer_ref) is None or not receipt.lines:
        return frozenset()
    return frozenset().union(*(p.segments for p in priced_items(session, receipt.lines)))


def cashier_name(actor: Actor) -> str:
    return actor.principal.full_name or actor.principal.username


def record_closed(session: Session, actor: Actor, receipt: Receipt, now: datetime,
                   segments: frozenset[str], document: dict[str, Any] | None = None) -> None:
    # Journal and fiscal outbox for the numbered receipt; daily totals for a named buyer.
    assert receipt.number is not None
    record_numbered(session, store_id=receipt.store_id, till_id=receipt.till_id,
                    kind=receipt.kind, document_id=receipt.id, number=receipt.number,
                    document=document or receipt_document(receipt, cashier_name(actor)), now=now)
    buyer = buyer_key(receipt.card_code, receipt.customer_ref)
    if buyer is None:
        return  # an anonymous sale has no history to keep
    store = session.get(Store, receipt.store_id)
    assert store is not None
    sign = -1 if receipt.kind == RETURN else 1
    record_purchase(session, buyer, store.local_date(receipt.closed_at or now),
                    sign * receipt.total_minor, segments)


def load_for_change(session: Session, actor: Actor, receipt_id: int, till_id: int | None,
                    now: datetime) -> Receipt:
    """Load an open receipt for a change: right till, own receipt or approved, shift open."""
    receipt = session.get(Receipt, receipt_id, with_for_update=True)
    if receipt is None:
        raise NotFoundError(f"No receipt {receipt_id}", code="receipt_not_found")
    if till_id is not None and receipt.till_id != till_id:
        raise ConflictError("The receipt belongs to another till", code="wrong_till")
    receipt.ensure_open()
    shift = session.get(Shift, receipt.shift_id)
    assert shift is not None
    shift.ensure_open()
    if receipt.cashier_id != actor.user_id:
        authorize(session, actor, Right.MANAGE_OTHERS_SHIFTS, action="others_receipt",
                  target=f"receipt:{receipt.id}", now=now, store_id=receipt.store_id)
    return receipt


def add_line(db: Database, actor: Actor, receipt_id: int, request: LineRequest,
             layouts: list[WeightLayout], now: datetime, till_id: int | None = None,
             on_write: OnWrite | None = None) -> Receipt:
    """Add a line by SKU or barcode."""
    with db.transaction() as session:
        receipt = load_for_change(session, actor, receipt_id, till_id, now)
        _add_lines(session, actor, receipt, [request], layouts, now)
        after_write(session, receipt, on_write)
        return receipt


def change_line(db: Database, actor: Actor, receipt_id: int, line_no: int, quantity: str,
                weight_source: str | None, now: datetime, till_id: int | None = None
                ) -> Receipt:
    """Change a line's quantity (and for weighed goods where the weight came from)."""
    with db.transaction() as session:
        receipt = load_for_change(session, actor, receipt_id, till_id, now)
        receipt.ensure_no_payments()
        line = receipt.line(line_no)
        new_quantity = parse_line_quantity(quantity)
        assert new_quantity is not None
        _apply_quantity(session, actor, line, new_quantity, weight_source, now)
        store = session.get(Store, receipt.store_id)
        assert store is not None
        reprice(session, receipt, store, actor, now)
        return receipt


def _apply_quantity(session: Session, actor: Actor, line: ReceiptLine, quantity: Decimal,
                    weight_source: str | None, now: datetime) -> None:
    item = session.get(Item, line.item_id)
    assert item is not None
    check_quantity(item, quantity)
    if line.weight_source == "barcode":
        raise ConflictError("A weight barcode's quantity cannot change",
                            code="quantity_from_barcode")
    source = line.weight_source
    if item.is_weighed:
        source = weight_source or "scale"
        if source not in WEIGHT_SOURCES:
            raise ValidationError("weight_source is scale or manual",
                                  code="invalid_weight_source", field="weight_source")
    approver = None
    if source == "manual":
        approver = authorize(session, actor, Right.MANUAL_WEIGHT, action="manual_weight",
                             target=line.sku, now=now)
    line.weight_source, line.manual_weight_approved_by_id = source, approver
    line.quantity_milli = int(quantity * MILLI)
    line.base_amount_minor = line_amount(line.unit_price_minor, quantity)


def remove_line(db: Database, actor: Actor, receipt_id: int, line_no: int, now: datetime,
                till_id: int | None = None) -> Receipt:
    """Remove a line."""
    with db.transaction() as session:
        receipt = load_for_change(session, actor, receipt_id, till_id, now)
        receipt.remove_line(line_no)
        store = session.get(Store, receipt.store_id)
        assert store is not None
        reprice(session, receipt, store, actor, now)
        return receipt


def add_payment(db: Database, actor: Actor, receipt_id: int, request: PaymentRequest,
                now: datetime, till_id: int | None = None, on_write: OnWrite | None = None
                ) -> Receipt:
    """Take a payment."""
    with db.transaction() as session:
        receipt = load_for_change(session, actor, receipt_id, till_id, now)
        payment = make_payment(request)
        if not receipt.payments:
            # The first payment decides the payment form that discounts may depend on.
            store = session.get(Store, receipt.store_id)
            assert store is not None
            reprice(session, receipt, store, actor, now, frozenset({payment.kind}))
        receipt.add_payment(payment)
        after_write(session, receipt, on_write)
        return receipt


def remove_payment(db: Database, actor: Actor, receipt_id: int, seq: int, now: datetime,
                   till_id: int | None = None) -> Receipt:
    """Take back a payment of an open receipt (audited).

    The first payment decided the payment form discounts may depend on; once the last payment
    is gone the receipt is priced again without one, so the next payment decides anew.
    """
    with db.transaction() as session:
        receipt = load_for_change(session, actor, receipt_id, till_id, now)
        payment = receipt.payment(seq)
        receipt.payments.remove(payment)
        audit.record(session, at=now, action="payment_removed", user_id=actor.user_id,
                     target=f"receipt:{receipt.id}", store_id=receipt.store_id,
                     details={"seq": seq, "kind": payment.kind,
                              "amount_minor": payment.amount_minor},
                     client_address=actor.client_address)
        if not receipt.payments:
            store = session.get(Store, receipt.store_id)
            assert store is not None
            reprice(session, receipt, store, actor, now, frozenset())
        return receipt


def close_receipt(db: Database, actor: Actor, receipt_id: int, now: datetime,
                  till_id: int | None = None, on_write: OnWrite | None = None) -> Receipt:
    """Close a fully paid receipt: number, journal, fiscal outbox."""
    with db.transaction() as session:
        receipt = load_for_change(session, actor, receipt_id, till_id, now)
        close_in(session, actor, receipt, now)
        after_write(session, receipt, on_write)
        return receipt


def after_write(session: Session, receipt: Receipt, on_write: OnWrite | None) -> None:
    # Last in the use case's transaction: a keyed request stores its answer with its effect.
    if on_write is not None:
        session.flush()
        on_write(session, receipt)


def void_receipt(db: Database, actor: Actor, receipt_id: int, now: datetime,
                 till_id: int | None = None) -> Receipt:
    """Void an open receipt; one with lines needs the void right or a manager's approval."""
    with db.transaction() as session:
        receipt = load_for_change(session, actor, receipt_id, till_id, now)
        approver = None
        if receipt.lines:
            approver = authorize(session, actor, Right.VOID_RECEIPT, action="void_receipt",
                                 target=f"receipt:{receipt.id}", now=now,
                                 store_id=receipt.store_id)
        receipt.void(actor.user_id, approver)
        return receipt


def get_receipt(db: Database, receipt_id: int) -> Receipt:
    """Return a receipt or raise ``receipt_not_found``."""
    with db.read() as session:
        receipt = session.get(Receipt, receipt_id)
        if receipt is None:
            raise NotFoundError(f"No receipt {receipt_id}", code="receipt_not_found")
        return receipt
