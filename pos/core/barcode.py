"""Barcodes, pure: GS1 check digits, kinds, and weight/price barcodes of restricted circulation.

A weight barcode is an EAN-13 whose prefix lies in 20-29 (GS1 "restricted circulation") and
whose digits follow a layout such as ``PPCCCCCWWWWWK``: P prefix, C the item's scale code
(PLU), W the weight in grams (or M a price in minor units), K the EAN-13 check digit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

EAN13, EAN8, UPCA, INTERNAL = "ean13", "ean8", "upca", "internal"
_GS1_LENGTHS = {13: EAN13, 8: EAN8, 12: UPCA}
MAX_INTERNAL_LENGTH = 64


class BarcodeError(ValueError):
    """Raise when a code is not a valid barcode; ``code`` is the stable problem code."""

    def __init__(self, message: str, code: str = "invalid_barcode") -> None:
        super().__init__(message)
        self.code = code


def gs1_check_digit(body: str) -> int:
    """Return the GS1 check digit of the digits before it (weights 3,1 from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_digits(text: str) -> bool:
    """Tell whether ``text`` is ASCII digits only (``str.isdigit`` also takes "²" and "٣")."""
    return text.isascii() and text.isdigit()


def has_valid_check_digit(code: str) -> bool:
    """Tell whether the last digit of a GS1 code is its check digit."""
    return is_digits(code) and len(code) > 1 and gs1_check_digit(code[:-1]) == int(code[-1])


def classify(code: str, kind: str | None = None) -> str:
    """Return the kind of a barcode, validating its check digit; raise ``BarcodeError``."""
    if not code or len(code) > MAX_INTERNAL_LENGTH or not code.isprintable() or " " in code:
        raise BarcodeError(f"{code!r} is not a barcode")
    if kind == INTERNAL:
        return INTERNAL
    gs1_kind = _GS1_LENGTHS.get(len(code)) if is_digits(code) else None
    if kind is not None and kind != gs1_kind:
        raise BarcodeError(f"{code!r} is not a valid {kind} code")
    if gs1_kind is None:
        return INTERNAL
    if not has_valid_check_digit(code):
        raise BarcodeError(f"{code!r} has a wrong check digit", code="invalid_check_digit")
    return gs1_kind


@dataclass(frozen=True)
class WeightLayout:
    """One layout of restricted-circulation barcodes and the prefixes that use it."""

    prefixes: frozenset[str]
    pattern: str

    @classmethod
    def parse(cls, prefixes: str, pattern: str) -> WeightLayout:
        """Build from settings like ``"20-25,28"`` and ``"PPCCCCCWWWWWK"``."""
        if len(pattern) != 13 or pattern[-1] != "K" or not pattern.startswith("PP"):
            raise ValueError(f"barcode layout {pattern!r} must be 13 letters, PP... K")
        if set(pattern) - set("PCWMK") or "C" not in pattern:
            raise ValueError(f"barcode layout {pattern!r} may use only P, C, W, M, K")
        if ("W" in pattern) == ("M" in pattern):
            raise ValueError(f"barcode layout {pattern!r} needs W (weight) or M (price)")
        return cls(_prefix_set(prefixes), pattern)

    def field(self, code: str, letter: str) -> str:
        """Return the digits of ``code`` under ``letter`` of the layout."""
        return "".join(d for d, p in zip(code, self.pattern, strict=True) if p == letter)


def _prefix_set(spec: str) -> frozenset[str]:
    out: set[str] = set()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        low, _, high = part.partition("-")
        for n in range(int(low), int(high or low) + 1):
            if not 20 <= n <= 29:
                raise ValueError(f"restricted-circulation prefixes lie in 20-29, not {n}")
            out.add(f"{n:02d}")
    return frozenset(out)


@dataclass(frozen=True)
class WeightBarcode:
    """What a weight or price barcode says: the item's scale code and a weight or a price."""

    plu: int
    weight_kg: Decimal | None
    amount_minor: int | None


def decode_weight_barcode(code: str, layouts: list[WeightLayout]) -> WeightBarcode | None:
    """Decode a restricted-circulation EAN-13, or return None if no layout claims its prefix."""
    if len(code) != 13 or not is_digits(code):
        return None
    layout = next((lay for lay in layouts if code[:2] in lay.prefixes), None)
    if layout is None:
        return None
    if not has_valid_check_digit(code):
        raise BarcodeError(f"{code!r} has a wrong check digit", code="invalid_check_digit")
    plu = int(layout.field(code, "C"))
    if "W" in layout.pattern:
        grams = int(layout.field(code, "W"))
        return WeightBarcode(plu, Decimal(grams).scaleb(-3), None)
    return WeightBarcode(plu, None, int(layout.field(code, "M")))


def encode_weight_barcode(prefix: str, plu: int, value: int, layout: WeightLayout) -> str:
    """Build a weight (grams) or price (minor units) barcode; the inverse of decoding."""
    letter = "W" if "W" in layout.pattern else "M"
    widths = {p: layout.pattern.count(p) for p in "PC" + letter}
    body = f"{prefix:0>{widths['P']}}{plu:0{widths['C']}d}{value:0{widths[letter]}d}"
    order = [p for p in layout.pattern[:-1]]
    digits = {"P": iter(body[: widths["P"]]), "C": iter(body[widths["P"] : -widths[letter]]),
              letter: iter(body[-widths[letter] :])}
    code = "".join(next(digits[p]) for p in order)
    return code + str(gs1_check_digit(code))
