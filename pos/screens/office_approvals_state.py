"""What waits for a manager: claims to approve, cash differences, old shifts, stuck documents.

Gathered from the features that keep such states: rebate claims calculated and not approved
(``loyalty.rebates``), closed shifts whose cash was off with nobody's approval and open shifts
past the 24-hour fiscal limit (``pos.shifts``), and fiscal documents the device has not signed
(failed, or pending longer than :data:`STUCK_AFTER`; ``pos.fiscal``). Each list is of the
stores the manager sees and at most :data:`SHOWN` long, with the total count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select

from loyalty.rebates.model import CALCULATED, Claim
from pos.core.db import Database
from pos.core.scope import visible_stores
from pos.core.security import Principal, Right
from pos.fiscal.model import FAILED, PENDING, OutboxEntry
from pos.screens.office_shifts_state import till_labels
from pos.shifts.model import CLOSED, MAX_SHIFT_LENGTH, OPEN, Shift
from pos.stores.model import Store, Till

SHOWN = 20
STUCK_AFTER = timedelta(minutes=15)
DIFFERENCES_SINCE = timedelta(days=30)


@dataclass(frozen=True)
class Waiting:
    """One kind of thing waiting: how many in all and the first :data:`SHOWN` of them."""

    total: int
    items: list[Any]


@dataclass(frozen=True)
class Approvals:
    """Everything waiting for the manager, by kind (None: a kind they have no right to)."""

    claims: Waiting | None
    differences: Waiting
    outlived: Waiting
    fiscal: Waiting
    tills: dict[int, str]

    @property
    def count(self) -> int:
        """Return how many things wait in all."""
        kinds = (self.claims, self.differences, self.outlived, self.fiscal)
        return sum(kind.total for kind in kinds if kind is not None)


def code_tills(db: Database, viewer: Principal) -> dict[int, str]:
    """Return the tills of the stores the viewer sees, by id, labelled with their store."""
    stores = visible_stores(viewer)
    query = select(Till.id, Till.number, Till.name, Store.code).join(
        Store, Store.id == Till.store_id).order_by(Store.code, Till.number)
    if stores is not None:
        query = query.where(Till.store_id.in_(stores))
    with db.read() as session:
        return {row.id: f"{row.code}: {row.name or f'Till {row.number}'}"
                for row in session.execute(query)}


def waiting_for(db: Database, viewer: Principal, now: datetime) -> Approvals:
    """Return what waits for the viewer in the stores they see, as of ``now``."""
    stores = visible_stores(viewer)

    def scoped(query: Select[Any], column: Any) -> Select[Any]:
        return query if stores is None else query.where(column.in_(stores))

    differences = scoped(select(Shift).where(
        Shift.state == CLOSED, Shift.closed_at >= now - DIFFERENCES_SINCE,
        Shift.difference_minor != 0, Shift.difference_approved_by_id.is_(None)),
        Shift.store_id).order_by(Shift.closed_at.desc())
    outlived = scoped(select(Shift).where(Shift.state == OPEN,
                                          Shift.opened_at < now - MAX_SHIFT_LENGTH),
                      Shift.store_id).order_by(Shift.opened_at)
    fiscal = scoped(select(OutboxEntry).where(or_(
        OutboxEntry.state == FAILED,
        (OutboxEntry.state == PENDING) & (OutboxEntry.created_at < now - STUCK_AFTER))),
        OutboxEntry.store_id).order_by(OutboxEntry.id)
    claims = select(Claim).where(Claim.status == CALCULATED).order_by(Claim.id)
    with db.read() as session:
        def first(query: Select[Any]) -> Waiting:
            total = session.scalar(select(func.count()).select_from(
                query.order_by(None).subquery())) or 0
            return Waiting(int(total), list(session.scalars(query.limit(SHOWN))))

        found = (first(differences), first(outlived), first(fiscal))
        waiting_claims = first(claims) if viewer.can(Right.MANAGE_LOYALTY) else None
        tills = till_labels(session, {row.till_id for kind in found for row in kind.items})
    return Approvals(waiting_claims, found[0], found[1], found[2], tills)
