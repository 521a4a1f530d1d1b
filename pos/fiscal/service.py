"""Record a closed fiscal document: number, journal entry and outbox row, in the caller's txn."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from pos.core.db import Database, JsonText
from pos.core.direct import Direct
from pos.core.errors import NotFoundError
from pos.core.paging import Page, paginate
from pos.core.scope import visible_stores
from pos.core.security import Principal
from pos.fiscal.device_shift import DeviceShift
from pos.fiscal.model import FAILED, PENDING, OutboxEntry
from pos.fiscal.numbering import next_number
from pos.journal import service as journal


def record_document(
    session: Session, *, store_id: int, till_id: int, kind: str, document_id: int,
    build: Callable[[int], dict[str, Any]], now: datetime,
) -> int:
    """Number a closed document, journal it and queue it for the device; return its number.

    ``build(number)`` returns the document's canonical content once its number is known.
    """
    number = next_number(session, store_id, till_id)
    record_numbered(session, store_id=store_id, till_id=till_id, kind=kind,
                    document_id=document_id, number=number, document=build(number), now=now)
    return number


def record_numbered(
    session: Session, *, store_id: int, till_id: int, kind: str, document_id: int,
    number: int, document: dict[str, Any], now: datetime,
) -> None:
    """Journal and queue a document whose number ``next_number`` gave in this transaction."""
    text = journal.append(session, store_id=store_id, till_id=till_id, number=number,
                          kind=kind, document_id=document_id, document=document, now=now)
    # The outbox stores the same document: its journaled text, not a second serialisation.
    enqueue(session, store_id=store_id, till_id=till_id, number=number, kind=kind,
            document_id=document_id, payload=JsonText(text), now=now)


def enqueue(session: Session, *, store_id: int, till_id: int, number: int | None, kind: str,
            document_id: int, payload: dict[str, Any] | JsonText, now: datetime) -> None:
    """Put a document in the fiscal outbox in the caller's transaction.

    On PostgreSQL the insert's trigger (migration 0019) notifies the device service on commit.
    """
    _ENQUEUE.count(session.connection(), dict(
        store_id=store_id, till_id=till_id, number=number, kind=kind, document_id=document_id,
        payload=payload, state=PENDING, attempts=0, created_at=now))


_ENQUEUE = Direct(insert(OutboxEntry.__table__))


def list_outbox(db: Database, *, till_id: int | None, state: str | None, page: int,
                page_size: int, viewer: Principal | None = None) -> Page[OutboxEntry]:
    """Return a page of the outbox rows of the viewer's stores, newest first."""
    with db.read() as session:
        query = select(OutboxEntry)
        stores = visible_stores(viewer) if viewer is not None else None
        if stores is not None:
            query = query.where(OutboxEntry.store_id.in_(stores))
        if till_id is not None:
            query = query.where(OutboxEntry.till_id == till_id)
        if state is not None:
            query = query.where(OutboxEntry.state == state)
        return paginate(session, query.order_by(OutboxEntry.id.desc()), page=page,
                        page_size=page_size)


def due_entries(session: Session, till_id: int, max_attempts: int) -> list[OutboxEntry]:
    """Return the till's unfinished rows in journal order; a failed row holds back the rest."""
    return list(session.scalars(
        select(OutboxEntry).where(OutboxEntry.till_id == till_id,
                                  OutboxEntry.state.in_((PENDING, FAILED)),
                                  OutboxEntry.attempts < max_attempts)
        .order_by(OutboxEntry.id)))


def tills_with_work(db: Database) -> list[int]:
    """Return the tills that have documents waiting for their device."""
    with db.read() as session:
        return list(session.scalars(
            select(OutboxEntry.till_id).where(OutboxEntry.state.in_((PENDING, FAILED)))
            .distinct().order_by(OutboxEntry.till_id)))


def list_queue(db: Database, *, till_id: int | None, page: int, page_size: int,
               viewer: Principal | None = None) -> Page[OutboxEntry]:
    """Return the unsigned documents of the viewer's stores, in sending order."""
    with db.read() as session:
        query = select(OutboxEntry).where(OutboxEntry.state.in_((PENDING, FAILED)))
        stores = visible_stores(viewer) if viewer is not None else None
        if stores is not None:
            query = query.where(OutboxEntry.store_id.in_(stores))
        if till_id is not None:
            query = query.where(OutboxEntry.till_id == till_id)
        return paginate(session, query.order_by(OutboxEntry.till_id, OutboxEntry.id),
                        page=page, page_size=page_size)


def device_shift_of(db: Database, shift_id: int, viewer: Principal | None = None
                    ) -> DeviceShift:
    """Return the registrar's record of a shift in the viewer's stores."""
    with db.read() as session:
        row = session.get(DeviceShift, shift_id)
        stores = visible_stores(viewer) if viewer is not None else None
        if row is None or (stores is not None and row.store_id not in stores):
            raise NotFoundError(f"The registrar has no record of shift {shift_id} yet",
                                code="device_shift_not_found")
        return row
