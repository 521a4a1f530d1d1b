"""The card a receipt's points move on, read once per use case as plain values.

The till's check of a card (:func:`card_for_sale`) reads in one Core statement the card, its
type's rules and whether lots are due (to activate or expire); a payment's take and the close's
earn in the same transaction use that answer. A one-shot upload reads in one transaction and
writes in the next: its card rides with the receipt (:func:`keep_for_write`) and the write
re-checks it in the guarded update of the card's row, reading it again only when that update
finds the row changed (:func:`recheck`). No ORM objects are built on this path, and no balance
is kept beyond the transaction: every move is a guarded update of the card's row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from loyalty.cards.model import CARD_TYPES, Card, CardType, ensure_usable, is_past
from loyalty.cards.numbers import is_valid_number
from loyalty.cards.service import CardFacts, keep_facts, live_card_id
from loyalty.points.rules import EarnRules
from pos.core import versions
from pos.core.direct import Direct
from pos.core.errors import ValidationError
from pos.core.extensions import ReceiptView

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
    # Read in an earlier transaction (a one-shot upload's read): the write's guarded update
    # of the card's row confirms it is still active, or the card is read again.
    is_carried: bool = False

    def ensure_usable(self, today: date) -> None:
        """Refuse a card that is not active: blocked, replaced, expired or never activated."""
        ensure_usable(self.number, self.state, self.replaced_by_id, self.valid_until, today)

    def is_expired(self, today: date) -> bool:
        """Tell whether the card is past its validity (or marked expired)."""
        return is_past(self.state, self.valid_until, today)


_CARD = (CARDS.c.id, CARDS.c.number, CARDS.c.state, CARDS.c.replaced_by_id,
         CARDS.c.valid_until, CARDS.c.holder_id, CARDS.c.debt_cp, CARDS.c.accumulated_minor,
         CARDS.c.has_bought, CARDS.c.type_id)
# Whether lots are due is the card's own column: its lots are not read (see Card.next_due_at).
_COLUMNS = (*_CARD, (CARDS.c.next_due_at <= bindparam("now")).label("is_due"))
_NUMBERED = versions.Along(select(*_COLUMNS).where(CARDS.c.number == bindparam("number")))
_BY_NUMBER = Direct(_NUMBERED.query)
_BY_ID = select(*_COLUMNS).where(CARDS.c.id == bindparam("card"))
_TYPE = Direct(select(TYPES.c.code, TYPES.c.is_personal, TYPES.c.is_bonus,
                      TYPES.c.max_share_percent, TYPES.c.pending_days, TYPES.c.expiry_days,
                      TYPES.c.earn_bp, TYPES.c.segment_bp, TYPES.c.campaigns, TYPES.c.rounding,
                      TYPES.c.is_fractional, TYPES.c.point_value_minor)
               .where(TYPES.c.id == bindparam("type")))


@dataclass(frozen=True)
class KnownType:
    """A card type as the till uses it: its code, whether its cards are personal, its terms."""

    code: str
    is_personal: bool
    terms: TypeTerms


# A worker's card types, by the types' version token and id: a sale reads its card only.
_KNOWN_TYPES: dict[tuple[str, int], KnownType] = {}


def known_type(session: Session, type_id: int) -> KnownType:
    """Return a card type's terms, read once per worker while the card types are unchanged."""
    token = versions.token(session, CARD_TYPES)
    found = _KNOWN_TYPES.get((token, type_id)) if token is not None else None
    if found is None:
        row = _TYPE.first(session.connection(), {"type": type_id})
        found = KnownType(row.code, bool(row.is_personal), TypeTerms(
            bool(row.is_bonus), row.max_share_percent, row.pending_days, row.expiry_days,
            rules_of(row)))
        if token is not None:  # (no token: types written around the service; not kept)
            if len(_KNOWN_TYPES) >= 256:  # types created again and again: start over
                _KNOWN_TYPES.clear()
            _KNOWN_TYPES[(token, type_id)] = found
    return found


def _at_till(session: Session, row: Any, card_type: KnownType | None = None) -> AtTill:
    terms = (card_type or known_type(session, row.type_id)).terms
    return AtTill(row.id, row.number, row.state, row.replaced_by_id, row.valid_until,
                  row.holder_id, int(row.debt_cp), terms, bool(row.is_due))


_KNOWN, _CARRIED = "loyalty_cards", "_loyalty_card"  # in session.info; on a receipt


def read_card_along(session: Session, code: str, now: datetime) -> None:
    """Have the session's first statement (its version tokens) also read the card a till sent.

    For a use case that will check the card (:func:`card_for_sale`) before anything else asks
    for a version token: the card then costs no statement of its own.
    """
    number = code.strip()
    if is_valid_number(number):
        versions.read_along(session, _NUMBERED, {"number": number, "now": now})


def card_for_sale(session: Session, code: str, today: date, now: datetime) -> CardFacts:
    """Return what pricing needs of the active card a till presents (by number), or refuse it.

    Unknown is 422 ``unknown_card``; blocked, replaced, expired or not activated is 409.
    The card is kept for the transaction: pricing, a points payment and the close use it.
    """
    number = code.strip()
    row = None
    if is_valid_number(number):
        params = {"number": number, "now": now}
        is_read, row = versions.read_alongside(session, _NUMBERED, params)
        if not is_read:
            row = _BY_NUMBER.first(session.connection(), params)
    if row is None:
        raise ValidationError("No such loyalty card", code="unknown_card", field="card_code")
    card_type = known_type(session, row.type_id)
    card = _at_till(session, row, card_type)
    card.ensure_usable(today)
    session.info.setdefault(_KNOWN, {})[number] = card
    # Cumulative discounts are for personal cards: an anonymous card accumulates nothing.
    return keep_facts(session, CardFacts(card_type.code, int(row.accumulated_minor)
                                         if card_type.is_personal else 0, row.number,
                                         bool(row.has_bought)))


def keep_for_write(session: Session, receipt: ReceiptView) -> None:
    """Have the receipt carry its card as this (read) transaction checked it, to its write."""
    card = session.info.get(_KNOWN, {}).get(receipt.card_code)
    if card is not None:  # the read transaction ends here: its copy is no longer used
        card.is_carried = True
        receipt.__dict__[_CARRIED] = card


def card_at_till(session: Session, receipt: ReceiptView, now: datetime) -> AtTill | None:
    """Return the card the receipt's card number names (its successor if replaced), or None.

    Kept for the transaction: a payment's take and the close's earn ask for the same card. A
    card the receipt carries from its read is used as it is (see :class:`AtTill`).
    """
    number = receipt.card_code
    if not number:
        return None
    known = session.info.setdefault(_KNOWN, {})
    if number not in known:
        carried = receipt.__dict__.get(_CARRIED)
        known[number] = carried if carried is not None and carried.number == number \
            else _read(session, number, now)
    return known[number]  # type: ignore[no-any-return]


def _read(session: Session, number: str, now: datetime) -> AtTill | None:
    connection = session.connection()
    row = _BY_NUMBER.first(connection, {"number": number, "now": now})
    found = _at_till(session, row) if row is not None else None
    if found is not None and found.replaced_by_id is not None:
        found = _at_till(session, connection.execute(_BY_ID, {
            "card": live_card_id(session, found.card_id), "now": now}).one())
        found.is_due = True  # settled before use: a replacement moved lots onto it
    return found


def recheck(session: Session, card: AtTill, today: date, now: datetime) -> AtTill:
    """Read a carried card again after its guarded update missed; refuse it if unusable now.

    Blocked, replaced or expired since the receipt's read: the use case is refused with the
    card's code (its transaction rolled back, nothing written). Otherwise (its debt moved)
    the fresh card replaces the carried one for the rest of the transaction.
    """
    fresh = _at_till(session, session.connection().execute(_BY_ID, {"card": card.card_id,
                                                                    "now": now}).one())
    fresh.ensure_usable(today)
    session.info.setdefault(_KNOWN, {})[card.number] = fresh
    return fresh
