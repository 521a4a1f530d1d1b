"""Manual discounts: what a cashier gives on a line or the whole receipt, within a limit.

The limit is the cashier's user group's (refined per price group, see
``pos.discounts.limits``); above it the request needs a manager's approval (403
``approval_required`` until one comes), and every discount above a limit is audited. A manual
discount then takes part in the discount tree like any other (in the group that holds
manual discounts, or the root).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from pos.auth.approval import authorize
from pos.core import audit
from pos.core.context import Context
from pos.core.errors import NotFoundError, ValidationError
from pos.core.security import Actor, Right
from pos.discounts.limits import limit_for
from pos.receipts.lines import LoadedItems, priced_items
from pos.receipts.model import Receipt
from pos.receipts.repricing import reprice
from pos.receipts.service import load_for_change
from pos.stores.model import Store

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ManualRequest:
    """A manual discount: a percent or an amount, on one line or (no line) the receipt."""

    percent: Decimal | None = None
    amount_minor: int | None = None
    line_no: int | None = None
    reason: str = ""


def give(ctx: Context, receipt_id: int, request: ManualRequest) -> Receipt:
    """Give a manual discount; above the cashier's limit a manager must approve."""
    if (request.percent is None) == (request.amount_minor is None):
        raise ValidationError("Give a percent or an amount", code="percent_or_amount",
                              field="percent")
    actor, now = ctx.actor, ctx.now
    with ctx.db.transaction() as session:
        receipt = load_for_change(session, ctx, receipt_id)
        receipt.ensure_no_payments()
        items = LoadedItems()
        base, limit = _base_and_limit(session, receipt, actor, request.line_no, items)
        percent = request.percent if request.percent is not None else (
            Decimal(request.amount_minor or 0) * HUNDRED / base)
        if request.amount_minor is not None and request.amount_minor > base:
            raise ValidationError("The discount is larger than the amount it applies to",
                                  code="manual_discount_exceeds_amount", field="amount")
        approver = None
        if percent > limit:
            approver = _approve(session, actor, receipt, request, percent, limit, now)
        receipt.manual_discounts = [*receipt.manual_discounts, {
            "id": 1 + max((d["id"] for d in receipt.manual_discounts), default=0),
            "line_no": request.line_no,
            "percent": str(request.percent) if request.percent is not None else None,
            "amount_minor": request.amount_minor, "reason": request.reason,
            "given_by": actor.user_id, "approved_by": approver,
        }]
        _reprice(session, ctx, receipt, items)
        return receipt


def withdraw(ctx: Context, receipt_id: int, discount_id: int) -> Receipt:
    """Take a manual discount back off an open receipt."""
    with ctx.db.transaction() as session:
        receipt = load_for_change(session, ctx, receipt_id)
        receipt.ensure_no_payments()
        kept = [d for d in receipt.manual_discounts if d["id"] != discount_id]
        if len(kept) == len(receipt.manual_discounts):
            raise NotFoundError(f"No manual discount {discount_id} on this receipt",
                                code="manual_discount_not_found")
        receipt.manual_discounts = kept
        _reprice(session, ctx, receipt, LoadedItems())
        return receipt


def _reprice(session: Session, ctx: Context, receipt: Receipt, items: LoadedItems) -> None:
    store = session.get(Store, receipt.store_id)
    assert store is not None
    reprice(session, ctx, receipt, store, items)


def _base_and_limit(session: Session, receipt: Receipt, actor: Actor, line_no: int | None,
                    loaded: LoadedItems) -> tuple[int, Decimal]:
    """Return the amount the discount applies to and the strictest limit over its lines."""
    items = {p.line_no: p for p in priced_items(session, receipt.lines, loaded)
             if p.is_discountable}
    if line_no is not None:
        receipt.line(line_no)  # raises line_not_found
        if line_no not in items:
            raise ValidationError("This line takes no discounts", code="line_not_discountable",
                                  field="line_no")
        chosen = [line_no]
    else:
        chosen = sorted(items)
    if not chosen:
        raise ValidationError("No line of this receipt takes discounts",
                              code="line_not_discountable", field="line_no")
    by_no = {line.line_no: line for line in receipt.lines}
    base = sum(by_no[n].base_amount_minor for n in chosen)
    if base <= 0:
        raise ValidationError("Nothing to discount", code="manual_discount_exceeds_amount",
                              field="line_no")
    group = actor.principal.user_group
    limit = min(limit_for(session, group, items[n].price_group) for n in chosen)
    return base, limit


def _approve(session: Session, actor: Actor, receipt: Receipt, request: ManualRequest,
             percent: Decimal, limit: Decimal, now: datetime) -> int | None:
    asked = {"percent": str(percent.quantize(CENT)), "limit": str(limit.quantize(CENT))}
    details: dict[str, Any] = {**asked, "line_no": request.line_no}
    target = f"receipt:{receipt.id}"
    approver = authorize(session, actor, Right.APPROVE, action="manual_discount",
                         target=target, now=now, store_id=receipt.store_id,
                         till_id=receipt.till_id, details=details, shown=asked)
    if approver is None:  # a manager above the cashiers' limit: still on the record
        audit.record(session, at=now, action="manual_discount", user_id=actor.user_id,
                     target=target, store_id=receipt.store_id, details=details,
                     client_address=actor.client_address)
    return approver
