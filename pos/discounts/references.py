"""Check that what a discount refers to exists: items, segments, price groups, stores."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.catalog.model import Item, PriceGroup, Segment
from pos.core.errors import ValidationError
from pos.stores.model import Store


def _collect(doc: dict[str, Any]) -> dict[str, set[Any]]:
    refs: dict[str, set[Any]] = {"items": set(doc.get("item_ids") or ()),
                                 "segments": set(), "price_groups": set(doc.get("price_groups")
                                                                        or ()),
                                 "stores": set(doc.get("store_ids") or ())}
    if doc.get("segment"):
        refs["segments"].add(doc["segment"])
    benefits = [doc.get("benefit") or {}] + [r["benefit"] for r in doc.get("refinements") or ()]
    refs["price_groups"] |= {r["price_group"] for r in doc.get("refinements") or ()}
    for benefit in benefits:
        if benefit.get("gift_item_id") is not None:
            refs["items"].add(benefit["gift_item_id"])
        for key in ("required_segment", "segment"):
            if benefit.get(key):
                refs["segments"].add(benefit[key])
    for condition in doc.get("conditions") or ():
        if condition.get("segment"):
            refs["segments"].add(condition["segment"])
        refs["stores"] |= set(condition.get("store_ids") or ())
    return refs


def check_references(session: Session, doc: dict[str, Any]) -> None:
    """Raise 422 naming each reference to something that does not exist."""
    refs = _collect(doc)
    lookups = {
        "items": (Item.id, "item_ids", "unknown_item"),
        "segments": (Segment.code, "segment", "unknown_segment"),
        "price_groups": (PriceGroup.code, "price_groups", "unknown_price_group"),
        "stores": (Store.id, "store_ids", "unknown_store"),
    }
    errors: dict[str, list[str]] = {}
    first_code = None
    for kind, (column, field, code) in lookups.items():
        wanted = refs[kind]
        if not wanted:
            continue
        found = set(session.scalars(select(column).where(column.in_(wanted))))
        missing = sorted(wanted - found, key=str)
        if missing:
            errors.setdefault(field, []).append(f"unknown: {', '.join(map(str, missing))}")
            first_code = first_code or code
    if errors:
        raise ValidationError("The discount refers to things that do not exist",
                              code=first_code or "unknown_reference", errors=errors)
