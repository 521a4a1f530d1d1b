"""Reading the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from pos.core.audit import AuditEntry
from pos.core.db import Database
from pos.core.paging import Page, paginate


def list_audit(
    db: Database, *, page: int, page_size: int, action: str | None = None,
    user_id: int | None = None, since: datetime | None = None, until: datetime | None = None,
) -> Page[AuditEntry]:
    """Return one page of audit entries, newest first, filtered."""
    query = select(AuditEntry)
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
