"""Bulk catalog import from CSV or JSON: every row validated, then all rows or none written.

CSV columns: ``sku,name,unit,is_weighed,vat_rate,plu,price_group,segments,barcodes,price,
store,price_type,valid_from`` (``segments`` and ``barcodes`` separated by ``;``; the price
columns optional). JSON: a list of objects with the same keys, lists as lists.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from pos.catalog.model import Barcode, Item, Price, PriceGroup, PriceType, Segment, item_segments
from pos.catalog.rules import BarcodeInput, ItemInput, check_item
from pos.core.barcode import WeightLayout
from pos.core.db import Database
from pos.core.money import MoneyFormatError, parse_minor
from pos.stores.model import Store

CHUNK = 5000
TRUE = {"1", "true", "yes", "y"}
FALSE = {"0", "false", "no", "n", ""}


@dataclass
class ImportReport:
    """What an import did, or why it did nothing."""

    rows: int = 0
    items: int = 0
    barcodes: int = 0
    prices: int = 0
    seconds: float = 0.0
    errors: list[tuple[int, str, str, str]] = field(default_factory=list)


@dataclass
class _Row:
    item: ItemInput
    price_minor: int | None
    store: str | None
    price_type: str | None
    valid_from: date | None


def read_rows(path: Path, fmt: str) -> Iterator[dict[str, Any]]:
    """Yield raw rows of a CSV or JSON file."""
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            yield from csv.DictReader(handle)
    elif fmt == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise ValueError("a JSON import is a list of item objects")
        yield from data
    else:
        raise ValueError(f"unknown format {fmt!r}; use csv or json")


class _Refs:
    """Everything rows are checked against, loaded once."""

    def __init__(self, db: Database) -> None:
        with db.read() as s:
            self.groups = dict(s.execute(select(PriceGroup.code, PriceGroup.id)).all())
            self.segments = dict(s.execute(select(Segment.code, Segment.id)).all())
            self.stores = dict(s.execute(select(Store.code, Store.id)).all())
            self.types = dict(s.execute(select(PriceType.code, PriceType.id)).all())
            self.steps = dict(s.execute(select(PriceType.code,
                                               PriceType.rounding_step_minor)).all())
            self.skus = set(s.scalars(select(Item.sku)))
            self.plus = set(s.scalars(select(Item.plu).where(Item.plu.is_not(None))))
            self.barcodes = set(s.scalars(select(Barcode.code)))


def import_file(db: Database, path: Path, fmt: str, layouts: list[WeightLayout],
                now: datetime) -> ImportReport:
    """Validate every row of a file, then write them all in one transaction, or nothing."""
    started = time.perf_counter()
    report = ImportReport()
    refs = _Refs(db)
    rows: list[_Row] = []
    try:
        raw_rows = list(read_rows(path, fmt))
    except (ValueError, csv.Error, UnicodeDecodeError) as error:
        report.errors.append((0, "file", "unreadable_file", str(error)))
        return report
    for number, raw in enumerate(raw_rows, start=1):
        row = _check_row(number, raw, refs, layouts, report)
        if row is not None:
            rows.append(row)
    report.rows = len(raw_rows)
    if not report.errors:
        _write(db, rows, refs, now, report)
    report.seconds = time.perf_counter() - started
    return report


def _check_row(number: int, raw: Any, refs: _Refs, layouts: list[WeightLayout],
               report: ImportReport) -> _Row | None:
    def err(name: str, code: str, message: str) -> None:
        report.errors.append((number, name, code, message))

    if not isinstance(raw, dict):
        err("row", "invalid_row", "a row is an object")
        return None
    try:
        row = _parse_row(raw)
    except (ValueError, MoneyFormatError, TypeError) as error:
        err(getattr(error, "field", "row"), "invalid_value", str(error))
        return None
    problems, _ = check_item(row.item, layouts)
    for name, errs in problems.items.items():
        for code, message in errs:
            err(name, code, message)
    _check_refs(row, refs, err)
    return row


def _check_refs(row: _Row, refs: _Refs, err: Any) -> None:
    item = row.item
    if item.price_group and item.price_group not in refs.groups:
        err("price_group", "unknown_price_group", f"No price group {item.price_group!r}")
    for code in item.segments:
        if code not in refs.segments:
            err("segments", "unknown_segment", f"No segment {code!r}")
    if item.sku in refs.skus:
        err("sku", "duplicate_sku", f"SKU {item.sku!r} exists or repeats")
    refs.skus.add(item.sku)
    if item.plu is not None:
        if item.plu in refs.plus:
            err("plu", "duplicate_plu", f"PLU {item.plu} exists or repeats")
        refs.plus.add(item.plu)
    for barcode in item.barcodes:
        if barcode.code in refs.barcodes:
            err("barcodes", "duplicate_barcode", f"{barcode.code} exists or repeats")
        refs.barcodes.add(barcode.code)
    if row.price_minor is not None:
        if row.store not in refs.stores:
            err("store", "unknown_store", f"No store {row.store!r}")
        if row.price_type not in refs.types:
            err("price_type", "unknown_price_type", f"No price type {row.price_type!r}")


class _FieldError(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.field = name


def _parse_row(raw: dict[str, Any]) -> _Row:
    unknown = set(raw) - {"sku", "name", "unit", "is_weighed", "vat_rate", "plu",
                          "price_group", "segments", "barcodes", "price", "store",
                          "price_type", "valid_from", "is_discountable"}
    if unknown:
        raise _FieldError(sorted(unknown)[0], f"unknown column {sorted(unknown)[0]!r}")
    price = raw.get("price")
    item = ItemInput(
        sku=str(raw.get("sku") or ""), name=str(raw.get("name") or ""),
        unit=str(raw.get("unit") or "pcs"), is_weighed=_flag(raw, "is_weighed", False),
        vat_rate=str(raw.get("vat_rate") or "vat20"), plu=_int(raw, "plu"),
        price_group=raw.get("price_group") or None,
        segments=tuple(_list(raw.get("segments"))),
        barcodes=tuple(BarcodeInput(code) for code in _list(raw.get("barcodes"))),
        is_discountable=_flag(raw, "is_discountable", True),
    )
    has_price = price not in (None, "")
    try:
        price_minor = parse_minor(str(price)) if has_price else None
    except MoneyFormatError as error:
        raise _FieldError("price", str(error)) from None
    if price_minor is not None and price_minor < 0:
        raise _FieldError("price", "a price is not negative")
    valid_from = raw.get("valid_from") or None
    try:
        day = date.fromisoformat(valid_from) if valid_from else None
    except ValueError:
        raise _FieldError("valid_from", f"{valid_from!r} is not a date") from None
    return _Row(item, price_minor, raw.get("store") or None,
                raw.get("price_type") or ("retail" if has_price else None), day)


def _flag(raw: dict[str, Any], name: str, default: bool) -> bool:
    value = raw.get(name)
    if value is None or isinstance(value, bool):
        return default if value is None else value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return default if text == "" else False
    raise _FieldError(name, f"{value!r} is not true/false")


def _int(raw: dict[str, Any], name: str) -> int | None:
    value = raw.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _FieldError(name, f"{value!r} is not a whole number") from None


def _list(value: Any) -> Iterable[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _write(db: Database, rows: list[_Row], refs: _Refs, now: datetime,
           report: ImportReport) -> None:
    from pos.core.barcode import classify
    from pos.core.money import round_to_step

    with db.transaction() as session:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            ids = session.scalars(insert(Item).returning(Item.id, sort_by_parameter_order=True),
                                  [_item_values(r.item, refs, now) for r in chunk]).all()
            links, codes, prices = [], [], []
            for item_id, row in zip(ids, chunk, strict=True):
                links += [{"item_id": item_id, "segment_id": refs.segments[s]}
                          for s in dict.fromkeys(row.item.segments)]
                codes += [{"item_id": item_id, "code": b.code, "kind": classify(b.code)}
                          for b in row.item.barcodes]
                if row.price_minor is not None:
                    step = refs.steps[row.price_type]
                    prices.append({
                        "item_id": item_id, "store_id": refs.stores[row.store],
                        "price_type_id": refs.types[row.price_type],
                        "price_minor": round_to_step(row.price_minor, step),
                        "valid_from": row.valid_from or now.date(), "valid_to": None,
                    })
            for table, values in ((item_segments, links), (Barcode.__table__, codes),
                                  (Price.__table__, prices)):
                if values:
                    session.execute(insert(table), values)
            report.items += len(chunk)
            report.barcodes += len(codes)
            report.prices += len(prices)


def _item_values(item: ItemInput, refs: _Refs, now: datetime) -> dict[str, Any]:
    return {
        "sku": item.sku, "name": item.name, "unit": item.unit, "is_weighed": item.is_weighed,
        "vat_rate": item.vat_rate, "plu": item.plu,
        "price_group_id": refs.groups.get(item.price_group) if item.price_group else None,
        "is_discountable": item.is_discountable, "is_active": True,
        "created_at": now, "updated_at": now,
    }
