"""Moving a card's points: every move is a ledger entry plus a guarded update of the card.

All moves of one card queue on its row (PostgreSQL: the row lock an ``UPDATE`` or ``SELECT
... FOR UPDATE`` takes; SQLite: the database's one writer), so two tills spending the same
points cannot both succeed: the spend is ``UPDATE ... SET balance_cp = balance_cp - :cp
WHERE id = :id AND balance_cp >= :cp`` and a row count of 0 is ``insufficient_points``.
Spends, expiry and reversals draw lots down oldest expiry first (lots that never expire last).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Boolean, CursorResult, bindparam, case, insert, or_, select, update
from sqlalchemy.orm import Session

from loyalty.cards.model import ACTIVE as CARD_ACTIVE
from loyalty.cards.model import Card
from loyalty.points.at_once import AtOnce, Moved
from loyalty.points.lots import DRAW_OLDEST, draw
from loyalty.points.model import ACTIVE, PENDING, SPENT, Entry, Lot
from pos.core.db import UTCDateTime
from pos.core.direct import Direct
from pos.core.errors import ConflictError
from pos.core.later import Later, before_commit

CARDS, LOTS, ENTRIES = Card.__table__, Lot.__table__, Entry.__table__


class Refs(NamedTuple):
    """What an entry points at: its receipt (and payment), shift, who, and why.

    (A named tuple, as :class:`Spend`: a sale makes a few, and a frozen dataclass costs
    several times as much to build.)
    """

    receipt_id: int | None = None
    payment_seq: int | None = None
    amount_minor: int | None = None
    shift_id: int | None = None
    user_id: int | None = None
    reason: str | None = None
    once_key: str | None = None  # unique with ``receipt_id`` and ``payment_seq``, both given


def lock(session: Session, card_id: int) -> Any:
    """Take the card's row for this transaction's moves; return its balances (a row)."""
    row = session.execute(select(CARDS.c.balance_cp, CARDS.c.pending_cp, CARDS.c.debt_cp)
                          .where(CARDS.c.id == card_id).with_for_update()).one()
    return row


class Spend(NamedTuple):
    """Points a one-shot upload pays with, taken by its earn's update (see :func:`credit`)."""

    cp: int
    kind: str
    at: datetime
    refs: Refs


def entry(session: Session, card_id: int, kind: str, at: datetime, refs: Refs, *,
          delta: int = 0, pending: int = 0, debt: int = 0, lot_id: int | None = None) -> None:
    """Append a ledger entry (the card's columns are moved by the caller, by the same amounts)."""
    _ENTRY.many(session.connection(), [_entry_row(card_id, kind, at, refs, delta, pending,
                                                  debt, lot_id)])


def _entry_row(card_id: int, kind: str, at: datetime, refs: Refs, delta: int = 0,
               pending: int = 0, debt: int = 0, lot_id: int | None = None) -> dict[str, Any]:
    if refs.once_key is not None and (refs.receipt_id is None or refs.payment_seq is None):
        # the key is kept unique with its receipt and payment: without them, it is not
        raise ValueError(f"a keyed entry ({refs.once_key}) names its receipt and payment")
    return {"card_id": card_id, "kind": kind, "at": at, "delta_cp": delta,
            "pending_delta_cp": pending, "debt_delta_cp": debt, "lot_id": lot_id,
            "receipt_id": refs.receipt_id, "payment_seq": refs.payment_seq,
            "amount_minor": refs.amount_minor, "shift_id": refs.shift_id,
            "user_id": refs.user_id, "reason": refs.reason, "once_key": refs.once_key}


_ENTRY = Direct(insert(ENTRIES))
_SPEND = update(CARDS).where(CARDS.c.id == bindparam("card"),
                             CARDS.c.balance_cp >= bindparam("cp")).values(
    balance_cp=CARDS.c.balance_cp - bindparam("cp"))


def move(session: Session, card_id: int, *, delta: int = 0, pending: int = 0, debt: int = 0
         ) -> bool:
    """Move the card's columns by the deltas, never below zero; tell whether it was there."""
    values: dict[str, Any] = {}
    guard = [CARDS.c.id == card_id]
    for name, change in (("balance_cp", delta), ("pending_cp", pending), ("debt_cp", debt)):
        if change:
            values[name] = CARDS.c[name] + change
            if change < 0:
                guard.append(CARDS.c[name] >= -change)
    if not values:
        return True
    result = session.execute(update(CARDS).where(*guard).values(**values))
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def credit(session: Session, card_id: int, cp: int, kind: str, at: datetime, refs: Refs, *,
           active_from: datetime, expires_at: datetime | None, debt_seen: int | None = None,
           accumulate: int | None = None, spends: Sequence[Spend] = (),
           on_moved: Callable[[], object] | None = None, may_wait: bool = False
           ) -> int | None:
    """Credit points as a new lot (pending until ``active_from``); a debt is repaid first.

    ``debt_seen`` is the card's debt as read before: the card's update is then guarded on it
    and on the card being active (one statement, no lock read first) and redone under a lock
    if the row moved, after ``on_moved`` (which may refuse a card no longer usable).
    ``accumulate`` is a sale's (None for any other credit): added to the card's accumulated
    spend in the same update, which marks the card as having bought. ``spends``
    (a one-shot's points payments, with ``debt_seen``) come off in that update too, guarded on
    the balance before the credit, and are drawn from the older lots; when the guard fails
    they are spent one by one as by :func:`spend` (``insufficient_points`` if short). The
    entries go in one insert. Return the new lot's id (None when it all went to the debt).
    ``may_wait`` (with ``debt_seen``, for a caller that needs no lot id): on PostgreSQL the
    one statement goes with the transaction's next one; its answer, and the slow way if the
    guard failed, is taken before the commit (:mod:`pos.core.later`), and None is returned.
    """
    is_pending, connection = active_from > at, session.connection()
    debt = lock(session, card_id).debt_cp if debt_seen is None else debt_seen
    repay, spent = min(cp, debt), sum(s.cp for s in spends)
    due = active_from if is_pending else expires_at  # the new lot's, if there is one
    gained = cp - repay
    card = _credit_params(card_id, gained, repay, is_pending, accumulate, due, spent)

    def new_lot(gained: int) -> dict[str, Any] | None:  # the lot's row, if points are gained
        return {"card_id": card_id, "source": kind, "receipt_id": refs.receipt_id,
                "amount_cp": gained, "remaining_cp": gained,
                "state": PENDING if is_pending else ACTIVE, "active_from": active_from,
                "expires_at": expires_at} if gained > 0 else None

    lot = new_lot(gained)
    done = _AT_ONCE.run(connection, dict(card, debt_seen=debt), spent, lot, _credit_entries(
        card_id, kind, at, refs, spends, gained, repay, is_pending, None),
        may_wait=may_wait and not session.in_nested_transaction()) \
        if debt_seen is not None and _AT_ONCE.serves(connection) else None
    # (not waiting in a savepoint: its rollback would undo the write unseen)

    def finish(done: Moved | None) -> int | None:
        nonlocal spends, spent, repay, gained, lot
        if done is not None and done.is_moved:
            if spent and not done.is_drawn:  # the oldest lot did not cover it; not the new one
                draw(session, card_id, spent, connection=connection, but=done.lot_id)
            return done.lot_id
        if done is not None or _CREDIT_IF_DEBT.count(connection,
                                                     dict(card, debt_seen=debt)) != 1:
            if on_moved is not None:
                on_moved()
            for each in spends:
                spend(session, card_id, each.cp, each.kind, each.at, each.refs)
            spends, spent = (), 0
            repay = min(cp, lock(session, card_id).debt_cp)
            gained = cp - repay
            _CREDIT.count(connection, _credit_params(card_id, gained, repay, is_pending,
                                                     accumulate, due, 0))
            lot = new_lot(gained)  # (the debt as it is now: it may owe less than was seen)
        if spent:  # before the new lot exists: it pays for nothing here
            draw(session, card_id, spent, connection=connection)
        lot_id = _NEW_LOT.scalar(connection, lot) if lot is not None else None
        _ENTRY.many(connection, _credit_entries(card_id, kind, at, refs, spends, gained, repay,
                                                is_pending, lot_id))
        return lot_id

    if isinstance(done, Later):  # sent with the next statement; its answer read at the commit
        later = done
        before_commit(session, lambda: finish(AtOnce.moved(later.answer(connection))))
        return None
    return finish(done)


# Built once: a close runs these, and building a statement costs more than running it here.
_NEW_LOT = Direct(insert(LOTS).returning(LOTS.c.id))
_DUE = bindparam("due", type_=UTCDateTime())  # the new lot's activation or expiry, if any
_CREDIT_ROW = update(CARDS).where(CARDS.c.id == bindparam("card")).values(
    balance_cp=CARDS.c.balance_cp + bindparam("gained_b") - bindparam("spent"),
    pending_cp=CARDS.c.pending_cp + bindparam("gained_p"),
    debt_cp=CARDS.c.debt_cp - bindparam("repay"),
    accumulated_minor=CARDS.c.accumulated_minor + bindparam("accumulate"),
    has_bought=or_(CARDS.c.has_bought, bindparam("is_sale", type_=Boolean)),
    next_due_at=case((or_(CARDS.c.next_due_at.is_(None), CARDS.c.next_due_at > _DUE), _DUE),
                     else_=CARDS.c.next_due_at))
_CREDIT_IF_DEBT_ROW = _CREDIT_ROW.where(CARDS.c.debt_cp == bindparam("debt_seen"),
                                        CARDS.c.balance_cp >= bindparam("spent"),
                                        CARDS.c.state == CARD_ACTIVE)
_CREDIT, _CREDIT_IF_DEBT = Direct(_CREDIT_ROW), Direct(_CREDIT_IF_DEBT_ROW)
_AT_ONCE = AtOnce(_CREDIT_IF_DEBT_ROW, DRAW_OLDEST)


def _credit_params(card_id: int, gained: int, repay: int, is_pending: bool,
                   accumulate: int | None, due: datetime | None, spent: int) -> dict[str, Any]:
    # One update: the points gained (less any spent), the debt repaid, the accumulated spend,
    # the card's next due instant brought forward to the new lot's (``due``, when points are
    # gained: all repaying a debt makes no lot). Guarded (``debt_seen``) on the debt the caller
    # saw and the balance; unguarded, the caller holds the row's lock and spends nothing.
    return {"card": card_id, "gained_b": 0 if is_pending else gained,
            "gained_p": gained if is_pending else 0, "repay": repay,
            "accumulate": accumulate or 0, "is_sale": accumulate is not None, "spent": spent,
            "due": due if gained > 0 else None}


def _credit_entries(card_id: int, kind: str, at: datetime, refs: Refs, spends: Sequence[Spend],
                    gained: int, repay: int, is_pending: bool, lot_id: int | None
                    ) -> list[dict[str, Any]]:
    # The spends' entries, then the credit's (its lot last: see at_once).
    return [*(_entry_row(card_id, s.kind, s.at, s.refs, delta=-s.cp) for s in spends),
            _entry_row(card_id, kind, at, refs, 0 if is_pending else gained,
                       gained if is_pending else 0, -repay, lot_id)]


def spend(session: Session, card_id: int, cp: int, kind: str, at: datetime, refs: Refs) -> None:
    """Take spendable points off a card, or refuse with 409 ``insufficient_points``."""
    result = session.execute(_SPEND, {"card": card_id, "cp": cp})
    assert isinstance(result, CursorResult)
    if result.rowcount != 1:
        balance = session.scalar(select(Card.balance_cp).where(Card.id == card_id))
        raise ConflictError("Not enough points on the card", code="insufficient_points",
                            extra={"balance": format_points(int(balance or 0)),
                                   "wanted": format_points(cp)})
    draw(session, card_id, cp)
    entry(session, card_id, kind, at, refs, delta=-cp)



def format_points(cp: int) -> str:
    """Return hundredths of a point as a decimal string (``"12.50"``)."""
    sign = "-" if cp < 0 else ""
    whole, cents = divmod(abs(cp), 100)
    return f"{sign}{whole}.{cents:02d}"


def reverse(session: Session, card_id: int, cp: int, lot_ids: list[int], at: datetime,
            refs: Refs) -> int:
    """Take back earned points: pending ones of their lots, then spendable, the rest as debt.

    The balance never goes negative: what was already spent becomes the card's debt, repaid
    from the next points credited (earned, restored or adjusted). Return the debt recorded.
    """
    balance = lock(session, card_id).balance_cp
    left, from_pending = cp, 0
    pending = session.execute(select(LOTS.c.id, LOTS.c.remaining_cp).where(
        LOTS.c.id.in_(lot_ids), LOTS.c.state == PENDING)).all() if lot_ids else []
    for lot_id, remaining in pending:
        taken = min(left, remaining)
        if taken:
            session.execute(update(LOTS).where(LOTS.c.id == lot_id).values(
                remaining_cp=remaining - taken, state=SPENT if taken == remaining else PENDING))
            from_pending, left = from_pending + taken, left - taken
    from_active = min(left, balance)
    if from_active:
        draw(session, card_id, from_active, lot_ids[0] if lot_ids else None)
    debt = left - from_active
    entry(session, card_id, "reverse", at, refs, delta=-from_active, pending=-from_pending,
          debt=debt)
    assert move(session, card_id, delta=-from_active, pending=-from_pending, debt=debt)
    return debt
