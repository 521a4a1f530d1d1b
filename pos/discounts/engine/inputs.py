"""What the engine prices: receipt lines and the facts about the sale around them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class LineInput:
    """Describe one receipt line as the catalog and the till know it.

    ``quantity`` has at most three places (kg for weighed goods); ``unit_price_minor`` is the
    shelf price in minor units. ``segments`` are the item segments (category, brand, "Coffee")
    discounts may target. ``is_discountable=False`` marks goods that by law or policy get no
    discount or markup (tobacco, say). ``is_gift`` marks a line the till added
    because the engine returned it as a gift line: only the gift benefit touches it.
    """

    line_no: int
    item_id: int
    quantity: Decimal
    unit_price_minor: int
    price_group: str | None = None
    segments: frozenset[str] = frozenset()
    is_discountable: bool = True
    is_gift: bool = False


@dataclass(frozen=True, slots=True)
class ManualDiscount:
    """Carry a discount the cashier gave on one line (``line_no``) or on the receipt (``None``).

    Exactly one of ``percent`` and ``amount_minor`` is set; a negative value is a markup. Limits
    and approvals are the receipt service's business, not the engine's.
    """

    id: str
    line_no: int | None = None
    percent: Decimal | None = None
    amount_minor: int | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Allowance:
    """Carry an amount the buyer may take off its receipts until it is used up (a rebate).

    It applies after every rule, on what the lines have left, and gives at most
    ``left_minor``; the service that keeps its balance decides whose it is and how much is left.
    """

    id: str
    name: str
    left_minor: int


@dataclass(frozen=True, slots=True)
class PricingContext:
    """Hold the facts about the sale that conditions look at.

    ``now_local`` is the store's local wall-clock time (naive): time-of-sale conditions are
    about the store's opening hours, not UTC. ``accumulated_volume_minor`` is the card's or
    customer's purchase volume over the program's rolling period, computed by the service.
    ``allowances`` are the buyer's, applied in order after the rule tree.
    """

    now_local: datetime
    store_id: int | None = None
    cashier_groups: frozenset[str] = frozenset()
    card_types: frozenset[str] = frozenset()
    card_id: str | None = None
    customer_id: str | None = None
    customer_segments: frozenset[str] = frozenset()
    payment_forms: frozenset[str] = frozenset()
    is_first_purchase: bool = False
    segments_bought_before: frozenset[str] = frozenset()
    accumulated_volume_minor: int = 0
    manual_discounts: tuple[ManualDiscount, ...] = field(default=())
    allowances: tuple[Allowance, ...] = field(default=())

    @property
    def has_known_buyer(self) -> bool:
        """Tell whether the buyer is identified by a card or a customer record."""
        return self.card_id is not None or self.customer_id is not None
