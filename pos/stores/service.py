"""Use cases of stores and tills."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos.catalog.model import PriceType
from pos.core.db import Database
from pos.core.errors import ConflictError, NotFoundError, ValidationError
from pos.core.scope import sees_store, visible_stores
from pos.core.security import Principal
from pos.stores.model import Store, Till


@dataclass(frozen=True)
class StoreInput:
    """Fields of a store."""

    code: str
    name: str
    timezone: str
    address: str = ""
    max_cash_difference_minor: int = 0
    price_type: str | None = None
    blind_close: bool = False
    blind_recounts: int = 1


def check_timezone(name: str) -> None:
    """Refuse a time zone name the system does not know."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"Unknown time zone {name!r}", code="unknown_timezone",
                              field="timezone") from None


def store_not_found(store_id: int) -> NotFoundError:
    """Return the error for a store that does not exist or is outside the caller's scope."""
    return NotFoundError(f"No store {store_id}", code="store_not_found", field="store_id")


def till_not_found(till_id: int) -> NotFoundError:
    """Return the error for a till that does not exist or is outside the caller's scope."""
    return NotFoundError(f"No till {till_id}", code="till_not_found", field="till_id")


def get_store(session: Session, store_id: int, viewer: Principal | None = None) -> Store:
    """Return a store the viewer sees (None: the system sees all) or ``store_not_found``."""
    store = session.get(Store, store_id)
    if store is None or (viewer is not None and not sees_store(viewer, store.id)):
        raise store_not_found(store_id)
    return store


def get_till(session: Session, till_id: int, viewer: Principal | None = None) -> Till:
    """Return a till of a store the viewer sees (None: the system) or ``till_not_found``."""
    till = session.get(Till, till_id)
    if till is None or (viewer is not None and not sees_store(viewer, till.store_id)):
        raise till_not_found(till_id)
    return till


_TILL_AND_STORE = select(Till, Store).join(Store, Store.id == Till.store_id).where(
    Till.id == bindparam("till_id"))


def till_and_store(session: Session, till_id: int) -> tuple[Till, Store]:
    """Return a till and its store in one query, or raise ``till_not_found``."""
    row = session.execute(_TILL_AND_STORE, {"till_id": till_id}).first()
    if row is None:
        raise till_not_found(till_id)
    return row[0], row[1]


def keep_store(session: Session, store: Store) -> None:
    """Let this transaction's local dates use a store read just before (no second query)."""
    # A store's time zone read by the same use case a moment earlier is as good as a re-read.
    session.info.setdefault("stores", {})[store.id] = store


def store_local_date(session: Session, store_id: int, at: datetime) -> date:
    """Return the store's local date at ``at`` (the store is read once per transaction)."""
    # Kept in the session's info, so the identity map keeps it too (it holds weak references).
    kept = session.info.setdefault("stores", {})
    store = kept.get(store_id) or session.get(Store, store_id)
    if store is None:
        raise store_not_found(store_id)
    kept[store_id] = store
    return store.local_date(at)


def _price_type_id(session: Session, code: str | None) -> int | None:
    if code is None:
        return None
    type_id = session.scalar(select(PriceType.id).where(PriceType.code == code))
    if type_id is None:
        raise ValidationError(f"Unknown price type {code!r}", code="unknown_price_type",
                              field="price_type")
    return type_id


def create_store(db: Database, cmd: StoreInput, now: datetime) -> Store:
    """Create a store."""
    check_timezone(cmd.timezone)
    try:
        with db.transaction() as session:
            store = Store(
                code=cmd.code, name=cmd.name, address=cmd.address, timezone=cmd.timezone,
                max_cash_difference_minor=cmd.max_cash_difference_minor,
                blind_close=cmd.blind_close, blind_recounts=cmd.blind_recounts,
                price_type_id=_price_type_id(session, cmd.price_type), created_at=now,
            )
            session.add(store)
    except IntegrityError:
        raise ConflictError(f"Store {cmd.code!r} exists", code="store_code_taken",
                            field="code") from None
    return store


def update_store(db: Database, store_id: int, changes: dict[str, Any],
                 viewer: Principal | None = None) -> Store:
    """Change the fields of a store the viewer sees."""
    if "timezone" in changes:
        check_timezone(changes["timezone"])
    with db.transaction() as session:
        store = get_store(session, store_id, viewer)
        if "price_type" in changes:
            store.price_type_id = _price_type_id(session, changes.pop("price_type"))
        for name, value in changes.items():
            setattr(store, name, value)
    return store


def list_stores(db: Database, viewer: Principal | None = None) -> list[Store]:
    """Return the stores the viewer sees (None: every store), with their tills."""
    query = select(Store).order_by(Store.code)
    visible = visible_stores(viewer) if viewer is not None else None
    if visible is not None:
        query = query.where(Store.id.in_(visible))
    with db.read() as session:
        stores = list(session.scalars(query))
        for store in stores:
            _ = store.tills
        return stores


def create_till(db: Database, store_id: int, number: int, name: str, mode: str,
                viewer: Principal | None = None) -> Till:
    """Add a till to a store the viewer sees."""
    try:
        with db.transaction() as session:
            get_store(session, store_id, viewer)
            till = Till(store_id=store_id, number=number, name=name, mode=mode)
            session.add(till)
    except IntegrityError:
        raise ConflictError(f"Till {number} exists in this store", code="till_number_taken",
                            field="number") from None
    return till


def update_till(db: Database, till_id: int, changes: dict[str, Any],
                viewer: Principal | None = None) -> Till:
    """Change the name, mode or active flag of a till the viewer sees."""
    with db.transaction() as session:
        till = get_till(session, till_id, viewer)
        for name, value in changes.items():
            setattr(till, name, value)
    return till


def resolve_places(db: Database, store_codes: Sequence[str], till_refs: Sequence[str]
                   ) -> tuple[list[int], list[int]]:
    """Turn store codes and ``CODE:NUMBER`` till references into ids (422 for unknown ones)."""
    with db.read() as session:
        stores = dict(session.execute(select(Store.code, Store.id)).all())
        store_ids = []
        for code in store_codes:
            if code not in stores:
                raise ValidationError(f"No store {code!r}", code="unknown_store", field="store")
            store_ids.append(stores[code])
        till_ids = []
        for ref in till_refs:
            code, _, number = ref.partition(":")
            till_id = session.scalar(select(Till.id).where(
                Till.store_id == stores.get(code, 0), Till.number == _int_or_zero(number)))
            if till_id is None:
                raise ValidationError(f"No till {ref!r}", code="unknown_till", field="till")
            till_ids.append(till_id)
    return store_ids, till_ids


def _int_or_zero(text: str) -> int:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 0
