"""Prices per store with validity dates, price types with rounding, and barcode lookup."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos.catalog.model import Barcode, Item, Price, PriceType
from pos.core.barcode import BarcodeError, WeightLayout, classify, decode_weight_barcode
from pos.core.db import Database
from pos.core.direct import Direct
from pos.core.errors import ConflictError, NotFoundError, ValidationError
from pos.core.money import line_amount, quantity_for_amount, round_to_step
from pos.core.security import Principal
from pos.stores.model import Store
from pos.stores.service import get_store

ONE = Decimal(1)
_PRICE = Price.__table__.c


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
    valid_from: date, valid_to: date | None, viewer: Principal | None = None,
) -> Price:
    """Set an item's price in a store the viewer works in, from a date, rounded to the step."""
    if price_minor < 0:
        raise ValidationError("A price is not negative", code="negative_price", field="price")
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError("valid_to is before valid_from", code="dates_out_of_order",
                              field="valid_to")
    with db.transaction() as session:
        get_store(session, store_id, viewer)
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


def _valid_prices(store_id: Any, item_match: ColumnElement[bool], day: Any, price_type_id: Any
                  ) -> Select[tuple[int, int]]:
    """Select an item's price rows valid on a day in a store, the current price first.

    The one rule of the current price: valid on the store's local day, of the store's price
    type when it has one; the latest ``valid_from`` wins, then the latest row.
    """
    query = select(_PRICE.item_id, _PRICE.price_minor).where(
        _PRICE.store_id == store_id, item_match, _PRICE.valid_from <= day,
        or_(_PRICE.valid_to.is_(None), _PRICE.valid_to >= day),
    )
    if price_type_id is not None:
        query = query.where(_PRICE.price_type_id == price_type_id)
    return query.order_by(_PRICE.valid_from.desc(), _PRICE.id.desc())


def price_query(store: Store, item_id: Any, day: date) -> Select[tuple[int]]:
    """Build the query of an item's price in a store on a day (``item_id`` may be a column)."""
    return _valid_prices(store.id, _PRICE.item_id == item_id, day, store.price_type_id
                         ).with_only_columns(_PRICE.price_minor).limit(1)


def current_prices(session: Session, store: Store, item_ids: Collection[int], day: date
                   ) -> dict[int, int]:
    """Return the price of each item that has one in a store on a day, in one query."""
    if not item_ids:
        return {}
    query, params = _PRICES_ANY_TYPE, {"store_id": store.id, "ids": list(item_ids), "day": day}
    if store.price_type_id is not None:
        query, params["type_id"] = _PRICES_OF_TYPE, store.price_type_id
    found: dict[int, int] = {}
    for item_id, price_minor in query.rows(session.connection(), params):
        found.setdefault(item_id, price_minor)  # rows come best first
    return found


# Built once: a receipt upload prices all its items with one query that only binds values.
_PRICES_ANY_TYPE, _PRICES_OF_TYPE = (
    Direct(_valid_prices(bindparam("store_id"),
                         _PRICE.item_id.in_(bindparam("ids", expanding=True)),
                         bindparam("day"), price_type_id))
    for price_type_id in (None, bindparam("type_id"))
)


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


def lookup(db: Database, store_id: int, code: str, layouts: list[WeightLayout], now: datetime,
           viewer: Principal | None = None) -> Lookup:
    """Resolve a code at a store the viewer works in (read-only)."""
    with db.read() as session:
        store = get_store(session, store_id, viewer)
        return resolve_code(session, store, code, layouts, now)
