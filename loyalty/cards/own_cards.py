"""A holder's cards by id, for screens that must not put a card number in a URL.

Read-only beside :mod:`loyalty.cards.holders`: a card of anyone else is 404, exactly as an id
that does not exist, and the answer never names a number.
"""

from __future__ import annotations

from sqlalchemy import select

from loyalty.cards.model import Card, CardType
from pos.core.db import Database
from pos.core.errors import NotFoundError


def own_card_by_id(db: Database, holder_id: int, card_id: int) -> Card:
    """Return a card of the holder by id; anyone else's (or none) is ``card_not_found``."""
    with db.read() as session:
        card = session.get(Card, card_id)
        if card is None or card.holder_id != holder_id:
            raise NotFoundError(f"No card {card_id}", code="card_not_found")
        return card


def own_card_rows(db: Database, holder_id: int) -> list[tuple[Card, CardType]]:
    """Return the holder's cards with their types, newest first."""
    with db.read() as session:
        rows = session.execute(select(Card, CardType).join(CardType, CardType.id == Card.type_id)
                               .where(Card.holder_id == holder_id).order_by(Card.id.desc()))
        return [(card, card_type) for card, card_type in rows]
