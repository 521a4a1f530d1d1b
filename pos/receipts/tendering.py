"""A receipt's payments as tenders: checked against their registered type, value moved.

A payment type may carry a :class:`~pos.core.extensions.Tender` that holds value elsewhere (a
gift certificate, points): it is taken in the payment's own transaction and given back when the
payment is removed or the open receipt voided.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from pos.core.context import Context
from pos.core.errors import ValidationError
from pos.core.pan import reject_pans
from pos.core.registry import PaymentTypes
from pos.receipts.model import Receipt, ReceiptPayment


@dataclass(frozen=True)
class PaymentRequest:
    """A payment as the till sends it."""

    type: str
    amount_minor: int
    card_brand: str | None = None
    card_last4: str | None = None
    terminal_ref: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def make_payment(payment_types: PaymentTypes, request: PaymentRequest,
                 make: Callable[..., Any] = ReceiptPayment) -> Any:
    """Check a payment against its registered type and build the row."""
    kind = payment_types.get(request.type)
    card = {"card_brand": request.card_brand, "card_last4": request.card_last4,
            "terminal_ref": request.terminal_ref}
    given = {k: v for k, v in card.items() if v is not None}
    if given or request.details:  # (most payments are cash: a type and an amount)
        reject_pans({**given, **request.details})
    unexpected = sorted(set(given) - set(kind.fields))
    if unexpected:
        raise ValidationError(f"{kind.name} payments take no {unexpected[0]}",
                              code="unexpected_payment_field", field=unexpected[0])
    kind.check({**given, **request.details})
    if request.amount_minor <= 0:
        raise ValidationError("A payment is above zero", code="invalid_amount", field="amount")
    details = kind.tender.prepare(request.details) if kind.tender else dict(request.details)
    return make(kind=kind.name, amount_minor=request.amount_minor,
                gives_change=kind.gives_change, details=details, **card)


def take_tenders(session: Session, ctx: Context, receipt: Receipt,
                 payments: Sequence[ReceiptPayment]) -> None:
    """Let features refuse each payment, then move the value of those held elsewhere."""
    for payment in payments:
        ctx.registry.payment_guards.check(session, ctx, receipt, payment)
        tender = ctx.registry.payment_types.get(payment.kind).tender
        if tender is not None:
            tender.take(session, ctx, receipt, payment)


def give_back_tenders(session: Session, ctx: Context, receipt: Receipt,
                      payments: Sequence[ReceiptPayment]) -> None:
    """Undo ``take_tenders`` for payments taken back or an open receipt voided."""
    for payment in payments:
        tender = ctx.registry.payment_types.get(payment.kind).tender
        if tender is not None:
            tender.give_back(session, ctx, receipt, payment)
