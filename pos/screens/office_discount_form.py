"""The office's discount and group forms <-> the API's documents.

A form expresses part of a discount: kind, scope, group, dates, the simpler benefits, the
targets (items by SKU, segment, stores, card types) and two conditions (a receipt's minimum
amount or quantity, days and hours). What it cannot express (other conditions, refinements,
price groups, customer segments, a gift benefit) is shown read-only and kept as stored. The
document a form makes is loaded by the API's own schemas; the services judge it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import marshmallow
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from pos.catalog.model import Item
from pos.core.db import Database
from pos.core.errors import ValidationError
from pos.screens.web import as_id

# benefit type -> the fields the form has for it (as the API names them)
FORM_BENEFITS: dict[str, tuple[str, ...]] = {
    "percent_off": ("percent",), "amount_off": ("amount", "per"), "fixed_price": ("price",),
    "markup": ("percent", "amount", "per"), "quantity_discount": ("every_nth", "percent"),
    "cheapest_free": ("set_size", "segment"),
}
VOLUME_FIELDS = ("min_amount", "min_quantity")


def benefit_in_form(benefit: dict[str, Any]) -> bool:
    """Tell whether the form can show and change this benefit."""
    allowed = FORM_BENEFITS.get(benefit.get("type", ""))
    return allowed is not None and set(benefit) - {"type"} <= set(allowed)


def split_conditions(conditions: Iterable[dict[str, Any]]
                     ) -> tuple[dict[str, Any] | None, dict[str, Any] | None,
                                list[dict[str, Any]]]:
    """Return the receipt-volume and time conditions the form has, and the ones it keeps."""
    volume = hours = None
    kept = []
    for condition in conditions:
        kind = condition.get("type")
        if volume is None and kind == "receipt_volume" and \
                set(condition) - {"type"} <= set(VOLUME_FIELDS):
            volume = condition
        elif hours is None and kind == "time_of_sale" and len(condition.get("ranges") or ()) <= 1:
            hours = condition
        else:
            kept.append(condition)
    return volume, hours, kept


def form_of(doc: dict[str, Any], skus: dict[int, str]) -> MultiDict[str, str]:
    """Return a stored discount (the API's document) as the form's fields."""
    form: MultiDict[str, str] = MultiDict()
    for name in ("name", "kind", "scope", "group_id", "segment", "valid_from", "valid_to"):
        if doc.get(name) is not None:
            form[name] = str(doc[name])
    benefit = doc.get("benefit") or {}
    form["benefit_type"] = benefit.get("type", "percent_off")
    for name, value in benefit.items():
        if name != "type" and value is not None:
            form[f"benefit_{name}"] = str(value)
    form["items"] = " ".join(skus.get(i, f"#{i}") for i in doc.get("item_ids") or ())
    form["card_types"] = ", ".join(doc.get("card_types") or ())
    form.setlist("store_ids", [str(i) for i in doc.get("store_ids") or ()])
    volume, hours, _ = split_conditions(doc.get("conditions") or ())
    for name in VOLUME_FIELDS:
        if volume and volume.get(name) is not None:
            form[name] = str(volume[name])
    if hours:
        form.setlist("weekdays", [str(d) for d in hours.get("weekdays") or ()])
        for window in (hours.get("ranges") or ())[:1]:
            form["hours_start"], form["hours_end"] = window["start"], window["end"]
    if doc.get("is_active"):
        form["is_active"] = "on"
    return form


def discount_document(form: MultiDict[str, str], stored: dict[str, Any] | None,
                      item_ids: dict[str, int], visible_stores: Iterable[int]) -> dict[str, Any]:
    """Return the API document a submitted form says (``stored``: the discount it edits)."""
    doc: dict[str, Any] = {name: form.get(name, "").strip()
                           for name in ("name", "kind", "scope")}
    doc["group_id"] = form.get("group_id") or None
    doc["segment"] = form.get("segment", "").strip() or None
    for name in ("valid_from", "valid_to"):
        doc[name] = form.get(name) or None
    if stored is None or benefit_in_form(stored.get("benefit") or {}):
        doc["benefit"] = _benefit(form)
    doc["item_ids"] = [item_ids[sku] for sku in item_codes(form)]
    doc["card_types"] = [t.strip() for t in form.get("card_types", "").split(",") if t.strip()]
    hidden = [i for i in (stored or {}).get("store_ids") or () if i not in set(visible_stores)]
    doc["store_ids"] = hidden + [i for i in map(as_id, form.getlist("store_ids")) if i]
    kept = split_conditions((stored or {}).get("conditions") or ())[2]
    doc["conditions"] = _conditions(form) + kept
    if stored is None:
        doc["is_active"] = form.get("is_active") == "on"
    return doc


def _benefit(form: MultiDict[str, str]) -> dict[str, Any]:
    kind = form.get("benefit_type", "")
    benefit: dict[str, Any] = {"type": kind}
    for name in FORM_BENEFITS.get(kind, ()):
        value = form.get(f"benefit_{name}", "").strip()
        if value:
            benefit[name] = value
    return benefit


def _conditions(form: MultiDict[str, str]) -> list[dict[str, Any]]:
    conditions: list[dict[str, Any]] = []
    volume = {name: form.get(name, "").strip() for name in VOLUME_FIELDS}
    volume = {name: value for name, value in volume.items() if value}
    if volume:
        conditions.append({"type": "receipt_volume", **volume})
    weekdays = [d for d in form.getlist("weekdays") if d]
    start, end = form.get("hours_start", ""), form.get("hours_end", "")
    if weekdays or start or end:
        hours: dict[str, Any] = {"type": "time_of_sale"}
        if weekdays:
            hours["weekdays"] = weekdays
        if start or end:
            hours["ranges"] = [{"start": start, "end": end}]
        conditions.append(hours)
    return conditions


def group_document(form: MultiDict[str, str]) -> dict[str, Any]:
    """Return the API document a submitted group form says."""
    return {"name": form.get("name", "").strip(), "rule": form.get("rule", ""),
            "parent_id": form.get("parent_id") or None,
            "allow_stacking": form.get("allow_stacking") == "on",
            "holds_manual": form.get("holds_manual") == "on"}


def item_codes(form: MultiDict[str, str]) -> list[str]:
    """Return the SKUs typed into the items field (spaces or commas between)."""
    return [code for code in form.get("items", "").replace(",", " ").split() if code]


def load(schema: marshmallow.Schema, doc: dict[str, Any]) -> dict[str, Any]:
    """Load ``doc`` with an API schema; a refusal names each field as the API does."""
    try:
        return schema.load(doc)  # type: ignore[no-any-return]
    except marshmallow.ValidationError as error:
        errors = dict(_flatten(error.messages))
        raise ValidationError("Some fields are invalid: " + ", ".join(sorted(errors)),
                              errors=errors) from None


def _flatten(messages: Any, path: str = "") -> Iterable[tuple[str, list[str]]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            step = f"[{key}]" if isinstance(key, int) else (f".{key}" if path else str(key))
            yield from _flatten(value, path + step)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        yield path or "_schema", [str(m) for m in messages]
    else:
        yield path or "_schema", [str(messages)]


def item_ids_by_sku(db: Database, skus: Iterable[str]) -> dict[str, int]:
    """Return the ids of the SKUs that exist; an unknown SKU is refused as ``unknown_item``."""
    wanted = set(skus)
    if not wanted:
        return {}
    with db.read() as session:
        found = {sku: id_ for sku, id_ in session.execute(
            select(Item.sku, Item.id).where(Item.sku.in_(wanted)))}
    missing = sorted(wanted - set(found))
    if missing:
        raise ValidationError("The discount refers to things that do not exist",
                              code="unknown_item",
                              errors={"item_ids": [f"unknown: {', '.join(missing)}"]})
    return found


def skus_by_id(db: Database, ids: Iterable[int]) -> dict[int, str]:
    """Return the SKUs of item ids."""
    wanted = set(ids)
    if not wanted:
        return {}
    with db.read() as session:
        return {id_: sku for id_, sku in session.execute(
            select(Item.id, Item.sku).where(Item.id.in_(wanted)))}
