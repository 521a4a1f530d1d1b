"""The payment types receipts bring: cash (gives change) and card (no card number, ever).

A card payment carries the terminal's reference, the brand and the last four digits only;
anything shaped like a card number in its fields is refused (:mod:`pos.core.pan`).
"""

from __future__ import annotations

import re
from typing import Any

from pos.core.errors import ValidationError
from pos.core.registry import PaymentType, PaymentTypes

_LAST4 = re.compile(r"^\d{4}$")


def _check_card(details: dict[str, Any]) -> None:
    last4 = details.get("card_last4")
    if last4 is not None and not _LAST4.match(str(last4)):
        raise ValidationError("card_last4 is exactly four digits", code="invalid_card_last4",
                              field="card_last4")


def register_payment_types(payment_types: PaymentTypes) -> None:
    """Register cash and card."""
    payment_types.register(PaymentType("cash", gives_change=True))
    payment_types.register(PaymentType("card", fields=("card_brand", "card_last4",
                                                       "terminal_ref"), check=_check_card))
