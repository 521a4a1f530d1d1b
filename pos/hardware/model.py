"""The table of the till's devices: what is attached where and how to talk to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pos.core.db import Base, BigId, UTCDateTime

FISCAL, PRINTER, SCALE = "fiscal", "printer", "scale"
KINDS = (FISCAL, PRINTER, SCALE)
# (kind, protocol) pairs the devices library drives (devices/config.py DRIVERS).
PROTOCOLS = {FISCAL: ("shtrih", "fake"), PRINTER: ("escpos", "fake"),
             SCALE: ("toledo8217", "mtsics", "fake")}


class TillDevice(Base):
    """One device attached to a till: at most one of each kind per till."""

    __tablename__ = "till_devices"
    __table_args__ = (UniqueConstraint("till_id", "kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    kind: Mapped[str] = mapped_column(String(8))
    protocol: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(300))
    baudrate: Mapped[int] = mapped_column(default=9600)
    bytesize: Mapped[int] = mapped_column(default=8)
    parity: Mapped[str] = mapped_column(String(1), default="N")
    stopbits: Mapped[int] = mapped_column(default=1)
    timeout_ms: Mapped[int] = mapped_column(default=1000)
    write_timeout_ms: Mapped[int] = mapped_column(default=1000)
    retries: Mapped[int] = mapped_column(default=3)
    # The Shtrih operator password; never returned by the API.
    password: Mapped[int | None] = mapped_column()
    profile: Mapped[str | None] = mapped_column(String(64))
    min_weight_g: Mapped[int | None] = mapped_column()
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

