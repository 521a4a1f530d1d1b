"""Reading the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from pos.core.audit import AuditEntry
from pos.core.db import Database
from pos.core.paging import Page, paginate
from pos.core.scope import visible_stores
from pos.core.security import Principal


def list_audit(
    db: Database, *, page: int, page_size: int, action: str | None = None,
    user_id: int | None = None, since: datetime | None = None, until: datetime | None = None,
    viewer: Principal | None = None,
) -> Page[AuditEntry]:
    """Return one page of the audit entries the viewer may see, newest first, filtered.

    A manager sees the entries of their stores and those tied to no store (sign-ins, users).
    """
    query = select(AuditEntry)
    stores = visible_stores(viewer) if viewer is not None else None
    if stores is not None:
        query = query.where(or_(AuditEntry.store_id.in_(stores), AuditEntry.store_id.is_(None)))
    if action:
        query = query.where(AuditEntry.action == action)
    if user_id is not None:
        query = query.where(AuditEntry.user_id == user_id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    with db.read() as session:
        return paginate(session, query.order_by(AuditEntry.id.desc()), page=page,
                        page_size=page_size)
