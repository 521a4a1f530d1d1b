"""A card holder's own access: sign in with a card number and PIN, see only one's own cards.

The holder's token is loyalty's own (staff tokens are users'): only its SHA-256 is kept, and
it names the holder, never a card, so every card registered to them is theirs to see and any
other number is 404, exactly as a number that does not exist. Wrong PINs are slowed down by
the kernel's throttle, per card number and per address, as staff logins are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from loyalty.cards.model import Card, CardType, Holder, HolderToken
from loyalty.cards.numbers import is_valid_number
from loyalty.cards.service import card_not_found, predecessors
from pos.core.db import Database
from pos.core.errors import UnauthorizedError
from pos.core.security import new_token, token_digest, verify_secret
from pos.core.throttle import check_throttle, clear_failures, record_failure

TOKEN_TTL = timedelta(days=7)
FREE_CARD_FAILURES, FREE_ADDRESS_FAILURES = 5, 20


@dataclass(frozen=True)
class SignedIn:
    """A holder's new bearer token and when it expires."""

    token: str
    expires_at: datetime


def sign_in(db: Database, number: str, pin: str, *, client: str, now: datetime) -> SignedIn:
    """Check a card number and its holder's PIN and issue a holder token; slow down guesses."""
    card_key, address_key = f"holder-card:{number[:20]}", f"holder-addr:{client}"
    with db.transaction() as session:
        check_throttle(session, [card_key, address_key], now)
        holder = session.scalar(select(Holder).join(Card, Card.holder_id == Holder.id)
                                .where(Card.number == number)) \
            if is_valid_number(number) else None
        if holder is None or holder.pin_hash is None or not verify_secret(pin, holder.pin_hash):
            record_failure(session, {card_key: FREE_CARD_FAILURES,
                                     address_key: FREE_ADDRESS_FAILURES}, now)
            signed = None
        else:
            clear_failures(session, [card_key])
            token = new_token()
            session.add(HolderToken(digest=token_digest(token), holder_id=holder.id,
                                    created_at=now, expires_at=now + TOKEN_TTL))
            signed = SignedIn(token, now + TOKEN_TTL)
    if signed is None:  # raised after the commit, so the failure is counted
        raise UnauthorizedError("Wrong card number or PIN", code="invalid_credentials")
    return signed


def sign_out(db: Database, token: str) -> None:
    """Revoke a holder token."""
    with db.transaction() as session:
        session.execute(delete(HolderToken).where(HolderToken.digest == token_digest(token)))


def holder_of(db: Database, token: str, now: datetime) -> int | None:
    """Return the holder a valid token names, or None."""
    with db.read() as session:
        row = session.get(HolderToken, token_digest(token))
        return row.holder_id if row is not None and row.expires_at > now else None


def own_card(db: Database, holder_id: int, number: str) -> Card:
    """Return a card of the holder; anyone else's (or no card) is ``card_not_found``."""
    with db.read() as session:
        card = session.scalar(select(Card).where(Card.number == number)) \
            if is_valid_number(number) else None
        if card is None or card.holder_id != holder_id:
            raise card_not_found(number)
        return card


def own_cards(db: Database, holder_id: int) -> list[dict[str, Any]]:
    """Return the holder's cards, newest first, with their type and points."""
    with db.read() as session:
        rows = session.execute(select(Card, CardType.code).join(
            CardType, CardType.id == Card.type_id).where(Card.holder_id == holder_id)
            .order_by(Card.id.desc()))
        return [{**own_cards_view(card), "type": code} for card, code in rows]


def own_cards_view(card: Card) -> dict[str, Any]:
    """Return what a holder sees of a card in a list."""
    return {"number": card.number, "state": card.state, "balance_cp": card.balance_cp,
            "pending_cp": card.pending_cp}


def tier_of(db: Database, card: Card) -> dict[str, Any]:
    """Return the card's tier (the highest threshold reached) and the distance to the next."""
    with db.read() as session:
        return tier_in(session, card)


def tier_in(session: Session, card: Card) -> dict[str, Any]:
    """Return :func:`tier_of` read in the caller's session."""
    card_type = session.get(CardType, card.type_id)
    assert card_type is not None
    tiers = sorted(card_type.tiers or [], key=lambda tier: tier["min_minor"])
    reached = [t for t in tiers if card.accumulated_minor >= t["min_minor"]]
    ahead = [t for t in tiers if card.accumulated_minor < t["min_minor"]]
    return {"type": card_type.code, "accumulated_minor": card.accumulated_minor,
            "tier": reached[-1]["name"] if reached else None,
            "next_tier": ahead[0]["name"] if ahead else None,
            "to_next_tier_minor": ahead[0]["min_minor"] - card.accumulated_minor
            if ahead else None}


def history_ids(db: Database, card: Card) -> list[int]:
    """Return the card ids whose ledger is this card's history (it and those it replaced)."""
    with db.read() as session:
        return predecessors(session, card.id)


def masked_name(name: str | None) -> str | None:
    """Return a holder's first name and the initials of the rest ("Hal H."): what a till shows."""
    words = (name or "").split()
    if not words:
        return None
    return " ".join([words[0], *(f"{word[0]}." for word in words[1:])])


def at_till(session: Session, card: Card) -> dict[str, Any]:
    """Return what a till shows of a card: never the holder's full name, phone or e-mail."""
    holder = session.get(Holder, card.holder_id) if card.holder_id else None
    return {"number": card.number, "holder": masked_name(holder.name if holder else None),
            "balance_cp": card.balance_cp, "pending_cp": card.pending_cp,
            **tier_in(session, card)}
