"""Conditions of a discount: each answers met, or missing with a measurable shortfall.

The conditions that measure what is bought (volume, quantity, a trial segment) also answer for
one line (``check_line``): under line scope they are judged on each line's own amount and
quantity (seed 002). The others are facts about the sale and hold for every line alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import ClassVar

from .basket import Basket
from .inputs import LineInput, PricingContext


@dataclass(frozen=True, slots=True)
class Check:
    """Answer one condition: met, or missing (with the shortfall when it can be measured)."""

    is_met: bool
    shortfall_minor: int | None = None
    shortfall_quantity: Decimal | None = None

    @property
    def is_measurable(self) -> bool:
        """Tell whether the buyer could meet the condition by adding to this receipt."""
        return self.shortfall_minor is not None or self.shortfall_quantity is not None


MET = Check(True)
UNMET = Check(False)


def _met_if(flag: bool) -> Check:
    return MET if flag else UNMET


@dataclass(frozen=True, slots=True)
class ReceiptVolume:
    """Require this receipt's amount or quantity (of a segment, or overall) to reach a floor."""

    code: ClassVar[str] = "receipt_volume"
    min_amount_minor: int | None = None
    min_quantity: Decimal | None = None
    segment: str | None = None

    def check(self, basket: Basket, context: PricingContext) -> Check:
        """Compare the receipt's volume with the floor."""
        if self.min_amount_minor is not None:
            missing = self.min_amount_minor - basket.amount_in(self.segment)
            if missing > 0:
                return Check(False, shortfall_minor=missing)
        if self.min_quantity is not None:
            short = self.min_quantity - basket.quantity_in(self.segment)
            if short > 0:
                return Check(False, shortfall_quantity=short)
        return MET

    def check_line(self, line: LineInput, amount_minor: int, context: PricingContext) -> Check:
        """Compare one line's amount and quantity with the floor (a line of the segment)."""
        if self.segment is not None and self.segment not in line.segments:
            return UNMET  # no more of this line ever counts towards another segment
        if self.min_amount_minor is not None and amount_minor < self.min_amount_minor:
            return Check(False, shortfall_minor=self.min_amount_minor - amount_minor)
        if self.min_quantity is not None and line.quantity < self.min_quantity:
            return Check(False, shortfall_quantity=self.min_quantity - line.quantity)
        return MET


@dataclass(frozen=True, slots=True)
class SegmentQuantity:
    """Require at least ``min_quantity`` of a segment's items on the receipt."""

    code: ClassVar[str] = "segment_quantity"
    segment: str
    min_quantity: Decimal

    def check(self, basket: Basket, context: PricingContext) -> Check:
        """Compare the segment's quantity on the receipt with the floor."""
        short = self.min_quantity - basket.quantity_in(self.segment)
        return MET if short <= 0 else Check(False, shortfall_quantity=short)

    def check_line(self, line: LineInput, amount_minor: int, context: PricingContext) -> Check:
        """Compare one line's quantity with the floor (a line of the segment)."""
        if self.segment not in line.segments:
            return UNMET
        short = self.min_quantity - line.quantity
        return MET if short <= 0 else Check(False, shortfall_quantity=short)


@dataclass(frozen=True, slots=True)
class AccumulatedVolume:
    """Require the card's or customer's accumulated purchases to reach a floor.

    Missing it gives no hint: the period's volume is not reached by adding to this receipt.
    """

    code: ClassVar[str] = "accumulated_volume"
    min_minor: int

    def check(self, basket: Basket, context: PricingContext) -> Check:
        """Compare the accumulated volume from the context with the floor."""
        return _met_if(context.accumulated_volume_minor >= self.min_minor)


@dataclass(frozen=True, slots=True)
class FirstPurchase:
    """Require this to be the first purchase of the identified customer or card."""

    code: ClassVar[str] = "first_purchase"

    def check(self, basket: Basket, context: PricingContext) -> Check:
        """Read the first-purchase flag; an anonymous buyer never qualifies."""
        return _met_if(context.has_known_buyer and context.is_first_purchase)


@dataclass(frozen=True, slots=True)
class FirstPurchaseFromSegment:
    """Require a segment's item on the receipt that the buyer never bought before (trial)."""

    code: ClassVar[str] = "first_purchase_from_segment"
    segment: str

    def check(self, basket: Basket, context: PricingContext) -> Check:
        """Look for the segment on the receipt and in the buyer's history."""
        # An anonymous buyer has an empty history and would get the trial discount every time.
        is_new = self.segment not in context.segments_bought_before
        on_receipt = basket.quantity_in(self.segment) > 0
        return _met_if(context.has_known_buyer and is_new and on_receipt)

    def check_line(self, line: LineInput, amount_minor: int, context: PricingContext) -> Check:
        """Tell whether the line is of the segment and the buyer never bought it before."""
        is_new = self.segment not in context.segments_bought_before
        return _met_if(context.has_known_buyer and is_new and self.segment in line.segments)


@dataclass(frozen=True, slots=True)
class TimeRange:
    """Span ``start`` (inclusive) to ``end`` (exclusive); ``start > end`` runs past midnight."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        """Tell whether a wall-clock time falls in the span."""
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True, slots=True)
class TimeOfSale:
    """Require the store's local time on given weekdays (0 = Monday) and within time ranges.

    Empty ``weekdays`` means every day; empty ``ranges`` means the whole day. A range past
    midnight is judged by the weekday of the moment itself, as the shelf label reads.
    """

    code: ClassVar[str] = "time_of_sale"
    weekdays: frozenset[int] = frozenset()
    ranges: tuple[TimeRange, ...] = ()

    def check(self, basket: Basket, context: PricingContext) -> Check:
        """Compare the context's local time with the weekdays and ranges."""
        now = context.now_local
        if self.weekdays and now.weekday() not in self.weekdays:
            return UNMET
        moment = now.time()
        return _met_if(not self.ranges or any(r.contains(moment) for r in self.ranges))


@dataclass(frozen=True, slots=True)
class PaymentForm:
    """Require one of the payment forms (``cash``, ``card``...) among the receipt's payments."""

    code: ClassVar[str] = "payment_form"
    forms: frozenset[str]

    def check(self, basket: Basket, context: PricingContext) -> Check:
        """Intersect the allowed forms with the context's payment forms."""
        return _met_if(not self.forms.isdisjoint(context.payment_forms))


@dataclass(frozen=True, slots=True)
class CardTypes:
    """Require a card of one of the given types among those the context presents."""

    code: ClassVar[str] = "card_types"
    types: frozenset[str]

    def check(self, basket: Basket, context: PricingContext) -> Check:
        """Intersect the allowed card types with the cards presented."""
        return _met_if(not self.types.isdisjoint(context.card_types))


@dataclass(frozen=True, slots=True)
class CashierGroup:
    """Require the cashier to belong to one of the user groups."""

    code: ClassVar[str] = "cashier_group"
    groups: frozenset[str]

    def check(self, basket: Basket, context: PricingContext) -> Check:
        """Intersect the allowed groups with the cashier's groups."""
        return _met_if(not self.groups.isdisjoint(context.cashier_groups))


@dataclass(frozen=True, slots=True)
class CustomerSegment:
    """Require the customer to belong to one of the customer segments."""

    code: ClassVar[str] = "customer_segment"
    segments: frozenset[str]

    def check(self, basket: Basket, context: PricingContext) -> Check:
        """Intersect the allowed segments with the customer's segments."""
        return _met_if(not self.segments.isdisjoint(context.customer_segments))


@dataclass(frozen=True, slots=True)
class StoreIn:
    """Require the sale to happen in one of the listed stores."""

    code: ClassVar[str] = "store_in"
    store_ids: frozenset[int]

    def check(self, basket: Basket, context: PricingContext) -> Check:
        """Look the context's store up in the list."""
        return _met_if(context.store_id in self.store_ids)


@dataclass(frozen=True, slots=True)
class DateRange:
    """Require the store's local date within ``start``..``end``, both inclusive, either open."""

    code: ClassVar[str] = "date_range"
    start: date | None = None
    end: date | None = None

    def check(self, basket: Basket, context: PricingContext) -> Check:
        """Compare the local date with the bounds."""
        today = context.now_local.date()
        after_start = self.start is None or today >= self.start
        return _met_if(after_start and (self.end is None or today <= self.end))


Condition = (
    ReceiptVolume
    | SegmentQuantity
    | AccumulatedVolume
    | FirstPurchase
    | FirstPurchaseFromSegment
    | TimeOfSale
    | PaymentForm
    | CardTypes
    | CashierGroup
    | CustomerSegment
    | StoreIn
    | DateRange
)


LineCondition = ReceiptVolume | SegmentQuantity | FirstPurchaseFromSegment
"""The conditions that measure what is bought, and so can be judged on one line."""


def is_judged_per_line(condition: Condition) -> bool:
    """Tell whether a condition measures what is bought (judged per line under line scope)."""
    return isinstance(condition, ReceiptVolume | SegmentQuantity | FirstPurchaseFromSegment)
