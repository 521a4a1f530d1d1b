"""What a card's points will do next: pending ones activate, spendable ones expire.

Pending points by the day they activate, and the spendable ones that expire soon by the day
they expire. Read-only; the holder's own screen (``/me``) shows it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from loyalty.points.model import ACTIVE, PENDING, Lot
from pos.core.db import Database


@dataclass(frozen=True)
class Dated:
    """Points (hundredths) that change state on a day."""

    day: date
    points_cp: int


@dataclass(frozen=True)
class Outlook:
    """A card's pending points by activation day, and its expiring points by expiry day."""

    pending: list[Dated]
    expiring: list[Dated]


def points_outlook(db: Database, card_id: int, now: datetime, within: timedelta) -> Outlook:
    """Return a card's pending lots by activation day and active lots expiring ``within``."""
    until = now + within
    with db.read() as session:
        rows = session.execute(select(Lot.state, Lot.active_from, Lot.expires_at,
                                      Lot.remaining_cp)
                               .where(Lot.card_id == card_id, Lot.state.in_((PENDING, ACTIVE)),
                                      Lot.remaining_cp > 0)).all()
    pending: dict[date, int] = defaultdict(int)
    expiring: dict[date, int] = defaultdict(int)
    for state, active_from, expires_at, remaining_cp in rows:
        if state == PENDING:
            pending[active_from.date()] += remaining_cp
        elif expires_at is not None and expires_at <= until:
            expiring[expires_at.date()] += remaining_cp
    return Outlook(_by_day(pending), _by_day(expiring))


def _by_day(sums: dict[date, int]) -> list[Dated]:
    return [Dated(day, cp) for day, cp in sorted(sums.items())]
