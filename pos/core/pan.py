"""Card numbers (PANs) are never stored: spot anything shaped like one and refuse it.

PCI DSS scope: the backend keeps a card payment's brand, last four digits and terminal
reference only. A run of 13 to 19 digits (spaces or dashes allowed inside) that passes the Luhn
check is taken for a card number.
"""

from __future__ import annotations

import re
from typing import Any

from pos.core.errors import ValidationError

_DIGIT_RUN = re.compile(r"\d[\d -]{11,}\d")


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
