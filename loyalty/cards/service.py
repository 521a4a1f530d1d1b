"""Use cases of cards: card types, issuing, the lifecycle, and the card a till presents.

Receipts attach a card through :func:`loyalty.points.at_till.card_for_sale` (which keeps its
facts here) and price with :func:`card_facts`; a card's points move only through
:mod:`loyalty.points`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from loyalty.cards.model import ACTIVE, Card, CardType, Holder, bump_types_version
from loyalty.cards.numbers import is_valid_number, numbers_from
from pos.core import audit
from pos.core.context import Context
from pos.core.db import Database
from pos.core.errors import ConflictError, NotFoundError, ValidationError
from pos.core.security import hash_secret

MAX_BATCH = 10_000


@dataclass(frozen=True)
class CardFacts:
    """What pricing needs of an attached card: its type and (personal only) accumulated spend."""

    type_code: str
    accumulated_minor: int
    number: str = ""
    has_bought: bool = True  # a card that never bought gets "first purchase" discounts


@dataclass(frozen=True)
class NewHolder:
    """A personal card's holder as registered at issue."""

    name: str
    phone: str | None = None
    email: str | None = None
    has_consent: bool = False
    pin: str | None = None


def card_not_found(number: str) -> NotFoundError:
    """Return the 404 for a card number nobody may see."""
    return NotFoundError(f"No card {number}", code="card_not_found")


def type_not_found(code: str) -> ValidationError:
    """Return the 422 for a card type a request names that does not exist."""
    return ValidationError(f"No card type {code}", code="unknown_card_type", field="type")


def create_card_type(ctx: Context, fields: dict[str, Any]) -> CardType:
    """Create a card type (its code is unique)."""
    with ctx.db.transaction() as session:
        if session.scalar(select(CardType.id).where(CardType.code == fields["code"])):
            raise ConflictError(f"Card type {fields['code']} exists", code="card_type_exists",
                                field="code")
        if not (fields.get("is_discount") or fields.get("is_bonus")):
            raise ValidationError("A card type gives discounts, points or both",
                                  code="card_type_does_nothing", field="is_bonus")
        if fields.get("tiers") and not fields.get("is_personal"):
            raise ValidationError("Cumulative tiers are for personal cards",
                                  code="tiers_need_personal", field="tiers")
        card_type = CardType(created_at=ctx.now, next_serial=1, **fields)
        session.add(card_type)
        bump_types_version(session)
        audit.record(session, at=ctx.now, action="card_type_created", user_id=ctx.actor.user_id,
                     target=f"card_type:{card_type.code}")
        return card_type


def list_card_types(db: Database) -> list[CardType]:
    """Return every card type by code."""
    with db.read() as session:
        return list(session.scalars(select(CardType).order_by(CardType.code)))


def get_card_type(session: Session, code: str) -> CardType:
    """Return a card type by code or raise ``card_type_not_found``."""
    card_type = session.scalar(select(CardType).where(CardType.code == code))
    if card_type is None:
        raise type_not_found(code)
    return card_type


def issue_cards(ctx: Context, type_code: str, count: int = 1, holder: NewHolder | None = None,
                is_active: bool = False) -> list[Card]:
    """Issue ``count`` numbered cards of a type; a personal one may be registered at once."""
    if not 1 <= count <= MAX_BATCH:
        raise ValidationError(f"Issue 1 to {MAX_BATCH} cards at a time", code="invalid_count",
                              field="count")
    if holder is not None and count != 1:
        raise ValidationError("A holder registers one card", code="holder_needs_one_card",
                              field="holder")
    with ctx.db.transaction() as session:
        card_type = session.scalar(select(CardType).where(CardType.code == type_code)
                                   .with_for_update())
        if card_type is None:
            raise type_not_found(type_code)
        if holder is not None and not card_type.is_personal:
            raise ValidationError("Anonymous cards have no holder", code="card_is_anonymous",
                                  field="holder")
        numbers = fresh_numbers(session, card_type, count)
        holder_id = _register(session, ctx.now, holder) if holder else None
        cards = [_new_card(card_type, number, holder_id, ctx.now, is_active)
                 for number in numbers]
        session.add_all(cards)
        audit.record(session, at=ctx.now, action="cards_issued", user_id=ctx.actor.user_id,
                     target=f"card_type:{type_code}",
                     details={"count": count, "first": numbers[0], "last": numbers[-1]})
        return cards


def fresh_numbers(session: Session, card_type: CardType, count: int) -> list[str]:
    """Take the type's next ``count`` numbers, skipping any another type already issued."""
    numbers: list[str] = []
    while len(numbers) < count:
        batch, card_type.next_serial = numbers_from(card_type.number_prefix,
                                                    card_type.next_serial, count - len(numbers))
        taken = set(session.scalars(select(Card.number).where(Card.number.in_(batch))))
        numbers.extend(n for n in batch if n not in taken)
    return numbers


def _new_card(card_type: CardType, number: str, holder_id: int | None, now: datetime,
              is_active: bool) -> Card:
    valid_until = (now.date() + timedelta(days=card_type.validity_days)
                   if card_type.validity_days else None)
    return Card(number=number, type_id=card_type.id, holder_id=holder_id,
                state=ACTIVE if is_active else "issued", valid_until=valid_until,
                activated_at=now if is_active else None, issued_at=now, accumulated_minor=0,
                balance_cp=0, pending_cp=0, debt_cp=0)


def _register(session: Session, now: datetime, holder: NewHolder) -> int:
    if holder.pin is not None and not (holder.pin.isascii() and holder.pin.isdigit()
                                       and 4 <= len(holder.pin) <= 8):
        raise ValidationError("A PIN is 4 to 8 digits", code="invalid_pin", field="pin")
    row = Holder(name=holder.name, phone=holder.phone, email=holder.email,
                 has_consent=holder.has_consent, created_at=now,
                 pin_hash=hash_secret(holder.pin) if holder.pin else None)
    session.add(row)
    session.flush()
    return row.id


def load_card(session: Session, number: str, *, for_update: bool = False) -> Card:
    """Return a card by number or raise ``card_not_found``."""
    if not is_valid_number(number):
        raise card_not_found(number)
    query = select(Card).where(Card.number == number)
    card = session.scalar(query.with_for_update() if for_update else query)
    if card is None:
        raise card_not_found(number)
    return card


def get_card(db: Database, number: str) -> tuple[Card, CardType]:
    """Return a card and its type."""
    with db.read() as session:
        card = load_card(session, number)
        card_type = session.get(CardType, card.type_id)
        assert card_type is not None
        return card, card_type


def change_state(ctx: Context, number: str, action: str, reason: str | None = None) -> Card:
    """Activate, block, unblock or expire a card (audited)."""
    with ctx.db.transaction() as session:
        card = load_card(session, number, for_update=True)
        if action == "activate":
            card.activate(ctx.now)
        elif action == "block":
            if not reason or not reason.strip():
                raise ValidationError("Say why the card is blocked", code="reason_required",
                                      field="reason")
            card.block(reason.strip())
        elif action == "unblock":
            card.unblock()
        else:
            card.expire()
        audit.record(session, at=ctx.now, action=f"card_{action}", user_id=ctx.actor.user_id,
                     target=f"card:{number}", details={"reason": reason} if reason else {})
        return card


def live_card_id(session: Session, card_id: int) -> int:
    """Follow replacements from a card to the card that holds its points now."""
    seen = 0
    while True:
        successor = session.scalar(select(Card.replaced_by_id).where(Card.id == card_id))
        if successor is None or seen > 100:
            return card_id
        card_id, seen = successor, seen + 1


_CARDS, _TYPES = Card.__table__, CardType.__table__
_FACTS = "loyalty_facts"  # in session.info: the facts of cards checked in the transaction
# Built once, in Core: pricing asks this of a card not checked in its transaction; one row.
_FOR_SALE = select(_CARDS.c.number, _CARDS.c.state, _CARDS.c.replaced_by_id,
                   _CARDS.c.valid_until, _CARDS.c.accumulated_minor, _CARDS.c.has_bought,
                   _TYPES.c.code, _TYPES.c.is_personal) \
    .join(_TYPES, _TYPES.c.id == _CARDS.c.type_id).where(_CARDS.c.number == bindparam("number"))


def keep_facts(session: Session, facts: CardFacts) -> CardFacts:
    """Keep a card's facts, as the till's check of it read them, for the transaction's pricing."""
    session.info.setdefault(_FACTS, {})[facts.number] = facts
    return facts


def card_facts(session: Session, code: str | None) -> CardFacts | None:
    """Return the attached card's type and accumulated spend for pricing (None: no card)."""
    if not code or not is_valid_number(code):
        return None
    known = session.info.get(_FACTS, {}).get(code)
    if known is not None:
        return known  # type: ignore[no-any-return]
    row = session.connection().execute(_FOR_SALE, {"number": code}).first()
    if row is None or row.state != ACTIVE:
        return None
    # Cumulative discounts are for personal cards: an anonymous card accumulates nothing.
    return CardFacts(row.code, int(row.accumulated_minor) if row.is_personal else 0, row.number,
                     bool(row.has_bought))


def cards_of_holder(session: Session, holder_id: int) -> Sequence[Card]:
    """Return a holder's cards, newest first."""
    return list(session.scalars(select(Card).where(Card.holder_id == holder_id)
                                .order_by(Card.id.desc())))


def count_cards(session: Session) -> int:
    """Return how many cards exist."""
    return int(session.scalar(select(func.count()).select_from(Card)) or 0)


def card_view(session: Session, card: Card) -> dict[str, Any]:
    """Return what the API shows of a card (its type's code, holder, successor)."""
    type_code = session.scalar(select(CardType.code).where(CardType.id == card.type_id))
    holder = session.get(Holder, card.holder_id) if card.holder_id else None
    successor = session.scalar(select(Card.number).where(Card.id == card.replaced_by_id)) \
        if card.replaced_by_id else None
    return {"number": card.number, "type": type_code, "state": card.state,
            "holder_name": holder.name if holder else None, "valid_until": card.valid_until,
            "block_reason": card.block_reason, "replaced_by": successor,
            "accumulated_minor": card.accumulated_minor, "balance_cp": card.balance_cp,
            "pending_cp": card.pending_cp, "debt_cp": card.debt_cp,
            "issued_at": card.issued_at, "activated_at": card.activated_at}


def predecessors(session: Session, card_id: int) -> list[int]:
    """Return a card's id and those of the cards it replaced, their history being its own."""
    ids, frontier = [card_id], [card_id]
    while frontier and len(ids) < 100:
        frontier = list(session.scalars(select(Card.id).where(Card.replaced_by_id.in_(frontier))))
        ids.extend(frontier)
    return ids


def views_of(db: Database, numbers: Sequence[str]) -> list[dict[str, Any]]:
    """Return the API views of cards by number."""
    with db.read() as session:
        return [card_view(session, load_card(session, number)) for number in numbers]


def history_ids(db: Database, number: str) -> list[int]:
    """Return the ids whose ledger is a card's history: its own and its predecessors'."""
    with db.read() as session:
        return predecessors(session, load_card(session, number).id)


def card_id_of(session: Session, number: str | None) -> int | None:
    """Return the id of the card that holds a number's points now (None: no such card)."""
    if not number or not is_valid_number(number):
        return None
    card_id = session.scalar(select(Card.id).where(Card.number == number))
    return live_card_id(session, card_id) if card_id is not None else None
