"""Shifts and cash movements, with the rules a shift keeps."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, bindparam, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos.core.db import Base, BigId, UTCDateTime
from pos.core.direct import Direct
from pos.core.errors import ConflictError, ValidationError

# 54-FZ: a fiscal shift lasts at most 24 hours.
MAX_SHIFT_LENGTH = timedelta(hours=24)
# How far an offline till's clock may be off the server's when it stamps its own sales.
CLOCK_SKEW = timedelta(minutes=5)
OPEN, CLOSED = "open", "closed"
CASH_IN, CASH_OUT = "cash_in", "cash_out"


class Shift(Base):
    """A till's working period from the opening float to the closing count."""

    __tablename__ = "shifts"
    __table_args__ = (Index("ix_shifts_store_till_opened", "store_id", "till_id", "opened_at"),
                      Index("ix_shifts_store_till_z_number", "store_id", "till_id", "z_number"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    # Equals till_id while open, NULL once closed: a UNIQUE column that allows one open shift
    # per till on both databases (NULLs never collide).
    open_till_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    state: Mapped[str] = mapped_column(String(8), default=OPEN)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opening_float_minor: Mapped[int] = mapped_column(BigInteger)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_blind_close: Mapped[bool] = mapped_column(default=False)
    # Blind counts refused so far for being off by more than the store's tolerance.
    blind_recounts_used: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    expected_cash_minor: Mapped[int | None] = mapped_column(BigInteger)
    counted_cash_minor: Mapped[int | None] = mapped_column(BigInteger)
    difference_minor: Mapped[int | None] = mapped_column(BigInteger)
    difference_approved_by_id: Mapped[int | None] = mapped_column(BigInteger)
    z_number: Mapped[int | None] = mapped_column(BigInteger)
    z_report: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    @property
    def is_open(self) -> bool:
        """Tell whether the shift is still open."""
        return self.state == OPEN

    def ensure_open(self) -> None:
        """Refuse any operation on a closed shift."""
        if not self.is_open:
            raise ConflictError(f"Shift {self.id} is closed", code="shift_closed")

    def ensure_can_pay_out(self, amount_minor: int, expected_cash_minor: int, *,
                           is_refund: bool = False) -> None:
        """Refuse paying out more cash than the drawer should hold: a cash out or a refund."""
        if amount_minor <= expected_cash_minor:
            return
        if is_refund:
            raise ConflictError("The drawer does not hold the cash to refund; take cash in first",
                                code="insufficient_cash", extra={"cash_refund_minor": amount_minor})
        raise ConflictError("Cash out exceeds the cash expected in the drawer",
                            code="insufficient_cash", field="amount",
                            extra={"expected_cash_minor": expected_cash_minor})

    def close(self, counted_minor: int, expected_minor: int, *, by_id: int, now: datetime,
              is_blind: bool) -> int:
        """Close with the counted cash; return the difference (counted - expected)."""
        self.ensure_open()
        if counted_minor < 0:
            raise ValidationError("Counted cash is not negative", code="negative_amount",
                                  field="counted_cash")
        self.state, self.open_till_id = CLOSED, None
        self.closed_by_id, self.closed_at, self.is_blind_close = by_id, now, is_blind
        self.expected_cash_minor, self.counted_cash_minor = expected_minor, counted_minor
        self.difference_minor = counted_minor - expected_minor
        return self.difference_minor

    def opening_document(self, cashier: str) -> dict[str, Any]:
        """Return what the fiscal device is sent to open this shift (unnumbered, not journaled)."""
        return {"kind": "shift_open", "shift_id": self.id,
                "opening_float_minor": self.opening_float_minor, "cashier": cashier}


class CashMovement(Base):
    """Cash put into the drawer or taken to the safe: a numbered fiscal document."""

    __tablename__ = "cash_movements"
    __table_args__ = (Index("ix_cash_movements_shift", "shift_id", "kind"),
                      Index("ix_cash_movements_store_till_number", "store_id", "till_id", "number"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id"))
    kind: Mapped[str] = mapped_column(String(8))
    number: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def document(self) -> dict[str, Any]:
        """Return the canonical content journaled for this movement."""
        return {"kind": self.kind, "number": self.number, "store_id": self.store_id,
                "till_id": self.till_id, "shift_id": self.shift_id,
                "amount_minor": self.amount_minor, "reason": self.reason,
                "user_id": self.user_id, "approved_by_id": self.approved_by_id,
                "at": self.created_at.isoformat()}


def outlived(opened_at: datetime, now: datetime) -> bool:
    """Tell whether a shift opened at ``opened_at`` has outlived the 24-hour fiscal limit."""
    return now - opened_at > MAX_SHIFT_LENGTH


def refuse_if_expired(opened_at: datetime, now: datetime) -> None:
    """Refuse a new receipt in a shift older than 24 hours (``shift_expired``)."""
    if outlived(opened_at, now):
        raise ConflictError("The shift is older than 24 hours; close it first",
                            code="shift_expired")


def open_shift_id(session: Session, till_id: int, at: datetime) -> int:
    """Return the id of the till's open shift if it accepts a sale made at ``at``.

    Refused: no open shift, a sale before the shift opened (an offline till's upload; its clock
    may be :data:`CLOCK_SKEW` behind the server's), or after its 24 hours. One Core SELECT of
    two columns: this runs in every sale's write transaction.
    """
    row = _OPEN_SHIFT.first(session.connection(), {"till_id": till_id})
    if row is None:
        raise ConflictError(f"Till {till_id} has no open shift", code="shift_not_open")
    if at < row.opened_at - CLOCK_SKEW:
        raise ConflictError("The sale is older than the till's open shift",
                            code="sold_before_shift", field="sold_at",
                            extra={"shift_opened_at": row.opened_at.isoformat()})
    refuse_if_expired(row.opened_at, at)
    return int(row.id)


_OPEN_SHIFT = Direct(select(Shift.__table__.c.id, Shift.__table__.c.opened_at).where(
    Shift.__table__.c.open_till_id == bindparam("till_id")))
