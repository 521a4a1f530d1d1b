"""The fiscal outbox: each closed fiscal document waits here until the device has signed it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pos.core.db import Base, BigId, UTCDateTime

PENDING, FISCALISED, FAILED = "pending", "fiscalised", "failed"
OUTBOX_STATES = (PENDING, FISCALISED, FAILED)


class OutboxEntry(Base):
    """A document to fiscalise: ``pending`` -> ``fiscalised`` or ``failed`` (retried)."""

    __tablename__ = "fiscal_outbox"
    __table_args__ = (Index("ix_fiscal_outbox_till_state", "till_id", "state", "id"),
                      Index("ix_fiscal_outbox_till_number", "till_id", "number"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    number: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    document_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Persisted before the first send, so a retry after a crash asks the device for exactly
    # this document instead of printing it again (performance-reliability §3.6).
    expected_device_number: Mapped[int | None] = mapped_column(BigInteger)
    device_number: Mapped[int | None] = mapped_column(BigInteger)
    fiscal_sign: Mapped[int | None] = mapped_column(BigInteger)
    # The device's through number of every document it printed (0x11), fiscal or not, so
    # documents of every kind compare in one numbering; and the device's shift number.
    running_number: Mapped[int | None] = mapped_column(BigInteger)
    shift_number: Mapped[int | None] = mapped_column(BigInteger)
    # Back-off: a failed row is retried no earlier than this.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def mark_fiscalised(self, device_number: int | None, fiscal_sign: int | None,
                        now: datetime) -> None:
        """Record the device's document number and fiscal sign."""
        self.state, self.device_number, self.fiscal_sign = FISCALISED, device_number, fiscal_sign
        self.processed_at, self.last_error = now, None

    def mark_failed(self, error: str, now: datetime) -> None:
        """Record a failed attempt; the worker retries it later."""
        self.state, self.last_error, self.processed_at = FAILED, error[:2000], now
        self.attempts += 1
