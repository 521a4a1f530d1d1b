"""Gapless per-till document numbers: one counter row per till, bumped in the closing txn.

The number is taken by ``UPDATE till_counters SET last_number = last_number + 1`` inside the
transaction that closes the document. On PostgreSQL the update holds the row lock until commit,
so a second till transaction waits and then sees the committed value; on SQLite every write
transaction is ``BEGIN IMMEDIATE`` and so already serialised. A rolled-back transaction rolls
its increment back with it: numbers never skip and never repeat.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos.core.db import Base, BigId
from pos.core.direct import Direct


class TillCounter(Base):
    """The last fiscal document number given out on a till."""

    __tablename__ = "till_counters"

    till_id: Mapped[int] = mapped_column(BigId, ForeignKey("tills.id"), primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    last_number: Mapped[int] = mapped_column(BigInteger, default=0)


def ensure_counter(session: Session, store_id: int, till_id: int) -> None:
    """Create the till's counter row if it is missing (safe against a concurrent creator)."""
    if session.get(TillCounter, till_id) is not None:
        return
    try:
        with session.begin_nested():
            session.add(TillCounter(till_id=till_id, store_id=store_id, last_number=0))
    except IntegrityError:
        pass  # another transaction created it first; its row serves us as well


def next_number(session: Session, store_id: int, till_id: int) -> int:
    """Take the till's next document number in the caller's transaction."""
    number = _BUMP.scalar(session.connection(), {"for_till": till_id})
    if number is None:  # one statement once the till has its counter row
        ensure_counter(session, store_id, till_id)
        number = _BUMP.scalar(session.connection(), {"for_till": till_id})
    assert number is not None
    return int(number)


_COUNTERS = TillCounter.__table__
_BUMP = Direct(update(_COUNTERS).where(_COUNTERS.c.till_id == bindparam("for_till"))
                .values(last_number=_COUNTERS.c.last_number + 1)
                .returning(_COUNTERS.c.last_number))
