"""Stored discount documents <-> the engine's dataclasses, and JSON-safe storage values.

Storage keeps the API's shape with money in minor units, percents and quantities as decimal
strings, dates as ISO strings and times as ``HH:MM``: plain JSON on both databases.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

from pos.discounts import engine as e

_DATE_KEYS = {"start", "end"}
# Stored as decimal strings; the schemas' Quantity field dumps a Decimal, never a string.
_QUANTITY_KEYS = {"min_quantity"}


def to_storage(value: Any) -> Any:
    """Make a loaded schema value JSON-safe for a JSON column."""
    if isinstance(value, dict):
        return {k: to_storage(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_storage(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_storage(value: Any, key: str | None = None) -> Any:
    """Turn stored strings back into dates, times and quantities, for the schemas' dump."""
    if isinstance(value, dict):
        if set(value) == {"start", "end"} and all(isinstance(v, str) and ":" in v
                                                   for v in value.values()):
            return {k: time.fromisoformat(v) for k, v in value.items()}
        return {k: from_storage(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [from_storage(v) for v in value]
    if key in _DATE_KEYS and isinstance(value, str):
        return date.fromisoformat(value)
    if key in _QUANTITY_KEYS and value is not None:
        return Decimal(str(value))
    return value


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def benefit(doc: dict[str, Any]) -> e.Benefit:
    """Build an engine benefit from its stored document."""
    kind = doc["type"]
    per = e.Per(doc.get("per", "unit"))
    if kind == "percent_off":
        return e.PercentOff(Decimal(doc["percent"]))
    if kind == "amount_off":
        return e.AmountOff(doc["amount_minor"], per)
    if kind == "fixed_price":
        return e.FixedPrice(doc["price_minor"])
    if kind == "markup":
        return e.Markup(_dec(doc.get("percent")), doc.get("amount_minor"), per)
    cap = doc.get("max_per_receipt")
    if kind == "quantity_discount":
        return e.QuantityDiscount(doc["every_nth"], Decimal(doc.get("percent", "100")),
                                  doc.get("cheapest_first", True), cap)
    if kind == "gift":
        return e.Gift(doc["required_qty"], doc.get("required_segment"), doc["gift_item_id"],
                      doc.get("gift_price_minor", 0), cap)
    if kind == "cheapest_free":
        return e.CheapestFree(doc["set_size"], doc.get("segment"), cap)
    raise ValueError(f"unknown benefit type {kind!r}")


def condition(doc: dict[str, Any]) -> e.Condition:
    """Build an engine condition from its stored document."""
    kind = doc["type"]
    if kind == "receipt_volume":
        return e.ReceiptVolume(doc.get("min_amount_minor"), _dec(doc.get("min_quantity")),
                               doc.get("segment"))
    if kind == "accumulated_volume":
        return e.AccumulatedVolume(doc["min_amount_minor"])
    if kind == "segment_quantity":
        return e.SegmentQuantity(doc["segment"], Decimal(doc["min_quantity"]))
    if kind == "first_purchase":
        return e.FirstPurchase()
    if kind == "first_purchase_from_segment":
        return e.FirstPurchaseFromSegment(doc["segment"])
    if kind == "time_of_sale":
        ranges = tuple(e.TimeRange(time.fromisoformat(r["start"]), time.fromisoformat(r["end"]))
                       for r in doc.get("ranges", ()))
        return e.TimeOfSale(frozenset(doc.get("weekdays", ())), ranges)
    sets = {"payment_form": (e.PaymentForm, "forms"), "card_types": (e.CardTypes, "types"),
            "cashier_group": (e.CashierGroup, "groups"),
            "customer_segment": (e.CustomerSegment, "segments"),
            "store_in": (e.StoreIn, "store_ids")}
    if kind in sets:
        cls, key = sets[kind]
        return cls(frozenset(doc[key]))  # type: ignore[abstract,call-arg]
    if kind == "date_range":
        start, end = doc.get("start"), doc.get("end")
        return e.DateRange(date.fromisoformat(start) if start else None,
                           date.fromisoformat(end) if end else None)
    raise ValueError(f"unknown condition type {kind!r}")


def discount(row: Any) -> e.Discount:
    """Build an engine discount from a stored row (ids are strings in the engine)."""
    return e.Discount(
        id=str(row.id), name=row.name, benefit=benefit(row.benefit), kind=e.Kind(row.kind),
        scope=e.Scope(row.scope), conditions=tuple(condition(c) for c in row.conditions or ()),
        valid_from=row.valid_from, valid_to=row.valid_to, is_active=row.is_active,
        segment=row.segment, item_ids=frozenset(row.item_ids or ()),
        price_groups=frozenset(row.price_groups or ()),
        by_price_group=tuple(e.PriceGroupBenefit(r["price_group"], benefit(r["benefit"]))
                             for r in row.refinements or ()),
        store_ids=frozenset(row.store_ids or ()),
        customer_segments=frozenset(row.customer_segments or ()),
        card_types=frozenset(row.card_types or ()),
    )
