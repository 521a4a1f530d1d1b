"""Purchase history that conditions need, kept incrementally when a receipt closes.

Accumulated volume is a rolling sum of daily buckets per customer (the receipt's customer
reference): the till reads at most ``window`` small rows, never the receipts themselves. A
loyalty card keeps its own accumulated spend and whether it has bought (loyalty moves them
with its sale's update), so a card's sale writes no day here. The segments a buyer (card or
customer) has bought from answer "trial of a segment".
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import BigInteger, Date, String, bindparam, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos.core.db import Base, insert_for
from pos.core.direct import Direct

ACCUMULATION_DAYS = 365


class PurchaseDay(Base):
    """What one buyer spent on one day (net of returns)."""

    __tablename__ = "purchase_days"

    buyer: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)


class PurchaseSegment(Base):
    """A segment a buyer has bought from at least once."""

    __tablename__ = "purchase_segments"

    buyer: Mapped[str] = mapped_column(String(100), primary_key=True)
    segment: Mapped[str] = mapped_column(String(64), primary_key=True)


@dataclass(frozen=True)
class BuyerHistory:
    """What the conditions may know about a buyer."""

    accumulated_minor: int = 0
    is_first_purchase: bool = True
    segments_bought: frozenset[str] = frozenset()


def buyer_key(card_code: str | None, customer_ref: str | None) -> str | None:
    """Return the key purchases are accumulated under: the card, else the customer."""
    if card_code:
        return f"card:{card_code}"
    if customer_ref:
        return f"customer:{customer_ref}"
    return None


def read_history(session: Session, buyer: str | None, today: date,
                 days: int = ACCUMULATION_DAYS) -> BuyerHistory:
    """Return a buyer's rolling volume and segments (empty history for an anonymous sale)."""
    if buyer is None:
        return BuyerHistory(is_first_purchase=False)
    since = today - timedelta(days=days)
    total, count = session.execute(
        select(func.coalesce(func.sum(PurchaseDay.amount_minor), 0), func.count())
        .where(PurchaseDay.buyer == buyer, PurchaseDay.day > since)).one()
    ever = count > 0 or session.scalar(
        select(PurchaseDay.day).where(PurchaseDay.buyer == buyer).limit(1)) is not None
    return BuyerHistory(int(total), not ever, read_segments(session, buyer))


def record_purchase(session: Session, buyer: str | None, day: date, amount_minor: int,
                    segments: Iterable[str], known: BoughtSegments | None = None) -> None:
    """Add a closed receipt (or, negative, a return) to the buyer's history.

    ``known`` (the app's, kept across transactions) spares the insert of segments the buyer
    is known to have bought from already.
    """
    if buyer is None:
        return
    # The day's row is usually there (an update); a new one is inserted or, if a concurrent
    # sale inserted it first, added to: no savepoint, no second try.
    connection = session.connection()
    params = {"b": buyer, "d": day, "amount": amount_minor}
    if not _BUMP_DAY.count(connection, params):
        connection.execute(_upsert_day(connection.dialect.name), params)
    record_segments(session, buyer, segments, known)


def read_segments(session: Session, buyer: str) -> frozenset[str]:
    """Return the segments a buyer has bought from."""
    return frozenset(session.scalars(
        select(PurchaseSegment.segment).where(PurchaseSegment.buyer == buyer)))


class BoughtSegments:
    """The segments buyers are known to have bought from: rows seen committed in the table.

    A segment joins only when an insert found its row there already (``ON CONFLICT DO
    NOTHING`` returned nothing for it), so a rolled-back transaction never teaches it
    anything; rows are only ever deleted for a replaced card's number, which sells no more.
    """

    LIMIT = 50_000  # buyers remembered; forgotten all at once beyond (a miss only costs an insert)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_buyer: dict[str, frozenset[str]] = {}

    def missing(self, buyer: str, segments: set[str]) -> set[str]:
        """Return the segments not known to be in the buyer's history."""
        return segments - self._by_buyer.get(buyer, frozenset())

    def learn(self, buyer: str, segments: set[str]) -> None:
        """Remember segments found in the buyer's history."""
        with self._lock:
            if len(self._by_buyer) >= self.LIMIT:
                self._by_buyer.clear()
            self._by_buyer[buyer] = self._by_buyer.get(buyer, frozenset()) | segments


def record_segments(session: Session, buyer: str, segments: Iterable[str],
                    known: BoughtSegments | None = None) -> None:
    """Add the segments of a closed receipt to its buyer's.

    One INSERT ... ON CONFLICT DO NOTHING for the segments not known to be there, no read
    first; what it did not insert was there already, committed, and ``known`` learns it
    (unless this transaction wrote the buyer's segments before: its rows are not committed).
    """
    segments = set(segments)
    missing = known.missing(buyer, segments) if known is not None else segments
    if not missing:
        return
    connection = session.connection()
    inserted = set(connection.execute(_insert_segments(connection.dialect.name, len(missing)),
                                      {f"s{n}": segment for n, segment
                                       in enumerate(sorted(missing))} | {"b": buyer})
                   .scalars())
    written = session.info.setdefault("purchase_segment_buyers", set())
    if known is not None and inserted != missing and buyer not in written:
        known.learn(buyer, missing - inserted)
    written.add(buyer)


# Built once per dialect (and number of segments), as Core statements on the tables: a close
# runs them, and building a statement costs more than running it.
_DAYS, _SEGMENTS = PurchaseDay.__table__, PurchaseSegment.__table__
_BUMP_DAY = Direct(update(_DAYS).where(_DAYS.c.buyer == bindparam("b"),
                                        _DAYS.c.day == bindparam("d"))
                   .values(amount_minor=_DAYS.c.amount_minor + bindparam("amount")))


@functools.cache
def _upsert_day(dialect: str) -> Any:
    # A new day's row, or, when a concurrent sale inserted it first, an addition to it.
    statement = insert_for(dialect)(_DAYS).values(buyer=bindparam("b"), day=bindparam("d"),
                                                amount_minor=bindparam("amount"))
    return statement.on_conflict_do_update(
        index_elements=[_DAYS.c.buyer, _DAYS.c.day],
        set_={"amount_minor": _DAYS.c.amount_minor + statement.excluded.amount_minor})


@functools.cache
def _insert_segments(dialect: str, count: int) -> Any:
    return insert_for(dialect)(_SEGMENTS).values(
        [{"buyer": bindparam("b"), "segment": bindparam(f"s{n}")} for n in range(count)]
    ).on_conflict_do_nothing().returning(_SEGMENTS.c.segment)


def move_card_history(session: Session, old_number: str, new_number: str) -> None:
    """Move a replaced card's segments to the card that replaced it (its spend moves with it)."""
    old, new = buyer_key(old_number, None), buyer_key(new_number, None)
    assert old is not None and new is not None
    record_segments(session, new, read_segments(session, old))
    session.execute(delete(PurchaseSegment).where(PurchaseSegment.buyer == old))
