"""Sell a till's day through the API and drive the device service's outbox to the end."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from pos.fiscal.model import OutboxEntry
from pos.hardware.daemon import DeviceService
from pos.journal.model import JournalEntry
from tests.hardware.conftest import wait_until

CASH = [{"type": "cash", "amount": "500.00"}]


def sell(till: Any, sku: str = "MILK-1L", quantity: str = "1") -> dict[str, Any]:
    """Close a cash sale in one request."""
    return till.ok(till.checkout([{"sku": sku, "quantity": quantity}], CASH), 201)


def rows(db: Any, till_id: int) -> list[OutboxEntry]:
    """Return the till's outbox rows in sending order."""
    with db.read() as session:
        return list(session.scalars(select(OutboxEntry).where(OutboxEntry.till_id == till_id)
                                    .order_by(OutboxEntry.id)))


def journal(db: Any, till_id: int) -> list[JournalEntry]:
    """Return the till's journal in number order."""
    with db.read() as session:
        return list(session.scalars(select(JournalEntry).where(JournalEntry.till_id == till_id)
                                    .order_by(JournalEntry.number)))


def drain(service: DeviceService, db: Any, till_id: int) -> list[OutboxEntry]:
    """Run outbox passes until every document of the till is fiscalised."""
    def done() -> bool:
        service.fiscalise_pass()
        return all(r.state == "fiscalised" for r in rows(db, till_id))

    wait_until(done)
    return rows(db, till_id)


def one_pass(service: DeviceService, db: Any, till_id: int) -> list[OutboxEntry]:
    """Run one outbox pass and return the rows."""
    service.fiscalise_pass()
    return rows(db, till_id)
