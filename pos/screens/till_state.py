"""What the till screen shows: the till, its store, its open shift and the cashier's open receipt.

Read-only queries for the screen, one read transaction; the use cases that change any of it
are the API's own (:mod:`pos.shifts.service`, :mod:`pos.receipts.service`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from pos.core.db import Database
from pos.core.security import Principal
from pos.receipts.model import OPEN as OPEN_RECEIPT
from pos.receipts.model import SALE, VOIDED, Receipt
from pos.shifts.model import Shift
from pos.stores.model import Store, Till
from pos.stores.service import till_and_store


@dataclass(frozen=True)
class TillChoice:
    """A till offered at sign-in."""

    id: int
    label: str


@dataclass(frozen=True)
class TillState:
    """The till as the signed-in cashier sees it."""

    till: Till
    store: Store
    shift: Shift | None
    receipt: Receipt | None

    @property
    def is_blind_close(self) -> bool:
        """Tell whether this store counts the drawer blind at close."""
        return bool(self.store.blind_close)


def till_choices(db: Database) -> list[TillChoice]:
    """Return the active tills, by store and number, for the sign-in form."""
    with db.read() as session:
        rows = session.execute(
            select(Till.id, Till.number, Till.name, Store.code)
            .join(Store, Store.id == Till.store_id).where(Till.is_active)
            .order_by(Store.code, Till.number)).all()
    return [TillChoice(row.id, f"{row.code} · {row.name or f'Till {row.number}'}")
            for row in rows]


def till_state(db: Database, till_id: int, principal: Principal) -> TillState:
    """Return the till, its store, its open shift and this cashier's latest open sale."""
    with db.read() as session:
        till, store = till_and_store(session, till_id)
        shift = session.scalar(select(Shift).where(Shift.open_till_id == till_id))
        receipt = None
        if shift is not None:
            receipt = session.scalar(
                select(Receipt).where(Receipt.shift_id == shift.id, Receipt.till_id == till_id,
                                      Receipt.state == OPEN_RECEIPT, Receipt.kind == SALE,
                                      Receipt.cashier_id == principal.user_id)
                .order_by(Receipt.opened_at.desc(), Receipt.id.desc()).limit(1))
        return TillState(till, store, shift, receipt)


def shown_to_customer(db: Database, till_id: int) -> Receipt | None:
    """Return the sale the customer display shows: the till's latest in its open shift."""
    with db.read() as session:
        shift_id = session.scalar(select(Shift.id).where(Shift.open_till_id == till_id))
        if shift_id is None:
            return None
        return session.scalar(
            select(Receipt).where(Receipt.shift_id == shift_id, Receipt.till_id == till_id,
                                  Receipt.kind == SALE, Receipt.state != VOIDED)
            .order_by(Receipt.opened_at.desc(), Receipt.id.desc()).limit(1))


def open_sale_id(db: Database, till_id: int, principal: Principal) -> int | None:
    """Return the id of this cashier's latest open sale at the till (one query, for a scan)."""
    with db.read() as session:
        return session.scalar(
            select(Receipt.id).join(Shift, Shift.id == Receipt.shift_id)
            .where(Shift.open_till_id == till_id, Receipt.till_id == till_id,
                   Receipt.state == OPEN_RECEIPT, Receipt.kind == SALE,
                   Receipt.cashier_id == principal.user_id)
            .order_by(Receipt.opened_at.desc(), Receipt.id.desc()).limit(1))
