"""Pending points becoming spendable and spendable points expiring, lazily and as a job.

Both are set-based: per batch of cards, one grouped query finds what is due, one statement
writes an entry per card and kind, one moves the cards, one moves the lots. A card read or
spent from is settled first (:func:`settle_if_due`), so balances are right even if the job
(``pos loyalty run-jobs``) has not run; the job is idempotent (what it settled is no longer
due).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.orm import Session

from loyalty.cards.model import ACTIVE as CARD_ACTIVE
from loyalty.cards.model import EXPIRED, ISSUED, Card
from loyalty.points.model import ACTIVATE, ACTIVE, EXPIRE, PENDING, SPENT, Entry, Lot
from pos.core.db import Database

CARDS, LOTS = Card.__table__, Lot.__table__
BATCH = 2000


@dataclass
class Settled:
    """What a run settled: cards touched, points activated and expired, cards expired."""

    cards: int = 0
    activated_cp: int = 0
    expired_cp: int = 0
    expired_cards: int = 0


def _activating(now: datetime) -> Any:
    return and_(LOTS.c.state == PENDING, LOTS.c.active_from <= now)


def _expiring(now: datetime) -> Any:
    return and_(LOTS.c.state == ACTIVE, LOTS.c.expires_at <= now, LOTS.c.remaining_cp > 0)


def is_due(session: Session, card_id: int, now: datetime) -> bool:
    """Tell whether a card has lots to activate or expire."""
    return bool(session.scalar(select(due_exists(card_id, now))))


def due_exists(card_id: Any, now: datetime) -> Any:
    """Return whether the card has lots due to activate or expire (``card_id``: a column).

    Two EXISTS, one per state, each a range of the card's (card, state, expiry) index: one
    EXISTS of the two conditions OR-ed is answered by reading every lot of the card.
    """
    return or_(*(select(LOTS.c.id).where(LOTS.c.card_id == card_id, due).exists()
                 for due in (_activating(now), _expiring(now))))


def next_due_of(card_id: Any) -> Any:
    """Return the instant the card's next lot falls due, from its lots (``card_id``: a column).

    The earliest of its pending lots' activation and its spendable lots' expiry (NULL: none).
    """
    pending = select(func.min(LOTS.c.active_from)).where(
        LOTS.c.card_id == card_id, LOTS.c.state == PENDING).scalar_subquery()
    expiring = select(func.min(LOTS.c.expires_at)).where(
        LOTS.c.card_id == card_id, LOTS.c.state == ACTIVE,
        LOTS.c.remaining_cp > 0).scalar_subquery()
    return case((pending.is_(None), expiring), (expiring.is_(None), pending),
                (pending < expiring, pending), else_=expiring)


def settle_if_due(session: Session, card_id: int, now: datetime) -> None:
    """Activate and expire a card's due lots in this (write) transaction."""
    if is_due(session, card_id, now):
        settle(session, [card_id], now, Settled())


def settle(session: Session, card_ids: Sequence[int], now: datetime, done: Settled) -> None:
    """Activate, then expire, the due lots of ``card_ids`` (locked in id order)."""
    session.execute(select(CARDS.c.id).where(CARDS.c.id.in_(card_ids)).order_by(CARDS.c.id)
                    .with_for_update())
    done.activated_cp += _apply(session, card_ids, _activating(now), ACTIVATE, now,
                                {"state": ACTIVE}, {"balance_cp": 1, "pending_cp": -1})
    done.expired_cp += _apply(session, card_ids, _expiring(now), EXPIRE, now,
                              {"state": SPENT, "remaining_cp": 0}, {"balance_cp": -1})
    session.execute(update(CARDS).where(CARDS.c.id.in_(card_ids))
                    .values(next_due_at=next_due_of(CARDS.c.id)))
    done.cards += len(card_ids)


def _apply(session: Session, card_ids: Sequence[int], due: Any, kind: str, now: datetime,
           lot_values: dict[str, Any], card_signs: dict[str, int]) -> int:
    where = and_(LOTS.c.card_id.in_(card_ids), due)
    sums = session.execute(select(LOTS.c.card_id, func.sum(LOTS.c.remaining_cp))
                           .where(where).group_by(LOTS.c.card_id)).all()
    rows = [(int(card_id), int(total)) for card_id, total in sums if total]
    if rows:
        session.execute(insert(Entry.__table__), [
            {"card_id": card_id, "at": now, "kind": kind, "reason": None,
             "delta_cp": total * card_signs.get("balance_cp", 0),
             "pending_delta_cp": total * card_signs.get("pending_cp", 0), "debt_delta_cp": 0}
            for card_id, total in rows])
        session.connection().execute(
            update(CARDS).where(CARDS.c.id == bindparam("card")).values(
                {name: CARDS.c[name] + sign * bindparam("total")
                 for name, sign in card_signs.items()}),
            [{"card": card_id, "total": total} for card_id, total in rows])
    session.execute(update(LOTS).where(where).values(**lot_values))
    return sum(total for _, total in rows)


def run_jobs(db: Database, now: datetime, batch: int = BATCH) -> Settled:
    """Settle every card with due lots, a batch of cards per transaction.

    The cards are found in one pass over the due lots, and with them the cards whose next
    due instant has passed with nothing due (its lot was spent since): settling sets it from
    the lots again, so the till does not settle them at their next points payment. A lot
    falling due while the job runs is left to the next run (or to the card's next read).
    Then cards past their validity date (UTC) are marked expired.
    """
    with db.read() as session:
        due = sorted(set(session.scalars(select(LOTS.c.card_id).where(
            or_(_activating(now), _expiring(now))))) | set(session.scalars(
                select(CARDS.c.id).where(CARDS.c.next_due_at <= now))))
    done = Settled()
    for start in range(0, len(due), batch):
        with db.transaction() as session:
            settle(session, due[start:start + batch], now, done)
    with db.transaction() as session:
        done.expired_cards = expire_cards(session, now.date())
    return done


def expire_cards(session: Session, today: date) -> int:
    """Mark issued and active cards past their validity expired; return how many.

    Idempotent: an expired card is not matched again. Blocked cards stay blocked (a replaced
    card must keep saying so). The card's points stay on it, as the ledger says.
    """
    result = session.execute(update(CARDS).where(
        CARDS.c.valid_until < today, CARDS.c.state.in_((ISSUED, CARD_ACTIVE)))
        .values(state=EXPIRED))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
