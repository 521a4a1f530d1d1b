"""The one-shot upload on the wire: a plain finished receipt loaded by a direct path.

An offline till uploads its sales in bursts, and marshmallow's per-field machinery on a
20-line receipt costs a tenth of the upload. ``NewReceiptSchema`` stays the contract (the
OpenAPI document, the errors): a plainly valid upload (lines by SKU or code, payments of a
type and an amount, a bank card's with its brand, last four digits and terminal reference)
loads here to what the schema would load; anything else - a sale time, payment details, a
certificate sold, any doubt - goes to marshmallow, which loads it the same way or refuses it.
Tests hold both paths equal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import ValidationError

from pos.core.pan import holds_pan
from pos.core.schemas import MAX_ID, Money
from pos.receipts.quote_wire import is_text, plain_line

_RECEIPT_KEYS = frozenset({"till_id", "client_uuid", "lines", "payments", "card_code",
                           "customer_ref"})
_PAYMENT_KEYS = frozenset({"type", "amount"})
# A card payment's own fields, each with its longest: a text the schema takes as it is.
_CARD_FIELDS = {"card_brand": 32, "card_last4": None, "terminal_ref": 64}
_CARD_PAYMENT_KEYS = frozenset(_PAYMENT_KEYS | _CARD_FIELDS.keys())
_MAX_LINES, _MAX_PAYMENTS = 500, 20
_AMOUNT = Money(required=True)


def plain_receipt(data: Any) -> dict[str, Any] | None:
    """Return ``NewReceiptSchema``'s load of a plainly valid upload, or None to let it judge."""
    if type(data) is not dict or not data.keys() <= _RECEIPT_KEYS:
        return None
    till_id = data.get("till_id")
    if type(till_id) is not int or not 1 <= till_id <= MAX_ID:
        return None
    loaded: dict[str, Any] = {"till_id": till_id}
    for key, longest in (("client_uuid", None), ("card_code", 64), ("customer_ref", 64)):
        if key in data:
            if not is_text(data[key], longest):
                return None
            loaded[key] = data[key]
    requests, payments = data.get("lines", []), data.get("payments", [])
    if type(requests) is not list or len(requests) > _MAX_LINES:
        return None
    if type(payments) is not list or len(payments) > _MAX_PAYMENTS:
        return None
    quantities: dict[Any, Decimal] = {}
    lines = [plain_line(request, quantities) for request in requests]
    tenders = [_plain_payment(payment) for payment in payments]
    if None in lines or None in tenders:
        return None
    loaded["lines"], loaded["payments"] = lines, tenders
    return loaded


def _plain_payment(payment: Any) -> dict[str, Any] | None:
    """Return ``PaymentInSchema``'s load of a payment of a type and an amount, or None.

    A bank card's brand, last four digits and terminal reference load as they are, unless one
    could hold a card number: the schema refuses that by its own code.
    """
    if type(payment) is not dict:
        return None
    keys = payment.keys()
    if not _PAYMENT_KEYS <= keys <= _CARD_PAYMENT_KEYS:
        return None
    kind, amount = payment["type"], payment["amount"]
    # A type with no digit cannot hold a card number: the schema's own check has nothing to do.
    if not is_text(kind) or any(char.isdigit() for char in kind):
        return None
    if type(amount) not in (str, int):
        return None
    try:
        minor = _AMOUNT._deserialize(amount, None, None)  # (no validators: its own check)
    except ValidationError:
        return None
    loaded = {"type": kind, "amount": minor}
    if len(keys) > len(_PAYMENT_KEYS):
        for name, longest in _CARD_FIELDS.items():
            if name in payment:
                value = payment[name]
                if not is_text(value, longest) or holds_pan(name, value):
                    return None
                loaded[name] = value
    loaded["details"] = {}
    return loaded
