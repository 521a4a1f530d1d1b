"""The receipt as conditions see it: base amounts and volumes, computed once per pricing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pos.core.errors import ValidationError
from pos.core.money import line_amount

from .inputs import LineInput


class EngineInputError(ValidationError):
    """Raise when the lines given to the engine cannot be priced; ``code`` is stable."""

    def __init__(self, code: str, message: str, field: str) -> None:
        super().__init__(message, code=code, field=field)


@dataclass(frozen=True, slots=True)
class Basket:
    """Hold the lines by number, their base amounts and the volumes conditions measure.

    Volumes count only discountable, non-gift lines: goods excluded from discounts and the gift
    lines the engine asked for must not earn a "spend 3000.00" discount.
    """

    lines: tuple[LineInput, ...]
    by_no: dict[int, LineInput]
    base: dict[int, int]
    volume_minor: int
    volume_quantity: Decimal
    segment_minor: dict[str, int]
    segment_quantity: dict[str, Decimal]

    def amount_in(self, segment: str | None) -> int:
        """Return the base amount of counted lines, in one segment or on the whole receipt."""
        if segment is None:
            return self.volume_minor
        return self.segment_minor.get(segment, 0)

    def quantity_in(self, segment: str | None) -> Decimal:
        """Return the quantity of counted lines, in one segment or on the whole receipt."""
        if segment is None:
            return self.volume_quantity
        return self.segment_quantity.get(segment, Decimal(0))


def build_basket(lines: Sequence[LineInput]) -> Basket:
    """Check the lines and compute base amounts (price x quantity rounded once) and volumes."""
    by_no: dict[int, LineInput] = {}
    base: dict[int, int] = {}
    segment_minor: dict[str, int] = {}
    segment_quantity: dict[str, Decimal] = {}
    volume_minor = 0
    volume_quantity = Decimal(0)
    for index, line in enumerate(lines):
        _check_line(index, line, by_no)
        by_no[line.line_no] = line
        amount = line_amount(line.unit_price_minor, line.quantity)
        base[line.line_no] = amount
        if not line.is_discountable or line.is_gift:
            continue
        volume_minor += amount
        volume_quantity += line.quantity
        for segment in line.segments:
            segment_minor[segment] = segment_minor.get(segment, 0) + amount
            segment_quantity[segment] = segment_quantity.get(segment, Decimal(0)) + line.quantity
    return Basket(
        tuple(lines), by_no, base, volume_minor, volume_quantity, segment_minor, segment_quantity
    )


def _check_line(index: int, line: LineInput, seen: dict[int, LineInput]) -> None:
    where = f"lines[{index}]"
    if line.line_no in seen:
        message = f"line {line.line_no} appears twice"
        raise EngineInputError("duplicate_line_no", message, f"{where}.line_no")
    if line.quantity <= 0:
        message = f"line {line.line_no}: quantity must be above zero"
        raise EngineInputError("quantity_not_positive", message, f"{where}.quantity")
    if line.unit_price_minor < 0:
        message = f"line {line.line_no}: negative price"
        raise EngineInputError("price_negative", message, f"{where}.unit_price_minor")
