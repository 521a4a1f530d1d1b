"""What the office's overview shows: the stores a manager sees, each till and its shift."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from pos.auth.model import User
from pos.core.db import Database
from pos.core.scope import visible_stores
from pos.core.security import Principal
from pos.shifts.model import Shift
from pos.stores.model import Store, Till


@dataclass(frozen=True)
class TillRow:
    """A till of a store and its open shift, if any."""

    id: int
    label: str
    is_active: bool
    shift_id: int | None
    opened_at: datetime | None
    opened_by: str | None


@dataclass(frozen=True)
class StoreRow:
    """A store the manager sees, with its tills."""

    id: int
    code: str
    name: str
    tills: tuple[TillRow, ...]

    @property
    def open_shifts(self) -> int:
        """Return how many of its tills have a shift open."""
        return sum(1 for till in self.tills if till.shift_id is not None)


def store_overview(db: Database, viewer: Principal) -> list[StoreRow]:
    """Return the stores ``viewer`` sees (by code) with each till's open shift."""
    visible = visible_stores(viewer)
    stores_query = select(Store.id, Store.code, Store.name).order_by(Store.code)
    tills_query = (
        select(Till.id, Till.store_id, Till.number, Till.name, Till.is_active,
               Shift.id.label("shift_id"), Shift.opened_at, User.full_name, User.username)
        .outerjoin(Shift, Shift.open_till_id == Till.id)
        .outerjoin(User, User.id == Shift.opened_by_id)
        .order_by(Till.store_id, Till.number))
    if visible is not None:
        stores_query = stores_query.where(Store.id.in_(visible))
        tills_query = tills_query.where(Till.store_id.in_(visible))
    with db.read() as session:
        stores = session.execute(stores_query).all()
        tills = session.execute(tills_query).all()
    by_store: dict[int, list[TillRow]] = {}
    for row in tills:
        by_store.setdefault(row.store_id, []).append(TillRow(
            row.id, row.name or f"Till {row.number}", row.is_active, row.shift_id,
            row.opened_at, (row.full_name or row.username) if row.shift_id else None))
    return [StoreRow(store.id, store.code, store.name, tuple(by_store.get(store.id, ())))
            for store in stores]
