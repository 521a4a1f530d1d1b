"""The registry of payment types: cash and card here; loyalty registers points and certificates.

A card payment carries the terminal's reference, the brand and the last four digits only.
The backend never stores a card number (PCI DSS scope): anything that looks like a PAN - a run
of 13 to 19 digits, spaces or dashes allowed, passing the Luhn check - in any card field is
refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pos.core.errors import ValidationError

_DIGIT_RUN = re.compile(r"\d[\d -]{11,}\d")
_LAST4 = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class PaymentType:
    """A way to pay: whether it gives change, which detail fields it takes, how it checks them."""

    name: str
    gives_change: bool = False
    fields: tuple[str, ...] = ()
    check: Callable[[dict[str, Any]], None] = field(default=lambda details: None)
    is_refundable: bool = True


_REGISTRY: dict[str, PaymentType] = {}


def register(payment_type: PaymentType) -> None:
    """Add (or replace) a payment type."""
    _REGISTRY[payment_type.name] = payment_type


def payment_type(name: str) -> PaymentType:
    """Return a registered payment type or raise ``unknown_payment_type``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValidationError(f"Unknown payment type {name!r}", code="unknown_payment_type",
                              field="type", extra={"known": sorted(_REGISTRY)}) from None


def names() -> list[str]:
    """Return the registered payment type names."""
    return sorted(_REGISTRY)


def luhn_ok(digits: str) -> bool:
    """Tell whether a digit string passes the Luhn checksum."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def looks_like_pan(text: str) -> bool:
    """Tell whether a text contains something shaped like a card number.

    Each run of digits (spaces and dashes allowed inside) of 13-19 digits is checked whole;
    a longer run is refused if any 13-19 digit window of it passes, to be safe.
    """
    for match in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if 13 <= len(digits) <= 19:
            if luhn_ok(digits):
                return True
        elif len(digits) > 19 and any(
                luhn_ok(digits[start:start + length])
                for length in range(13, 20) for start in range(len(digits) - length + 1)):
            return True
    return False


def reject_pans(values: dict[str, Any]) -> None:
    """Refuse any field whose text contains a PAN-looking number."""
    for name, value in values.items():
        if isinstance(value, str | int) and looks_like_pan(str(value)):
            raise ValidationError("Never send a card number; send brand and last four digits",
                                  code="card_number_rejected", field=name)


def _check_card(details: dict[str, Any]) -> None:
    last4 = details.get("card_last4")
    if last4 is not None and not _LAST4.match(str(last4)):
        raise ValidationError("card_last4 is exactly four digits", code="invalid_card_last4",
                              field="card_last4")


def register_defaults() -> None:
    """Register cash and card."""
    register(PaymentType("cash", gives_change=True))
    register(PaymentType("card", fields=("card_brand", "card_last4", "terminal_ref"),
                         check=_check_card))


register_defaults()
