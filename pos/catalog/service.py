"""Use cases of the catalog: items with barcodes, segments, price groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from pos.catalog.model import Barcode, Item, PriceGroup, Segment, item_segments
from pos.catalog.rules import BarcodeInput, ItemInput, Problems, check_item
from pos.core.barcode import WeightLayout
from pos.core.db import Database
from pos.core.errors import ConflictError, NotFoundError, ValidationError
from pos.core.paging import Page, paginate


def raise_problems(problems: Problems) -> None:
    """Turn gathered field problems into one problem response naming every field."""
    if problems:
        first = problems.first_code
        error_class = ConflictError if first.startswith("duplicate_") else ValidationError
        raise error_class("Some fields are invalid: " + ", ".join(problems.items),
                          code=first, errors=problems.messages())


def get_item(session: Session, item_id: int) -> Item:
    """Return an item with its barcodes, or raise ``item_not_found``."""
    item = session.get(Item, item_id, options=[selectinload(Item.barcodes)])
    if item is None:
        raise NotFoundError(f"No item {item_id}", code="item_not_found", field="item_id")
    return item


def _resolve_refs(session: Session, cmd: ItemInput, problems: Problems) -> tuple[
        PriceGroup | None, list[Segment]]:
    group = None
    if cmd.price_group is not None:
        group = session.scalar(select(PriceGroup).where(PriceGroup.code == cmd.price_group))
        if group is None:
            problems.add("price_group", "unknown_price_group",
                         f"No price group {cmd.price_group!r}")
    segments = list(session.scalars(select(Segment).where(Segment.code.in_(cmd.segments))))
    for code in sorted(set(cmd.segments) - {s.code for s in segments}):
        problems.add("segments", "unknown_segment", f"No segment {code!r}")
    return group, segments


def _check_unique(session: Session, cmd: ItemInput, problems: Problems, item_id: int | None
                  ) -> None:
    other = Item.id != item_id if item_id is not None else True
    if session.scalar(select(Item.id).where(Item.sku == cmd.sku, other)) is not None:
        problems.add("sku", "duplicate_sku", f"SKU {cmd.sku!r} is taken")
    if cmd.plu is not None and session.scalar(
            select(Item.id).where(Item.plu == cmd.plu, other)) is not None:
        problems.add("plu", "duplicate_plu", f"PLU {cmd.plu} is taken")
    codes = [b.code for b in cmd.barcodes]
    taken = session.scalars(select(Barcode.code).where(
        Barcode.code.in_(codes), Barcode.item_id != item_id if item_id else True)).all()
    for index, code in enumerate(codes):
        if code in taken:
            problems.add(f"barcodes[{index}]", "duplicate_barcode", f"{code} is taken")


def _validated(session: Session, cmd: ItemInput, layouts: list[WeightLayout],
               item_id: int | None) -> tuple[PriceGroup | None, list[Segment], list[str]]:
    problems, kinds = check_item(cmd, layouts)
    group, segments = _resolve_refs(session, cmd, problems)
    if not problems:
        _check_unique(session, cmd, problems, item_id)
    raise_problems(problems)
    return group, segments, kinds


def create_item(db: Database, cmd: ItemInput, layouts: list[WeightLayout], now: datetime
                ) -> Item:
    """Create an item with its barcodes; refuse duplicates and unknown references."""
    try:
        with db.transaction() as session:
            group, segments, kinds = _validated(session, cmd, layouts, None)
            item = Item(
                sku=cmd.sku, name=cmd.name, unit=cmd.unit, is_weighed=cmd.is_weighed,
                vat_rate=cmd.vat_rate, plu=cmd.plu, price_group=group, segments=segments,
                is_discountable=cmd.is_discountable, is_active=cmd.is_active,
                created_at=now, updated_at=now,
                barcodes=[Barcode(code=b.code, kind=k) for b, k in zip(cmd.barcodes, kinds,
                                                                       strict=True)],
            )
            session.add(item)
    except IntegrityError:
        raise ConflictError("The item conflicts with another one (SKU, PLU or barcode)",
                            code="duplicate_item") from None
    return item


def update_item(db: Database, item_id: int, changes: dict[str, Any],
                layouts: list[WeightLayout], now: datetime) -> Item:
    """Change an item's fields; ``barcodes`` and ``segments`` replace the whole list."""
    try:
        with db.transaction() as session:
            item = get_item(session, item_id)
            merged = replace(_as_input(item), **changes)
            group, segments, kinds = _validated(session, merged, layouts, item.id)
            for name in ("sku", "name", "unit", "is_weighed", "vat_rate", "plu",
                         "is_discountable", "is_active"):
                setattr(item, name, getattr(merged, name))
            item.price_group, item.segments, item.updated_at = group, segments, now
            if "barcodes" in changes:
                _replace_barcodes(session, item, merged.barcodes, kinds)
    except IntegrityError:
        raise ConflictError("The item conflicts with another one (SKU, PLU or barcode)",
                            code="duplicate_item") from None
    return item


def _replace_barcodes(session: Session, item: Item, wanted: tuple[BarcodeInput, ...],
                      kinds: list[str]) -> None:
    keep = {b.code for b in wanted}
    for barcode in list(item.barcodes):
        if barcode.code not in keep:
            item.barcodes.remove(barcode)
    session.flush()
    have = {b.code for b in item.barcodes}
    for barcode, kind in zip(wanted, kinds, strict=True):
        if barcode.code not in have:
            item.barcodes.append(Barcode(code=barcode.code, kind=kind))


def _as_input(item: Item) -> ItemInput:
    return ItemInput(
        sku=item.sku, name=item.name, unit=item.unit, is_weighed=item.is_weighed,
        vat_rate=item.vat_rate, plu=item.plu,
        price_group=item.price_group.code if item.price_group else None,
        segments=tuple(s.code for s in item.segments),
        barcodes=tuple(BarcodeInput(b.code, b.kind) for b in item.barcodes),
        is_discountable=item.is_discountable, is_active=item.is_active,
    )


def find_item(db: Database, item_id: int) -> Item:
    """Return one item with its barcodes and segments."""
    with db.read() as session:
        return get_item(session, item_id)


def list_items(
    db: Database, *, page: int, page_size: int, q: str | None = None,
    segment: str | None = None, price_group: str | None = None, is_active: bool | None = None,
    is_weighed: bool | None = None,
) -> Page[Item]:
    """Return a page of items, filtered by text, segment, price group and flags."""
    query = select(Item)
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Item.name).like(pattern),
                                func.lower(Item.sku).like(pattern)))
    if segment:
        query = query.where(Item.segments.any(Segment.code == segment))
    if price_group:
        query = query.where(Item.price_group.has(PriceGroup.code == price_group))
    if is_active is not None:
        query = query.where(Item.is_active == is_active)
    if is_weighed is not None:
        query = query.where(Item.is_weighed == is_weighed)
    query = query.options(selectinload(Item.barcodes)).order_by(Item.sku)
    with db.read() as session:
        return paginate(session, query, page=page, page_size=page_size)


def create_named(db: Database, model: type[PriceGroup] | type[Segment], code: str, name: str
                 ) -> Any:
    """Create a price group or a segment."""
    try:
        with db.transaction() as session:
            row = model(code=code, name=name)
            session.add(row)
    except IntegrityError:
        raise ConflictError(f"{code!r} exists", code="duplicate_code", field="code") from None
    return row


def list_named(db: Database, model: type[PriceGroup] | type[Segment]) -> list[Any]:
    """Return every price group or segment by code."""
    with db.read() as session:
        return list(session.scalars(select(model).order_by(model.code)))


def segments_by_item(session: Session, item_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """Return the segment codes of each item (for loyalty's earning rules), in one query."""
    found: dict[int, set[str]] = {item_id: set() for item_id in item_ids}
    rows = session.execute(select(item_segments.c.item_id, Segment.code)
                           .join(Segment, Segment.id == item_segments.c.segment_id)
                           .where(item_segments.c.item_id.in_(set(item_ids))))
    for item_id, code in rows:
        found[item_id].add(code)
    return {item_id: frozenset(codes) for item_id, codes in found.items()}
