"""Returns: a fiscal document of its own that refunds part or all of a closed sale.

What a line refunds is computed cumulatively - the refund of the first ``k`` units returned so
far is ``allocate(amount, [k, sold - k])[0]`` - so partial returns of one line always add up to
exactly what was paid for it, discounts taken back in proportion. The refund is split over the
sale's payments in proportion to what each may still refund, so cash goes back as cash and card
back to card, and no payment is ever refunded more than it paid.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos.auth.approval import admit, authorize
from pos.core.barcode import WeightLayout
from pos.core.context import Context
from pos.core.errors import ConflictError, NotFoundError, ValidationError
from pos.core.money import allocate
from pos.core.scope import sees
from pos.core.security import Right
from pos.discounts.engine import Kind
from pos.receipts.closing import OnWrite, after_write, close_in
from pos.receipts.lines import LineRequest, LoadedItems, parse_line_quantity, resolve_lines
from pos.receipts.model import (
    CLOSED,
    MILLI,
    OPEN,
    RETURN,
    SALE,
    Receipt,
    ReceiptLine,
    ReceiptPayment,
)
from pos.receipts.opening import Opened, by_client_uuid, parse_client_uuid
from pos.shifts.model import Shift, open_shift_id
from pos.shifts.report import shift_totals
from pos.shifts.service import till_place
from pos.stores.model import Store, Till
from pos.stores.service import get_till, till_not_found


@dataclass(frozen=True)
class ReturnLine:
    """A line to return: the original line's number, or an SKU/barcode without a receipt."""

    quantity: str | Decimal
    line_no: int | None = None
    sku: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class NewReturn:
    """A return to record and close in one transaction."""

    till_id: int
    lines: tuple[ReturnLine, ...]
    original_receipt_id: int | None = None
    client_uuid: str | None = None


def create_return(ctx: Context, cmd: NewReturn, on_write: OnWrite | None = None) -> Opened:
    """Record, refund and close a return (applied once per client UUID)."""
    if not cmd.lines:
        raise ValidationError("A return needs lines", code="receipt_empty", field="lines")
    client_uuid = parse_client_uuid(cmd.client_uuid)
    actor, now = ctx.actor, ctx.now
    with ctx.db.transaction() as session:
        till, existing = _till_for_return(session, ctx, cmd.till_id, client_uuid)
        if existing is not None:
            return Opened(existing, False)
        approver = None
        if cmd.original_receipt_id is None:
            # Authorise before writing: a refused approval commits its failure count.
            approver = authorize(session, actor, Right.RETURN_WITHOUT_RECEIPT,
                                 action="return_without_receipt", target=f"till:{till.id}",
                                 now=now, store_id=till.store_id, till_id=till.id)
        doc = Receipt(store_id=till.store_id, till_id=till.id,
                      shift_id=open_shift_id(session, till.id, now), kind=RETURN, state=OPEN,
                      client_uuid=client_uuid, cashier_id=actor.user_id, opened_at=now,
                      approved_by_id=approver, total_minor=0, discount_minor=0,
                      change_minor=0, pricing_trace=[], manual_discounts=[], lines=[],
                      payments=[])
        session.add(doc)
        if cmd.original_receipt_id is None:
            _without_receipt(session, doc, cmd, ctx.layouts, now)
        else:
            _with_receipt(session, doc, cmd, now)
        doc.total_minor = sum(line.amount_minor for line in doc.lines)
        doc.discount_minor = sum(line.discount_minor for line in doc.lines)
        _route_refunds(session, ctx, doc)
        _check_drawer(session, doc)
        close_in(session, ctx, doc)
        _refund_tenders(session, ctx, doc)
        after_write(session, doc, on_write)
        return Opened(doc, True)


def _route_refunds(session: Session, ctx: Context, doc: Receipt) -> None:
    # A type may send its refund out as another (a certificate no longer valid, as cash).
    for payment in doc.payments:
        route = ctx.registry.payment_types.get(payment.kind).refund_as
        if route is None or payment.original_payment_id is None:
            continue
        original = session.get(ReceiptPayment, payment.original_payment_id)
        assert original is not None
        kind = ctx.registry.payment_types.get(route(session, ctx, original))
        if kind.name != payment.kind:
            payment.details = {"refund_of": payment.kind,
                               **{k: v for k, v in original.details.items() if k != "digest"}}
            payment.kind, payment.gives_change = kind.name, kind.gives_change


def _refund_tenders(session: Session, ctx: Context, doc: Receipt) -> None:
    # Points or a certificate's balance go back to where the sale took them from.
    for payment in doc.payments:
        tender = ctx.registry.payment_types.get(payment.kind).tender
        if tender is None or payment.original_payment_id is None:
            continue
        original = session.get(ReceiptPayment, payment.original_payment_id)
        assert original is not None
        tender.refund(session, ctx, doc, payment, original)


def _till_for_return(session: Session, ctx: Context, till_id: int, client_uuid: str
                     ) -> tuple[Till, Receipt | None]:
    # The till, and the return already recorded under this client UUID if the actor may see
    # it. Another's till or store is 404 (its id unrevealed) unless a manager approves.
    actor = ctx.actor
    till = get_till(session, till_id)
    place = till_place(session, actor.principal, till.store_id, till.id)
    existing = by_client_uuid(session, till.store_id, client_uuid)
    if existing is not None and sees(actor.principal, place, made_by_id=existing.cashier_id):
        return till, existing
    admit(session, actor, place, action="return_on_others_till", target=f"till:{till.id}",
          now=ctx.now, not_found=till_not_found(till.id))
    return till, None


def _check_drawer(session: Session, doc: Receipt) -> None:
    # Cash goes back from this till's drawer: never more than the shift expects to be in it.
    cash = sum(p.amount_minor for p in doc.payments if p.kind == "cash")
    if not cash:
        return
    shift = session.get(Shift, doc.shift_id)
    assert shift is not None
    shift.ensure_can_pay_out(cash, shift_totals(session, shift)["cash"]["expected_minor"],
                             is_refund=True)


def _without_receipt(session: Session, doc: Receipt, cmd: NewReturn,
                     layouts: Sequence[WeightLayout], now: datetime) -> None:
    if any(r.sku is None and r.code is None for r in cmd.lines):
        raise ValidationError("Without a receipt, name each item by sku or code",
                              code="line_needs_item", field="lines")
    store = session.get(Store, doc.store_id)
    assert store is not None
    requests = [LineRequest(sku=r.sku, code=r.code, quantity=r.quantity) for r in cmd.lines]
    for line in resolve_lines(session, store, requests, layouts, now, LoadedItems()):
        doc.add_line(line)
    total = sum(line.amount_minor for line in doc.lines)
    doc.payments.append(ReceiptPayment(seq=1, kind="cash", amount_minor=total,
                                       gives_change=True, details={}))


def _with_receipt(session: Session, doc: Receipt, cmd: NewReturn, now: datetime) -> None:
    original = session.get(Receipt, cmd.original_receipt_id, with_for_update=True)
    if original is None or original.store_id != doc.store_id:
        raise NotFoundError(f"No receipt {cmd.original_receipt_id}", code="receipt_not_found",
                            field="original_receipt_id")
    if original.kind != SALE or original.state != CLOSED:
        raise ConflictError("Only a closed sale can be returned", code="not_returnable")
    doc.original_receipt_id = original.id
    # The buyer of the sale is the buyer of the return: their accumulated volume goes down.
    doc.card_code, doc.customer_ref = original.card_code, original.customer_ref
    before = _returned_before(session, original.id)
    wanted = _wanted(original, cmd.lines)
    for line_no, quantity_milli in wanted.items():
        line = original.line(line_no)
        done_milli, done_minor, done_discount = before.get(line.id, (0, 0, 0))
        if done_milli + quantity_milli > line.quantity_milli:
            raise ValidationError(f"Line {line_no}: more than sold minus returned",
                                  code="return_exceeds_sold", field="lines",
                                  extra={"line_no": line_no})
        doc.add_line(_refund_line(line, done_milli, quantity_milli, done_minor, done_discount))
    _split_refund(session, original, doc)


def _wanted(original: Receipt, requests: Sequence[ReturnLine]) -> dict[int, int]:
    wanted: dict[int, int] = defaultdict(int)
    for request in requests:
        if request.line_no is None:
            raise ValidationError("Name the original line by line_no", code="line_needs_item",
                                  field="lines")
        line = original.line(request.line_no)
        quantity = parse_line_quantity(request.quantity)
        assert quantity is not None
        if not line.is_weighed and quantity != quantity.to_integral_value():
            raise ValidationError(f"{line.sku} is sold by the piece", code="fractional_quantity",
                                  field="quantity")
        wanted[request.line_no] += int(quantity * MILLI)
    return dict(wanted)


def _returned_before(session: Session, original_id: int) -> dict[int, tuple[int, int, int]]:
    rows = session.execute(
        select(ReceiptLine.original_line_id, func.sum(ReceiptLine.quantity_milli),
               func.sum(ReceiptLine.amount_minor), func.sum(ReceiptLine.discount_minor))
        .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
        .where(Receipt.original_receipt_id == original_id, Receipt.state == CLOSED)
        .group_by(ReceiptLine.original_line_id))
    return {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in rows}


def _share(total: int, part_milli: int, whole_milli: int) -> int:
    if part_milli >= whole_milli:
        return total
    return allocate(total, [part_milli, whole_milli - part_milli])[0]


def _refund_line(line: ReceiptLine, done_milli: int, quantity_milli: int, done_minor: int,
                 done_discount: int) -> ReceiptLine:
    upto = done_milli + quantity_milli
    amount = _share(line.amount_minor, upto, line.quantity_milli) - done_minor
    discount = _share(line.discount_minor, upto, line.quantity_milli) - done_discount
    return ReceiptLine(item_id=line.item_id, sku=line.sku, name=line.name, code=line.code,
                       quantity_milli=quantity_milli, unit_price_minor=line.unit_price_minor,
                       base_amount_minor=amount + discount, discount_minor=discount,
                       amount_minor=amount, vat_rate=line.vat_rate, is_weighed=line.is_weighed,
                       weight_source=line.weight_source,
                       discounts=_allowance_shares(line, done_milli, upto),
                       original_line_id=line.id, certificate_type_id=line.certificate_type_id,
                       certificate_id=line.certificate_id)


def _allowance_shares(line: ReceiptLine, done_milli: int, upto_milli: int
                      ) -> list[dict[str, Any]]:
    # What of the sale line's rebate allowance these units refund: it goes back to the
    # allowance (loyalty hears the closed return), cumulatively exact like the amount.
    shares = []
    for applied in line.discounts or ():
        if applied.get("kind") == Kind.ALLOWANCE.value:
            whole = applied["amount_minor"]
            part = (_share(whole, upto_milli, line.quantity_milli)
                    - _share(whole, done_milli, line.quantity_milli))
            if part:
                shares.append({**applied, "amount_minor": part})
    return shares


def _split_refund(session: Session, original: Receipt, doc: Receipt) -> None:
    refunded = dict(session.execute(
        select(ReceiptPayment.original_payment_id, func.sum(ReceiptPayment.amount_minor))
        .join(Receipt, Receipt.id == ReceiptPayment.receipt_id)
        .where(Receipt.original_receipt_id == original.id, Receipt.state == CLOSED)
        .group_by(ReceiptPayment.original_payment_id)).all())
    sources = original.payments
    room = [original.applied_minor(p) - int(refunded.get(p.id, 0)) for p in sources]
    total = sum(line.amount_minor for line in doc.lines)
    if total == 0:
        return
    if sum(room) < total:
        raise ConflictError("Nothing left to refund on this receipt", code="nothing_to_refund")
    for seq, (source, part) in enumerate(zip(sources, allocate(total, room), strict=True)):
        if part:
            doc.payments.append(ReceiptPayment(
                seq=seq + 1, kind=source.kind, amount_minor=part,
                gives_change=source.gives_change, card_brand=source.card_brand,
                card_last4=source.card_last4, terminal_ref=source.terminal_ref, details={},
                original_payment_id=source.id))
