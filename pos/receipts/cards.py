"""A loyalty card at the till: attached to an open receipt or a one-shot upload, or taken off.

The card is checked by loyalty (:func:`loyalty.points.at_till.card_for_sale`): an unknown,
blocked, replaced, expired or inactive card is refused before anything is written. Pricing
then sees the card's type and accumulated spend (:mod:`pos.receipts.pricing`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from loyalty.cards.holders import at_till
from loyalty.cards.model import Card
from loyalty.cards.service import card_id_of
from loyalty.points.at_till import card_for_sale, read_card_along
from loyalty.points.jobs import settle_if_due
from loyalty.points.service import payable
from loyalty.points.tender import POINTS
from pos.core.context import Context
from pos.core.errors import NotFoundError
from pos.core.pan import Found, holds_pan, rejection
from pos.receipts.access import receipt_not_found, sees_receipt
from pos.receipts.model import OPEN, Receipt
from pos.receipts.repricing import reprice
from pos.receipts.service import load_for_change
from pos.stores.model import Store


def checked_card_code(session: Session, store: Store, code: str | None, at: datetime,
                      now: datetime | None = None) -> str | None:
    """Return the number of the card a till presents, refusing one that cannot be used.

    ``at`` is the time of sale (an offline upload's own), ``now`` the server's (``at`` if
    None): what falls due on the card by then is settled before its points move.
    """
    if code is None:
        return None
    if holds_pan("card_code", code):  # (as reject_pans would, without walking a dict)
        raise rejection(Found("card_code"))
    return card_for_sale(session, code, store.local_date(at), now or at).number


def expect_card(session: Session, code: str | None, now: datetime) -> None:
    """Have the session read the card a till sent along with its first statement, if any.

    Called before anything asks the catalog, so that :func:`checked_card_code` finds the card
    already read (see :func:`loyalty.points.at_till.read_card_along`).
    """
    if code is not None:
        read_card_along(session, code, now)


def attach_card(ctx: Context, receipt_id: int, code: str) -> Receipt:
    """Attach a card to an open receipt with no payments yet, and price it again."""
    with ctx.db.transaction() as session:
        receipt = load_for_change(session, ctx, receipt_id)
        receipt.ensure_no_payments()
        store = session.get(Store, receipt.store_id)
        assert store is not None
        receipt.card_code = checked_card_code(session, store, code, ctx.now)
        reprice(session, ctx, receipt, store)
        return receipt


def detach_card(ctx: Context, receipt_id: int) -> Receipt:
    """Take the card off an open receipt with no payments yet, and price it again."""
    with ctx.db.transaction() as session:
        receipt = load_for_change(session, ctx, receipt_id)
        receipt.ensure_no_payments()
        store = session.get(Store, receipt.store_id)
        assert store is not None
        receipt.card_code = None
        reprice(session, ctx, receipt, store)
        return receipt


def points_payable(ctx: Context, receipt_id: int) -> dict[str, Any]:
    """Return the most an open receipt may still take in points from its card."""
    with ctx.db.transaction() as session:
        receipt, _ = _settled(session, ctx, receipt_id)
        receipt.ensure_open()
        return _payable(session, receipt)


def card_at_till(ctx: Context, receipt_id: int) -> dict[str, Any]:
    """Return what the till shows of a receipt's card: holder (masked), tier, points.

    With the most the receipt may still take in points while it is open (a bonus card's).
    ``no_card`` (404) when the receipt has none.
    """
    with ctx.db.transaction() as session:
        receipt, card_id = _settled(session, ctx, receipt_id)
        card = session.get(Card, card_id) if card_id is not None else None
        if card is None:
            raise NotFoundError("The receipt has no loyalty card", code="no_card")
        view = at_till(session, card)  # the card holding its points now, if it was replaced
        view["max_points_minor"] = _payable(session, receipt)["max_amount_minor"] \
            if receipt.state == OPEN else None
        return view


def _settled(session: Session, ctx: Context, receipt_id: int) -> tuple[Receipt, int | None]:
    # The receipt the actor may see and the id of the card holding its card's points, with
    # the card's due activations and expiries settled first, so the points read next are right.
    receipt = session.get(Receipt, receipt_id)
    if receipt is None or not sees_receipt(session, ctx.actor.principal, receipt):
        raise receipt_not_found(receipt_id)
    card_id = card_id_of(session, receipt.card_code)
    if card_id is not None:
        settle_if_due(session, card_id, ctx.now)
    return receipt, card_id


def _payable(session: Session, receipt: Receipt) -> dict[str, Any]:
    paid = sum(p.amount_minor for p in receipt.payments if p.kind == POINTS)
    return payable(session, receipt.card_code, receipt.total_minor, paid, receipt.due_minor)
