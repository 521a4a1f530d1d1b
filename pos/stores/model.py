"""Tables of stores and tills."""

from __future__ import annotations

import functools
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.core.db import Base, BigId, UTCDateTime

TILL_MODES = ("online", "offline")


class Store(Base):
    """A shop with its own time zone, prices and tills."""

    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(400), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    # A counted-cash difference above this needs a manager when a shift closes.
    max_cash_difference_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # Blind close: cashiers count the drawer without being shown the expected cash; a count
    # off by more than the tolerance may be redone this many times before a manager approves.
    blind_close: Mapped[bool] = mapped_column(default=False, server_default=false())
    blind_recounts: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    # The price type this store sells at; None means any type, the latest valid price wins.
    price_type_id: Mapped[int | None] = mapped_column(ForeignKey("price_types.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    tills: Mapped[list[Till]] = relationship(back_populates="store", order_by="Till.number")

    @property
    def zone(self) -> ZoneInfo:
        """Return the store's time zone."""
        return ZoneInfo(self.timezone)

    def local_date(self, now: datetime) -> date:
        """Return the calendar date at the store at instant ``now``."""
        return local_date(self.timezone, now)


@functools.lru_cache(maxsize=256)
def local_date(timezone: str, now: datetime) -> date:
    """Return the calendar date in ``timezone`` at instant ``now``.

    Kept for the last few instants: a sale asks it of its one instant several times (its
    card's check, a points payment, the earn, the purchase history).
    """
    return now.astimezone(ZoneInfo(timezone)).date()


class Till(Base):
    """A cash register of a store, online (fiscal device attached) or offline."""

    __tablename__ = "tills"
    __table_args__ = (UniqueConstraint("store_id", "number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(100), default="")
    mode: Mapped[str] = mapped_column(String(10), default="online")
    is_active: Mapped[bool] = mapped_column(default=True)

    store: Mapped[Store] = relationship(back_populates="tills")
