"""Benefits: what a discount gives once its conditions hold.

Amounts are positive when they take money off and negative for a markup. The simple benefits
price a line (``off_line``) and, where it makes sense, a total spread over lines
(``off_total``, ``None`` when the benefit is per unit or per line). The unit benefits
(quantity discount, cheapest free, gift) pick whole units and live in ``units.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from pos.core.money import line_amount, percent_of

HUNDRED = Decimal(100)


class Per(StrEnum):
    """Say what a fixed amount is counted against."""

    UNIT = "unit"
    LINE = "line"
    DOCUMENT = "document"


def _fixed_amount(amount_minor: int, per: Per, quantity: Decimal) -> int:
    return line_amount(amount_minor, quantity) if per is Per.UNIT else amount_minor


@dataclass(frozen=True, slots=True)
class PercentOff:
    """Take a percent off the price."""

    percent: Decimal

    def off_line(self, base_minor: int, quantity: Decimal) -> int:
        """Return the discount on one line's amount."""
        return percent_of(base_minor, self.percent)

    def off_total(self, total_minor: int) -> int | None:
        """Return the discount on a total to spread over lines."""
        return percent_of(total_minor, self.percent)


@dataclass(frozen=True, slots=True)
class AmountOff:
    """Take a fixed amount off, per unit, per line or once per document."""

    amount_minor: int
    per: Per = Per.UNIT

    def off_line(self, base_minor: int, quantity: Decimal) -> int:
        """Return the discount on one line (a per-document amount counts once per line)."""
        return _fixed_amount(self.amount_minor, self.per, quantity)

    def off_total(self, total_minor: int) -> int | None:
        """Return the per-document amount to spread; per unit or line it is not spread."""
        return self.amount_minor if self.per is Per.DOCUMENT else None


@dataclass(frozen=True, slots=True)
class FixedPrice:
    """Sell at a fixed unit price; never raises a price already below it."""

    price_minor: int

    def off_line(self, base_minor: int, quantity: Decimal) -> int:
        """Return the difference to the fixed price, or nothing when the line is cheaper."""
        return max(0, base_minor - line_amount(self.price_minor, quantity))

    def off_total(self, total_minor: int) -> int | None:
        """Return ``None``: a fixed price is per unit on every scope."""
        return None


@dataclass(frozen=True, slots=True)
class Markup:
    """Put a percent or a fixed amount on top of the price (a negative discount)."""

    percent: Decimal | None = None
    amount_minor: int | None = None
    per: Per = Per.UNIT

    def off_line(self, base_minor: int, quantity: Decimal) -> int:
        """Return the markup on one line as a negative discount."""
        if self.percent is not None:
            return -percent_of(base_minor, self.percent)
        return -_fixed_amount(self.amount_minor or 0, self.per, quantity)

    def off_total(self, total_minor: int) -> int | None:
        """Return the markup on a total to spread over lines, as a negative discount."""
        if self.percent is not None:
            return -percent_of(total_minor, self.percent)
        return -(self.amount_minor or 0) if self.per is Per.DOCUMENT else None


@dataclass(frozen=True, slots=True)
class QuantityDiscount:
    """Give every ``every_nth`` unit of the discount's lines ``percent`` off ("buy 4, 5th free").

    ``cheapest_first`` discounts the cheapest units of the consumed sets; otherwise the n-th,
    2n-th... unit in line order. Only whole units count (a weighed line's fraction never does).
    ``max_per_receipt`` caps the sets discounted on one receipt (``None``: no cap).
    """

    every_nth: int
    percent: Decimal = HUNDRED
    cheapest_first: bool = True
    max_per_receipt: int | None = None


@dataclass(frozen=True, slots=True)
class CheapestFree:
    """Make the cheapest unit of every full set of ``set_size`` units free ("3 for 2").

    Units are ranked dearest first and cut into sets, so the customer never gets the cheapest
    units of the whole receipt free twice over ([10, 9, 8, 3, 2, 1] gives 8 and 1 free).
    ``max_per_receipt`` caps the free units on one receipt ("one free item per receipt").
    """

    set_size: int
    segment: str | None = None
    max_per_receipt: int | None = None


@dataclass(frozen=True, slots=True)
class Gift:
    """Give item ``gift_item_id`` at ``gift_price_minor`` for every ``required_qty`` units.

    The qualifying units are the discount's lines in ``required_segment``. If the gift item is
    on the receipt (a gift line added earlier first) its units are discounted to the gift
    price; gifts still owed are returned as gift lines for the till to add.
    ``max_per_receipt`` caps the gifts given on one receipt.
    """

    required_qty: int
    required_segment: str | None
    gift_item_id: int
    gift_price_minor: int = 0
    max_per_receipt: int | None = None


SimpleBenefit = PercentOff | AmountOff | FixedPrice | Markup
UnitBenefit = QuantityDiscount | CheapestFree | Gift
Benefit = SimpleBenefit | UnitBenefit
