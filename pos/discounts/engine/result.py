"""What pricing returns: priced lines with their explanation, gift lines, hints, the trace.

Everything converts to plain JSON-ready dicts (``to_dict``) with money as integer minor units
and quantities as decimal strings; the service formats money for people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .model import Kind, Rule

# A trace writes thousands of records: a dict read is cheaper than an enum's ``value``.
_KIND = {kind: kind.value for kind in Kind}
_RULE = {rule: rule.value for rule in Rule}

# The records a pricing makes by the hundred (lines, applied, displaced, hints, the trace's
# entries) are values nothing changes once made, but not frozen dataclasses: creating a
# frozen one costs about six times as much (each field is set through object.__setattr__),
# which was a fifth of a dense receipt's pricing.


@dataclass(slots=True, unsafe_hash=True)
class AppliedDiscount:
    """Record one discount's amount on one line and the group whose rule let it through."""

    discount_id: str
    name: str
    kind: Kind
    group_id: str
    group_name: str
    rule: Rule
    amount_minor: int

    def to_dict(self) -> dict[str, Any]:
        """Return the record as a JSON-ready dict."""
        return {
            "discount_id": self.discount_id,
            "name": self.name,
            "kind": _KIND[self.kind],
            "group_id": self.group_id,
            "group_name": self.group_name,
            "rule": _RULE[self.rule],
            "amount_minor": self.amount_minor,
        }


@dataclass(slots=True, unsafe_hash=True)
class DisplacedDiscount(AppliedDiscount):
    """Record a discount that fired on a line but lost, where, to what and by which rule.

    ``amount_minor`` is what it would have given there; ``displaced_by`` is the id of the
    winning discount or group; ``rule`` (max, min or priority) is the reason.
    """

    displaced_by: str

    def to_dict(self) -> dict[str, Any]:
        """Return the record as a JSON-ready dict."""
        record = AppliedDiscount.to_dict(self)
        record["displaced_by"] = self.displaced_by
        return record


@dataclass(frozen=True, slots=True)
class GiftLine:
    """Ask the till to add a gift: item, quantity and the unit price it is given at.

    Add it as a line with ``is_gift=True`` (at the catalog price or at this price): the next
    pricing discounts it to the gift price and asks for no further gift line.
    """

    item_id: int
    quantity: Decimal
    unit_price_minor: int
    discount_id: str
    name: str

    def to_dict(self) -> dict[str, Any]:
        """Return the gift line as a JSON-ready dict."""
        return {
            "item_id": self.item_id,
            "quantity": str(self.quantity),
            "unit_price_minor": self.unit_price_minor,
            "discount_id": self.discount_id,
            "name": self.name,
        }


@dataclass(slots=True, unsafe_hash=True)
class Hint:
    """Tell the till what is missing for a discount whose other conditions all hold.

    ``line_no`` names the line the shortfall is about under line scope; ``None`` means the
    receipt as a whole.
    """

    discount_id: str
    name: str
    condition: str
    shortfall_minor: int | None
    shortfall_quantity: Decimal | None
    segment: str | None
    message: str
    line_no: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the hint as a JSON-ready dict."""
        quantity = self.shortfall_quantity
        return {
            "discount_id": self.discount_id,
            "name": self.name,
            "condition": self.condition,
            "shortfall_minor": self.shortfall_minor,
            "shortfall_quantity": None if quantity is None else str(quantity),
            "segment": self.segment,
            "message": self.message,
            "line_no": self.line_no,
        }


@dataclass(slots=True, unsafe_hash=True)
class PricedLine:
    """Give one line's base amount, discount (negative for a markup) and the explanation.

    ``displaced`` is a read-only sequence; the engine may write its records out on first read.
    """

    line_no: int
    base_amount_minor: int
    discount_minor: int
    amount_minor: int
    applied: tuple[AppliedDiscount, ...] = ()
    displaced: Sequence[DisplacedDiscount] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the line and its explanation as a JSON-ready dict."""
        return {
            "line_no": self.line_no,
            "base_amount_minor": self.base_amount_minor,
            "discount_minor": self.discount_minor,
            "amount_minor": self.amount_minor,
            "applied": [a.to_dict() for a in self.applied],
            "displaced": [d.to_dict() for d in self.displaced],
        }


@dataclass(slots=True, unsafe_hash=True)
class TraceEntry:
    """Flatten one step of the explanation: a discount applied or displaced on a line."""

    line_no: int
    event: str
    record: AppliedDiscount | DisplacedDiscount


@dataclass(frozen=True, slots=True)
class Pricing:
    """Hold the priced receipt; ``total_minor`` is always the sum of the lines' amounts."""

    lines: tuple[PricedLine, ...]
    gift_lines: tuple[GiftLine, ...] = ()
    hints: tuple[Hint, ...] = ()
    # The lines whose units a gift benefit gave away: a receipt drops a gift line it added
    # once its line is no longer among them (the condition lapsed).
    gifted_line_nos: frozenset[int] = frozenset()

    @property
    def total_minor(self) -> int:
        """Return the receipt total after discounts."""
        return sum(line.amount_minor for line in self.lines)

    @property
    def discount_total_minor(self) -> int:
        """Return the discounts net of markups over the receipt."""
        return sum(line.discount_minor for line in self.lines)

    @property
    def trace(self) -> tuple[TraceEntry, ...]:
        """Return every applied and displaced record, line by line, in application order."""
        entries: list[TraceEntry] = []
        for line in self.lines:
            entries += [TraceEntry(line.line_no, "applied", a) for a in line.applied]
            entries += [TraceEntry(line.line_no, "displaced", d) for d in line.displaced]
        return tuple(entries)

    def summary(self) -> list[dict[str, Any]]:
        """Return each applied discount's total over the receipt, for the printed receipt."""
        totals: dict[str, dict[str, Any]] = {}
        for line in self.lines:
            for applied in line.applied:
                row = totals.setdefault(
                    applied.discount_id,
                    {"discount_id": applied.discount_id, "name": applied.name, "amount_minor": 0},
                )
                row["amount_minor"] += applied.amount_minor
        return list(totals.values())

    def to_dict(self) -> dict[str, Any]:
        """Return the whole result (lines with their trace, gifts, hints) as a JSON-ready dict."""
        return {
            "total_minor": self.total_minor,
            "discount_total_minor": self.discount_total_minor,
            "lines": [line.to_dict() for line in self.lines],
            "gift_lines": [gift.to_dict() for gift in self.gift_lines],
            "hints": [hint.to_dict() for hint in self.hints],
            "summary": self.summary(),
        }
