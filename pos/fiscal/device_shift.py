"""Shift sync: the registrar's view of each shift, its Z figures beside ours, and mismatches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, Session, mapped_column

from devices.fiscal.base import FiscalRegistrar
from pos.core.db import Base, BigId, UTCDateTime


class DeviceShift(Base):
    """A shift as the fiscal registrar saw it: its number, documents and Z figures."""

    __tablename__ = "device_shifts"

    shift_id: Mapped[int] = mapped_column(BigId, ForeignKey("shifts.id"), primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    device_shift_number: Mapped[int | None] = mapped_column(BigInteger)
    # The shift was already open on the registrar (e.g. opened by hand): found, not opened.
    was_found_open: Mapped[bool] = mapped_column(default=False)
    open_document_number: Mapped[int | None] = mapped_column(BigInteger)
    close_document_number: Mapped[int | None] = mapped_column(BigInteger)
    close_fiscal_sign: Mapped[int | None] = mapped_column(BigInteger)
    # What the registrar's storage holds for the shift, beside our Z report's figures.
    device_figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    mismatches: Mapped[list[Any]] = mapped_column(JSON, default=list)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def device_shift(session: Session, store_id: int, till_id: int, shift_id: int) -> DeviceShift:
    """Return the shift's registrar record, created on first use."""
    row = session.get(DeviceShift, shift_id)
    if row is None:
        row = DeviceShift(shift_id=shift_id, store_id=store_id, till_id=till_id,
                          was_found_open=False, mismatches=[])
        session.add(row)
    return row


def device_figures(registrar: FiscalRegistrar, first: int, last: int) -> dict[str, Any]:
    """Sum the receipts the registrar's storage holds between two document numbers."""
    figures = {"sales": {"count": 0, "total_minor": 0}, "returns": {"count": 0, "total_minor": 0},
               "first_document": first, "last_document": last}
    for number in range(first, last + 1):
        document = registrar.find_document(number)
        if document.kind != "receipt":
            continue
        side = figures["returns" if document.is_return else "sales"]
        side["count"] += 1
        side["total_minor"] += document.amount_minor or 0
    return figures


def mismatches(ours: dict[str, Any], device: dict[str, Any]) -> list[dict[str, Any]]:
    """List where our Z report's figures and the registrar's differ."""
    found = []
    for side in ("sales", "returns"):
        for field in ("count", "total_minor"):
            mine, theirs = ours.get(side, {}).get(field, 0), device[side][field]
            if mine != theirs:
                found.append({"figure": f"{side}.{field}", "ours": mine, "device": theirs})
    return found
