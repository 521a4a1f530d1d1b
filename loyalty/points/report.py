"""Points in reports: per shift (X and Z), and the outstanding liability by card type."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, column, func, select, table
from sqlalchemy.orm import Session

from loyalty.cards.model import Card, CardType
from loyalty.points.ledger import format_points
from loyalty.points.model import EARN, RESTORE, REVERSE, SPEND, Entry

# The receipts as loyalty reads them (it imports nothing of receipts).
_RECEIPTS = table("receipts", column("id"), column("shift_id"))


def shift_section(session: Session, shift_id: int) -> dict[str, Any]:
    """Return the points earned, spent, restored and taken back on a shift's receipts."""
    # Found through the shift's receipts (each indexed): the entries' own shift is not, so a
    # sale writes one index less.
    gross = Entry.delta_cp + Entry.pending_delta_cp - Entry.debt_delta_cp
    receipts = select(_RECEIPTS.c.id).where(_RECEIPTS.c.shift_id == shift_id)
    rows = dict(session.execute(
        select(Entry.kind, func.sum(gross)).where(Entry.receipt_id.in_(receipts),
                                                  Entry.shift_id == shift_id)
        .group_by(Entry.kind)).all())
    earned, spent = int(rows.get(EARN) or 0), -int(rows.get(SPEND) or 0)
    restored, taken_back = int(rows.get(RESTORE) or 0), -int(rows.get(REVERSE) or 0)
    return {"points_earned": format_points(earned), "points_spent": format_points(spent),
            "points_restored": format_points(restored),
            "points_taken_back": format_points(taken_back)}


def liability(session: Session) -> list[dict[str, Any]]:
    """Return, per card type, the points outstanding (spendable, pending) and their value."""
    rows = session.execute(
        select(CardType.code, CardType.point_value_minor, func.count(Card.id),
               func.coalesce(func.sum(Card.balance_cp), 0),
               func.coalesce(func.sum(Card.pending_cp), 0),
               func.coalesce(func.sum(Card.debt_cp), 0),
               func.sum(case((Card.balance_cp > 0, 1), else_=0)))
        .outerjoin(Card, Card.type_id == CardType.id)
        .where(CardType.is_bonus.is_(True))
        .group_by(CardType.code, CardType.point_value_minor).order_by(CardType.code))
    return [{"card_type": code, "cards": int(cards), "cards_with_points": int(holding or 0),
             "points": format_points(int(balance)), "pending_points": format_points(int(pending)),
             "debt_points": format_points(int(debt)),
             "value_minor": (int(balance) + int(pending)) * value // 100}
            for code, value, cards, balance, pending, debt, holding in rows]
