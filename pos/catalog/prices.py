"""Prices per store with validity dates, price types with rounding, and barcode lookup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos.catalog.model import Barcode, Item, Price, PriceType
from pos.core.barcode import BarcodeError, WeightLayout, classify, decode_weight_barcode
from pos.core.db import Database
from pos.core.errors import ConflictError, NotFoundError, ValidationError
from pos.core.money import line_amount, quantity_for_amount, round_to_step
from pos.stores.model import Store
from pos.stores.service import get_store

ONE = Decimal(1)


def get_price_type(session: Session, code: str) -> PriceType:
    """Return a price type by code or raise ``unknown_price_type``."""
    price_type = session.scalar(select(PriceType).where(PriceType.code == code))
    if price_type is None:
        raise ValidationError(f"Unknown price type {code!r}", code="unknown_price_type",
                              field="price_type")
    return price_type


def create_price_type(db: Database, code: str, name: str, rounding_step_minor: int
                      ) -> PriceType:
    """Create a price type whose prices are rounded to ``rounding_step_minor``."""
    if rounding_step_minor not in (1, 10, 100):
        raise ValidationError("Rounding step is 0.01, 0.10 or 1.00", code="invalid_rounding",
                              field="rounding_step")
    try:
        with db.transaction() as session:
            row = PriceType(code=code, name=name, rounding_step_minor=rounding_step_minor)
            session.add(row)
    except IntegrityError:
        raise ConflictError(f"{code!r} exists", code="duplicate_code", field="code") from None
    return row


def set_price(
    db: Database, *, store_id: int, item_id: int, price_type: str, price_minor: int,
    valid_from: date, valid_to: date | None,
) -> Price:
    """Set an item's price in a store from a date, rounded to the price type's step."""
    if price_minor < 0:
        raise ValidationError("A price is not negative", code="negative_price", field="price")
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError("valid_to is before valid_from", code="dates_out_of_order",
                              field="valid_to")
    with db.transaction() as session:
        get_store(session, store_id)
        if session.get(Item, item_id) is None:
            raise NotFoundError(f"No item {item_id}", code="item_not_found", field="item_id")
        kind = get_price_type(session, price_type)
        price = Price(
            store_id=store_id, item_id=item_id, price_type_id=kind.id,
            price_minor=round_to_step(price_minor, kind.rounding_step_minor),
            valid_from=valid_from, valid_to=valid_to,
        )
        session.add(price)
    return price


def price_query(store: Store, item_id: Any, day: date) -> Select[tuple[int]]:
    """Build the query of an item's price in a store on a day (the latest valid one)."""
    query = select(Price.price_minor).where(
        Price.store_id == store.id, Price.item_id == item_id, Price.valid_from <= day,
        or_(Price.valid_to.is_(None), Price.valid_to >= day),
    )
    if store.price_type_id is not None:
        query = query.where(Price.price_type_id == store.price_type_id)
    return query.order_by(Price.valid_from.desc(), Price.id.desc()).limit(1)


def current_price(session: Session, store: Store, item_id: int, day: date) -> int | None:
    """Return an item's price in a store on a day: the latest valid one of the store's type."""
    return session.scalar(price_query(store, item_id, day))


def _item_with_price(session: Session, store: Store, day: date, condition: Any
                     ) -> tuple[Item, int | None] | None:
    # One round trip for the item and its price: this is the till's hot path.
    price = price_query(store, Item.id, day).scalar_subquery()
    row = session.execute(select(Item, price).where(condition)).first()
    return None if row is None else (row[0], row[1])


@dataclass(frozen=True)
class Lookup:
    """What a scanned code means at a store now: the item, a quantity and the money."""

    item: Item
    code: str
    kind: str
    quantity: Decimal
    unit_price_minor: int | None
    amount_minor: int | None
    is_weight_barcode: bool


def resolve_code(session: Session, store: Store, code: str, layouts: list[WeightLayout],
                 now: datetime) -> Lookup:
    """Resolve any barcode (weight and price barcodes included) at a store."""
    code = code.strip()
    try:
        weight = decode_weight_barcode(code, layouts)
        kind = "weight" if weight else classify(code)
    except BarcodeError as error:
        raise ValidationError(str(error), code=error.code, field="code") from None
    day = store.local_date(now)
    if weight is None:
        found = _item_with_price(session, store, day, Item.id == select(Barcode.item_id).where(
            Barcode.code == code).scalar_subquery())
        if found is None:
            raise NotFoundError(f"No item has barcode {code}", code="barcode_not_found",
                                field="code")
        item, price = found
        amount = None if price is None else line_amount(price, ONE)
        return Lookup(item, code, kind, ONE, price, amount, False)
    found = _item_with_price(session, store, day, Item.plu == weight.plu)
    if found is None:
        raise NotFoundError(f"No item has PLU {weight.plu}", code="plu_not_found", field="code")
    item, price = found
    if weight.weight_kg is not None:
        quantity = weight.weight_kg
        amount = None if price is None else line_amount(price, quantity)
    else:
        amount = weight.amount_minor
        if not price:
            raise ConflictError(f"{item.sku} has no price to derive a weight from",
                                code="price_not_set", field="code")
        quantity = quantity_for_amount(amount or 0, price)
    return Lookup(item, code, "weight", quantity, price, amount, True)


def lookup(db: Database, store_id: int, code: str, layouts: list[WeightLayout], now: datetime
           ) -> Lookup:
    """Resolve a code at a store (read-only)."""
    with db.read() as session:
        store = get_store(session, store_id)
        return resolve_code(session, store, code, layouts, now)
