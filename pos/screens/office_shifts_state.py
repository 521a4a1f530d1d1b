"""What the office's shift pages read: the shifts a manager sees, one shift with its cash moves.

Read-only queries in a fixed number of statements per page: the page of shifts, the names of
their tills, stores and people, and their sales totals, whatever the page's length.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from pos.auth.model import User
from pos.core.db import Database
from pos.core.paging import Page, paginate
from pos.core.scope import visible_stores
from pos.core.security import Principal
from pos.receipts.model import CLOSED as CLOSED_RECEIPT
from pos.receipts.model import SALE, Receipt
from pos.shifts.model import CLOSED, OPEN, CashMovement, Shift
from pos.stores.model import Store, Till

STATES = (OPEN, CLOSED)


@dataclass(frozen=True)
class ShiftFilters:
    """The shift list's filters; ``None`` matches anything."""

    store_id: int | None = None
    till_id: int | None = None
    opened_from: datetime | None = None
    opened_to: datetime | None = None
    state: str | None = None


@dataclass(frozen=True)
class ShiftRow:
    """A shift as the office lists it."""

    shift: Shift
    store: str
    till: str
    cashier: str
    sales_minor: int
    difference_limit_minor: int

    @property
    def duration(self) -> timedelta | None:
        """Return how long a closed shift lasted (None while open)."""
        closed = self.shift.closed_at
        return closed - self.shift.opened_at if closed is not None else None

    @property
    def is_over_limit(self) -> bool:
        """Tell whether the cash difference is beyond the store's tolerance."""
        difference = self.shift.difference_minor
        return difference is not None and abs(difference) > self.difference_limit_minor


@dataclass(frozen=True)
class ShiftFacts:
    """One shift with where it is, who worked it, and its cash movements."""

    row: ShiftRow
    store: Store
    closed_by: str | None
    approved_by: str | None
    movements: list[dict[str, Any]]


def list_shift_rows(db: Database, viewer: Principal, filters: ShiftFilters, *, page: int,
                    page_size: int) -> Page[ShiftRow]:
    """Return a page of the shifts the viewer sees matching the filters, newest first."""
    query = _filtered(select(Shift), viewer, filters)
    with db.read() as session:
        shifts = paginate(session, query.order_by(Shift.opened_at.desc(), Shift.id.desc()),
                          page=page, page_size=page_size)
        rows = _rows(session, shifts.items)
    return Page(rows, shifts.page, shifts.page_size, shifts.total)


def _filtered(query: Select[Any], viewer: Principal, filters: ShiftFilters) -> Select[Any]:
    stores = visible_stores(viewer)
    if stores is not None:
        query = query.where(Shift.store_id.in_(stores))
    for column, value in ((Shift.store_id, filters.store_id), (Shift.till_id, filters.till_id),
                          (Shift.state, filters.state)):
        if value is not None:
            query = query.where(column == value)
    if filters.opened_from is not None:
        query = query.where(Shift.opened_at >= filters.opened_from)
    if filters.opened_to is not None:
        query = query.where(Shift.opened_at < filters.opened_to)
    return query


def _rows(session: Session, shifts: list[Shift]) -> list[ShiftRow]:
    if not shifts:
        return []
    stores = {row.id: row for row in session.execute(
        select(Store.id, Store.name, Store.max_cash_difference_minor)
        .where(Store.id.in_({s.store_id for s in shifts})))}
    tills = till_labels(session, {s.till_id for s in shifts})
    people = names(session, {s.opened_by_id for s in shifts})
    sales = dict(session.execute(
        select(Receipt.shift_id, func.sum(Receipt.total_minor))
        .where(Receipt.shift_id.in_([s.id for s in shifts]), Receipt.kind == SALE,
               Receipt.state == CLOSED_RECEIPT).group_by(Receipt.shift_id)).all())
    return [ShiftRow(shift, stores[shift.store_id].name, tills.get(shift.till_id, "?"),
                     people.get(shift.opened_by_id, "?"), int(sales.get(shift.id) or 0),
                     int(stores[shift.store_id].max_cash_difference_minor))
            for shift in shifts]


def till_labels(session: Session, till_ids: Iterable[int]) -> dict[int, str]:
    """Return each till's label ("Till 1" when it has no name) by id."""
    rows = session.execute(select(Till.id, Till.number, Till.name)
                           .where(Till.id.in_(set(till_ids))))
    return {row.id: row.name or f"Till {row.number}" for row in rows}


def names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Return each user's full name (or user name) by id."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.full_name, User.username)
                           .where(User.id.in_(wanted)))
    return {row.id: row.full_name or row.username for row in rows}


def shift_facts(db: Database, shift: Shift) -> ShiftFacts:
    """Return a shift the viewer may see (checked by the caller) with its cash movements."""
    with db.read() as session:
        row = _rows(session, [shift])[0]
        store = session.get(Store, shift.store_id)
        assert store is not None
        moves = list(session.scalars(select(CashMovement).where(
            CashMovement.shift_id == shift.id).order_by(CashMovement.id)))
        people = names(session, [shift.closed_by_id, shift.difference_approved_by_id,
                                 *(m.user_id for m in moves), *(m.approved_by_id for m in moves)])
    movements = [{"number": m.number, "kind": m.kind, "amount_minor": m.amount_minor,
                  "reason": m.reason, "at": m.created_at, "by": people.get(m.user_id, "?"),
                  "approved_by": people.get(m.approved_by_id or 0)} for m in moves]
    return ShiftFacts(row, store, people.get(shift.closed_by_id or 0),
                      people.get(shift.difference_approved_by_id or 0), movements)


def days_zone(db: Database, viewer: Principal, store_id: int | None) -> tzinfo:
    """Return the time zone the office's day filters are read in.

    A day is a store's local day: the chosen store's, else the one every store the viewer
    sees shares; stores in several zones with none chosen fall back to UTC days.
    """
    query = select(Store.timezone).distinct()
    stores = visible_stores(viewer)
    if stores is not None:
        query = query.where(Store.id.in_(stores))
    if store_id is not None:
        query = query.where(Store.id == store_id)
    with db.read() as session:
        zones = session.scalars(query.limit(2)).all()
    return ZoneInfo(zones[0]) if len(zones) == 1 else UTC


def store_choices(db: Database, viewer: Principal) -> list[tuple[int, str]]:
    """Return the stores the viewer sees, as (id, name), for the filters."""
    query = select(Store.id, Store.name).order_by(Store.code)
    stores = visible_stores(viewer)
    if stores is not None:
        query = query.where(Store.id.in_(stores))
    with db.read() as session:
        return [(row.id, row.name) for row in session.execute(query)]
