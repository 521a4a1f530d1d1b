"""Drawing points off a card's lots: oldest expiry first, lots that never expire last.

A spend, an expiry or a reversal takes points off the card's row (see :mod:`ledger`) and the
same points off its lots here, under the card row's lock (the spend's guarded update holds it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from loyalty.points.model import ACTIVE, SPENT, Lot
from pos.core.direct import Direct

LOTS = Lot.__table__
DRAW_BATCH = 8

# Lots that expire, oldest expiry first, then those that never expire: two selects the
# (card, state, expiry, id) index answers in order, where one ORDER BY on "expiry is null" would
# sort every active lot of the card on each spend.
_DRAWABLE = select(LOTS.c.id, LOTS.c.remaining_cp).where(
    LOTS.c.card_id == bindparam("card"), LOTS.c.state == ACTIVE, LOTS.c.remaining_cp > 0)
_DATED = _DRAWABLE.where(LOTS.c.expires_at.is_not(None)).order_by(
    LOTS.c.expires_at, LOTS.c.id).limit(DRAW_BATCH)
_UNDATED = _DRAWABLE.where(LOTS.c.expires_at.is_(None)).order_by(LOTS.c.id).limit(DRAW_BATCH)
# (``but``: a lot not to draw, the one the same sale just credited; no lot has id 0)
_BUT = LOTS.c.id != bindparam("but", 0)
_DATED_LOTS, _UNDATED_LOTS = Direct(_DATED.where(_BUT)), Direct(_UNDATED.where(_BUT))


def draw(session: Session, card_id: int, cp: int, first_lot_id: int | None = None, *,
         connection: Connection | None = None, but: int | None = None) -> None:
    """Draw ``cp`` off the card's active lots, ``first_lot_id`` first, then oldest expiry.

    Usually the oldest lot covers it: one update draws it down. Otherwise lots are read a few
    at a time (a card may hold hundreds); those drawn to nothing are emptied in one update.
    (``connection``: the session's, if the caller has it; ``but``: a lot left alone, read a
    few at a time with the others.)
    """
    connection = connection or session.connection()
    if first_lot_id is not None:
        cp = _draw_from(connection, _FIRST_LOT.rows(connection, {"lot": first_lot_id}), cp)
    elif cp > 0 and but is None and _DRAW_OLDEST.count(connection, {"card": card_id, "cp": cp}):
        return
    lots = {"card": card_id, "but": but or 0}
    while cp > 0:
        left = _draw_from(connection, _DATED_LOTS.rows(connection, lots), cp)
        if left == cp:
            left = _draw_from(connection, _UNDATED_LOTS.rows(connection, lots), cp)
        assert left < cp, "the card's balance and its lots disagree"
        cp = left


def _draw_from(connection: Connection, lots: Sequence[Any], cp: int) -> int:
    # Draw ``cp`` off ``lots`` (id, remaining) in their order; return what they did not cover.
    emptied = []
    for lot_id, remaining in lots:
        if cp <= 0:
            break
        taken = min(cp, remaining)
        if taken == remaining:
            emptied.append(lot_id)
        else:
            _DRAW_LOT.count(connection, {"lot": lot_id, "left": remaining - taken})
        cp -= taken
    if emptied:
        _EMPTY_LOTS.count(connection, {"lots": emptied})
    return cp


# A lot drawn down keeps its state: an update that names ``state`` rewrites the lot's entry
# in the three indexes holding it, pages the commit must write, even when the value is kept.
# Only a lot drawn to nothing becomes spent.
_DRAW_LOT = Direct(update(LOTS).where(LOTS.c.id == bindparam("lot")).values(
    remaining_cp=bindparam("left")))
_EMPTY_LOTS = Direct(update(LOTS).where(LOTS.c.id.in_(bindparam("lots", expanding=True)))
                     .values(remaining_cp=0, state=SPENT))
_FIRST_LOT = Direct(select(LOTS.c.id, LOTS.c.remaining_cp).where(
    LOTS.c.id == bindparam("lot"), LOTS.c.state == ACTIVE, LOTS.c.remaining_cp > 0))
# The oldest active lot, drawn down in one statement when it holds more than enough (one it
# would empty is drawn by the loop); the card's row is held by the spend's update, so no
# other move of its lots runs in between.
DRAW_OLDEST = update(LOTS).where(
    LOTS.c.id == func.coalesce(
        _DATED.with_only_columns(LOTS.c.id).limit(1).scalar_subquery(),
        _UNDATED.with_only_columns(LOTS.c.id).limit(1).scalar_subquery()),
    LOTS.c.remaining_cp > bindparam("cp")).values(
    remaining_cp=LOTS.c.remaining_cp - bindparam("cp"))
_DRAW_OLDEST = Direct(DRAW_OLDEST)

