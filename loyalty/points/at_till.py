"""The card a receipt's points move on, read once per transaction as plain values.

A payment's take and the close's earn ask for the same card: one Core statement reads the
card, its type's rules and whether lots are due (to activate or expire) and the answer is
kept for the transaction. No ORM objects are built on this path, and no balance is kept
beyond the transaction: every move is a guarded update of the card's row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from loyalty.cards.model import Card, CardType, ensure_usable, is_past
from loyalty.cards.service import live_card_id
from loyalty.points.jobs import due_exists
from loyalty.points.rules import EarnRules

CARDS, TYPES = Card.__table__, CardType.__table__


def rules_of(card_type: Any) -> EarnRules:
    """Return a card type's earning and spending rules (a :class:`CardType` or its terms)."""
    return EarnRules(earn_bp=card_type.earn_bp, segment_bp=card_type.segment_bp or {},
                     campaigns=card_type.campaigns or [], rounding=card_type.rounding,
                     is_fractional=card_type.is_fractional,
                     point_value_minor=card_type.point_value_minor)


def share_limit_minor(card_type: Any, total_minor: int) -> int:
    """Return the most of a receipt's total that points may pay."""
    return int(total_minor * card_type.max_share_percent // 100)


@dataclass(frozen=True)
class TypeTerms:
    """What the till needs of a card type: whether it collects points, and on what terms."""

    is_bonus: bool
    max_share_percent: int
    pending_days: int
    expiry_days: int | None
    rules: EarnRules

    @property
    def has_segment_rates(self) -> bool:
        """Tell whether some segment earns at its own rate."""
        return bool(self.rules.segment_bp)


@dataclass
class AtTill:
    """The card that holds a receipt's card number's points now, its type, and if lots are due."""

    card_id: int
    number: str
    state: str
    replaced_by_id: int | None
    valid_until: date | None
    holder_id: int | None
    debt_cp: int
    terms: TypeTerms
    is_due: bool

    def ensure_usable(self, today: date) -> None:
        """Refuse a card that is not active: blocked, replaced, expired or never activated."""
        ensure_usable(self.number, self.state, self.replaced_by_id, self.valid_until, today)

    def is_expired(self, today: date) -> bool:
        """Tell whether the card is past its validity (or marked expired)."""
        return is_past(self.state, self.valid_until, today)


_COLUMNS = (CARDS.c.id, CARDS.c.number, CARDS.c.state, CARDS.c.replaced_by_id,
            CARDS.c.valid_until, CARDS.c.holder_id, CARDS.c.debt_cp, TYPES.c.is_bonus,
            TYPES.c.max_share_percent, TYPES.c.pending_days, TYPES.c.expiry_days,
            TYPES.c.earn_bp, TYPES.c.segment_bp, TYPES.c.campaigns, TYPES.c.rounding,
            TYPES.c.is_fractional, TYPES.c.point_value_minor,
            due_exists(CARDS.c.id, bindparam("now")).label("is_due"))
_JOINED = select(*_COLUMNS).join(TYPES, TYPES.c.id == CARDS.c.type_id)
_BY_NUMBER = _JOINED.where(CARDS.c.number == bindparam("number"))
_BY_ID = _JOINED.where(CARDS.c.id == bindparam("card"))


def _at_till(row: Any) -> AtTill:
    terms = TypeTerms(bool(row.is_bonus), row.max_share_percent, row.pending_days,
                      row.expiry_days, rules_of(row))
    return AtTill(row.id, row.number, row.state, row.replaced_by_id, row.valid_until,
                  row.holder_id, int(row.debt_cp), terms, bool(row.is_due))


def card_at_till(session: Session, number: str | None, now: datetime) -> AtTill | None:
    """Return the card a receipt's card number names (its successor if replaced), or None.

    Kept for the transaction: a payment's take and the close's earn ask for the same card.
    """
    if not number:
        return None
    known = session.info.setdefault("loyalty_cards", {})
    if number not in known:
        connection = session.connection()
        row = connection.execute(_BY_NUMBER, {"number": number, "now": now}).first()
        found = _at_till(row) if row is not None else None
        if found is not None and found.replaced_by_id is not None:
            found = _at_till(connection.execute(_BY_ID, {
                "card": live_card_id(session, found.card_id), "now": now}).one())
            found.is_due = True  # settled before use: a replacement moved lots onto it
        known[number] = found
    return known[number]  # type: ignore[no-any-return]
