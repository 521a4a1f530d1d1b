"""The loyalty card a sale carries, as the till's header shows it, and attaching one.

Shared by the scan field (a card number scanned there is attached) and the card panel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loyalty.cards.holders import at_till
from loyalty.cards.service import load_card
from pos.core.db import Database
from pos.core.request import current_db
from pos.receipts import cards
from pos.receipts.model import Receipt
from pos.screens.till import receipt_fragment, receipt_id_for_sale, till_context


@dataclass(frozen=True)
class CardShown:
    """What the header shows of the attached card: never the holder's full name."""

    number: str
    holder: str | None
    tier: str | None
    points: str


def points_text(centipoints: int) -> str:
    """Format a points balance kept in hundredths ("12.50")."""
    return f"{centipoints // 100}.{centipoints % 100:02d}"


def card_shown(db: Database, number: str | None) -> CardShown | None:
    """Return what the header shows of a card (None: no card attached)."""
    if not number:
        return None
    with db.read() as session:
        view = at_till(session, load_card(session, number))
    return CardShown(number, view["holder"], view["tier"] or view["type"],
                     points_text(int(view["balance_cp"])))


def with_card(receipt: Receipt | None, **extra: Any) -> str:
    """Render the receipt panel and the header's card box with it."""
    shown = card_shown(current_db(), receipt.card_code if receipt is not None else None)
    return receipt_fragment(receipt, card=shown, card_changed=True, **extra)


def attach(code: str) -> str:
    """Attach a card by the number typed or scanned; an unusable one is the API's problem."""
    receipt = cards.attach_card(till_context(), receipt_id_for_sale(), code.strip())
    return with_card(receipt)
