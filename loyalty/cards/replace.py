"""Replacing a lost card: its balance, lots, history and tier move to a new card at once.

What other features keep under the card's number (the discounts' purchase history) moves in
the same transaction, through the hooks they registered (``registry.card_replaced``).

The old card is blocked (``card_replaced``) and refuses everything from then on; a return of
a receipt made with it takes back from, and restores to, the card that replaced it.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from loyalty.cards.model import ACTIVE, Card, CardType
from loyalty.cards.service import fresh_numbers, load_card
from loyalty.points import ledger
from loyalty.points.model import TRANSFER, Earning, Lot
from pos.core import audit
from pos.core.context import Context
from pos.core.errors import ConflictError


def replace_card(ctx: Context, number: str, new_number: str | None = None) -> Card:
    """Move everything of a card to a new one (a given unused card, or a newly issued one)."""
    with ctx.db.transaction() as session:
        old = load_card(session, number, for_update=True)
        if old.replaced_by_id is not None:
            raise ConflictError(f"Card {number} was already replaced", code="card_replaced")
        new = _successor(session, ctx, old, new_number)
        moved = tuple(ledger.lock(session, old.id))
        refs = ledger.Refs(user_id=ctx.actor.user_id, reason=f"{old.number} -> {new.number}")
        ledger.entry(session, old.id, TRANSFER, ctx.now, refs, delta=-moved[0],
                     pending=-moved[1], debt=-moved[2])
        ledger.entry(session, new.id, TRANSFER, ctx.now, refs, delta=moved[0],
                     pending=moved[1], debt=moved[2])
        assert ledger.move(session, old.id, delta=-moved[0], pending=-moved[1], debt=-moved[2])
        assert ledger.move(session, new.id, delta=moved[0], pending=moved[1], debt=moved[2])
        session.execute(update(Lot).where(Lot.card_id == old.id).values(card_id=new.id))
        session.execute(update(Earning).where(Earning.card_id == old.id)
                        .values(card_id=new.id))
        new.holder_id, new.accumulated_minor = old.holder_id, old.accumulated_minor
        new.has_bought = old.has_bought
        new.next_due_at = min((due for due in (old.next_due_at, new.next_due_at) if due),
                              default=None)  # its lots are the old card's now
        new.state, new.activated_at, new.valid_until = ACTIVE, ctx.now, old.valid_until
        old.state, old.block_reason, old.replaced_by_id = "blocked", "replaced", new.id
        for hook in ctx.registry.card_replaced:  # e.g. the purchase history keyed by number
            hook(session, old.number, new.number)
        audit.record(session, at=ctx.now, action="card_replaced", user_id=ctx.actor.user_id,
                     target=f"card:{number}", details={"new_number": new.number})
        return new


def _successor(session: Session, ctx: Context, old: Card, new_number: str | None) -> Card:
    if new_number is None:
        card_type = session.scalar(select(CardType).where(CardType.id == old.type_id)
                                   .with_for_update())
        new = Card(number=fresh_numbers(session, card_type, 1)[0], type_id=old.type_id,
                   state="issued", issued_at=ctx.now,
                   accumulated_minor=0, balance_cp=0, pending_cp=0, debt_cp=0)
        session.add(new)
        session.flush()
        return new
    new = load_card(session, new_number, for_update=True)
    if new.id == old.id or new.state != "issued" or new.holder_id or new.type_id != old.type_id \
            or new.balance_cp or new.pending_cp:
        raise ConflictError(f"Card {new_number} cannot take over: it must be a new card "
                            "of the same type", code="card_not_replacement", field="new_number")
    return new
