"""A card holder's own cards at ``/me``: balance, pending and expiring points, tier, history.

Cards are addressed by id, never by number (a number must not reach a URL, a log or a
browser's history), and shown masked as gift certificate codes are: the last four digits.
Another holder's card id is 404, as one that does not exist. Every figure comes from the
holder API's use cases; this module only lays them out.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from loyalty.cards import holders
from loyalty.cards.own_cards import own_card_by_id, own_card_rows
from loyalty.points import service as points
from loyalty.points.ledger import format_points
from loyalty.points.outlook import points_outlook
from pos.core.barcode import is_digits
from pos.core.errors import ValidationError
from pos.core.request import current_clock, current_db
from pos.screens.me import blp, holder_id

PAGE_SIZE = 20
MAX_PAGE = 10**6
# What each kind of ledger entry is called on the holder's screen.
KINDS = {"earn": "Earned", "activate": "Became spendable", "spend": "Spent",
         "expire": "Expired", "reverse": "Taken back (return)", "restore": "Given back (return)",
         "adjust": "Adjusted", "transfer": "Moved from a replaced card"}


def masked(number: str) -> str:
    """Return what a screen shows of a card number: its last four digits."""
    return f"…{number[-4:]}"


@blp.app_template_filter("points")
def points_text(cp: int | None) -> str:
    """Format hundredths of a point as points ("12.50")."""
    return "" if cp is None else format_points(int(cp))


@blp.get("/cards")
def cards() -> Any:
    """List the holder's cards with their points and tier."""
    db = current_db()
    rows = [{"id": card.id, "number": masked(card.number), "type": card_type.name,
             "state": card.state, "balance_cp": card.balance_cp, "pending_cp": card.pending_cp,
             **holders.tier_of(db, card)}
            for card, card_type in own_card_rows(db, holder_id())]
    return render_template("screens/me/cards.html", cards=rows)


@blp.get("/cards/<int:card_id>")
def card(card_id: int) -> Any:
    """Show one card: points now, pending by activation day, expiring soon, tier."""
    db, now = current_db(), current_clock().now()
    own = own_card_by_id(db, holder_id(), card_id)
    settled, balances = points.card_balances(db, own.number, now)
    outlook = points_outlook(db, own.id, now, points.EXPIRING_WITHIN)
    return render_template("screens/me/card.html", card_id=own.id, number=masked(own.number),
                           state=settled.state, balances=balances, outlook=outlook,
                           tier=holders.tier_of(db, settled))


@blp.get("/cards/<int:card_id>/history")
def history(card_id: int) -> Any:
    """List a card's points history (and of the cards it replaced), newest first, by page."""
    db = current_db()
    own = own_card_by_id(db, holder_id(), card_id)
    page = _page_number(request.args.get("page", "1"))
    found = points.entries(db, holders.history_ids(db, own), page, PAGE_SIZE)
    pages = max(1, -(-found.total // PAGE_SIZE))
    return render_template("screens/me/history.html", card_id=own.id, number=masked(own.number),
                           entries=found.items, page=page, pages=pages, kinds=KINDS)


def _page_number(text: str) -> int:
    if len(text) > 7 or not is_digits(text) or not 1 <= int(text) <= MAX_PAGE:
        raise ValidationError("A page is a number from 1", code="invalid_page", field="page")
    return int(text)
