"""Card numbers: 13 digits, an EAN-13 check digit, and never shaped like a bank card number.

A card number travels in fields a bank card number must never cross (``card_code``, a holder's
sign-in, a path). The PAN guard (:mod:`pos.core.pan`) refuses any 13-19 digit run that passes
Luhn outside the barcode fields, so numbers we issue are chosen to fail Luhn: they pass the
guard in every field, and a scanner reads them as ordinary EAN-13 barcodes.
"""

from __future__ import annotations

import functools

from pos.core.pan import luhn_ok

LENGTH = 13


def ean_check_digit(first12: str) -> str:
    """Return the EAN-13 check digit of twelve digits."""
    total = sum(map(int, first12[0::2])) + 3 * sum(map(int, first12[1::2]))
    return str((10 - total % 10) % 10)


def is_valid_number(text: str) -> bool:
    """Tell whether ``text`` is a well-formed card number (13 digits, right check digit)."""
    return len(text) == LENGTH and _is_valid_13(text)


@functools.lru_cache(maxsize=4096)  # a store's regular customers' cards: a sale checks twice
def _is_valid_13(text: str) -> bool:
    # (only 13 characters are kept: a long string sent as a number is never held)
    return text.isascii() and text.isdigit() and ean_check_digit(text[:12]) == text[12]


def number_for(prefix: str, serial: int) -> str | None:
    """Return the number of ``serial`` under ``prefix``; None if it would look like a PAN."""
    body = f"{prefix}{serial:0{12 - len(prefix)}d}"
    if len(body) != 12:
        raise ValueError(f"serial {serial} does not fit after prefix {prefix!r}")
    number = body + ean_check_digit(body)
    return None if luhn_ok(number) else number


def numbers_from(prefix: str, first_serial: int, count: int) -> tuple[list[str], int]:
    """Return ``count`` numbers from ``first_serial`` on (skipping PAN-shaped ones), next serial."""
    numbers: list[str] = []
    serial = first_serial
    while len(numbers) < count:
        number = number_for(prefix, serial)
        serial += 1
        if number is not None:
            numbers.append(number)
    return numbers, serial
