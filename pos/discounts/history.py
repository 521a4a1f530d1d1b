"""Purchase history that conditions need, kept incrementally when a receipt closes.

Accumulated volume is a rolling sum of daily buckets per buyer (the receipt's card code or
customer reference): the till reads at most ``window`` small rows, never the receipts
themselves. The segments a buyer has bought from answer "first purchase" and "trial of a
segment".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import BigInteger, Date, String, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos.core.db import Base

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
    segments = frozenset(session.scalars(
        select(PurchaseSegment.segment).where(PurchaseSegment.buyer == buyer)))
    return BuyerHistory(int(total), not ever, segments)


def record_purchase(session: Session, buyer: str | None, day: date, amount_minor: int,
                    segments: Iterable[str]) -> None:
    """Add a closed receipt (or, negative, a return) to the buyer's history."""
    if buyer is None:
        return
    _add_to_day(session, buyer, day, amount_minor)
    _add_segments(session, buyer, set(segments))


def _add_segments(session: Session, buyer: str, segments: set[str]) -> None:
    # One INSERT ... ON CONFLICT DO NOTHING for the lot: no read of what is known first.
    if not segments:
        return
    upsert = _SEGMENTS_PG if session.get_bind().dialect.name == "postgresql" else _SEGMENTS_LITE
    session.connection().execute(upsert, [{"buyer": buyer, "segment": segment}
                                          for segment in sorted(segments)])


# Built once, as Core statements on the tables: a close runs them, and building a statement
# (or an ORM update's synchronisation of the session) costs more than running it.
_DAYS, _SEGMENTS = PurchaseDay.__table__, PurchaseSegment.__table__
_SEGMENTS_PG = pg_insert(_SEGMENTS).on_conflict_do_nothing()
_SEGMENTS_LITE = sqlite_insert(_SEGMENTS).on_conflict_do_nothing()
_BUMP_DAY = update(_DAYS).where(_DAYS.c.buyer == bindparam("b"), _DAYS.c.day == bindparam("d")) \
    .values(amount_minor=_DAYS.c.amount_minor + bindparam("amount"))
_NEW_DAY = insert(_DAYS).values(buyer=bindparam("b"), day=bindparam("d"),
                                amount_minor=bindparam("amount"))


def _add_to_day(session: Session, buyer: str, day: date, amount_minor: int) -> None:
    # A guarded increment, then an insert if the row is new; a concurrent insert of the same
    # day loses the race and retries the increment inside a savepoint.
    params = {"b": buyer, "d": day, "amount": amount_minor}
    if session.connection().execute(_BUMP_DAY, params).rowcount:
        return
    try:
        with session.begin_nested():
            session.connection().execute(_NEW_DAY, params)
    except IntegrityError:
        session.connection().execute(_BUMP_DAY, params)


def move_card_history(session: Session, old_number: str, new_number: str) -> None:
    """Move a replaced card's purchase history to the card that replaced it (merging days)."""
    old, new = buyer_key(old_number, None), buyer_key(new_number, None)
    for day, amount in session.execute(select(PurchaseDay.day, PurchaseDay.amount_minor)
                                       .where(PurchaseDay.buyer == old)).all():
        _add_to_day(session, str(new), day, amount)
    session.execute(delete(PurchaseDay).where(PurchaseDay.buyer == old))
    _add_segments(session, str(new), set(session.scalars(
        select(PurchaseSegment.segment).where(PurchaseSegment.buyer == old))))
    session.execute(delete(PurchaseSegment).where(PurchaseSegment.buyer == old))
