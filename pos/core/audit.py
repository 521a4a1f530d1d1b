"""The append-only audit log: who did what, when, and who approved it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos.core.db import Base, BigId, UTCDateTime


class AuditEntry(Base):
    """One line of the audit log; rows are only ever inserted."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(BigId, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(String(200))
    approved_by_id: Mapped[int | None] = mapped_column(BigId)
    store_id: Mapped[int | None] = mapped_column(BigId)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    client_address: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


def record(
    session: Session,
    *,
    at: datetime,
    action: str,
    user_id: int | None,
    target: str | None = None,
    approved_by_id: int | None = None,
    store_id: int | None = None,
    details: dict[str, Any] | None = None,
    client_address: str | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction, so it stands or falls with the action."""
    entry = AuditEntry(
        at=at, action=action, user_id=user_id, target=target, approved_by_id=approved_by_id,
        store_id=store_id, details=details or {}, client_address=client_address,
    )
    session.add(entry)
    return entry
