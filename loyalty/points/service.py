"""Use cases of points beside the till: balances, the ledger, adjustments, verification.

Also the till's "most payable in points" for a receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, func, select
from sqlalchemy.orm import Session

from loyalty.cards.model import Card, CardType
from loyalty.cards.numbers import is_valid_number
from loyalty.cards.service import card_not_found, load_card
from loyalty.points import ledger
from loyalty.points.at_till import rules_of, share_limit_minor
from loyalty.points.jobs import due_exists, settle_if_due
from loyalty.points.model import ACTIVE, ADJUST, PENDING, Entry, Lot
from loyalty.points.report import liability
from loyalty.points.rules import POINT_CP, value_of
from pos.core import audit
from pos.core.context import Context
from pos.core.db import Database
from pos.core.errors import ConflictError, ValidationError
from pos.core.paging import Page, paginate

EXPIRING_WITHIN = timedelta(days=30)


@dataclass(frozen=True)
class Balances:
    """A card's points as of now: spendable, pending, owed, and what expires soon."""

    balance_cp: int
    pending_cp: int
    debt_cp: int
    expiring_cp: int
    expiring_by: datetime
    next_expiry: datetime | None


def settled_card(db: Database, number: str, now: datetime) -> Card:
    """Return a card after activating and expiring its due lots (a write only if due)."""
    return card_balances(db, number, now)[0]


_WITH_DUE = select(Card, due_exists(Card.id, bindparam("now"))).where(
    Card.number == bindparam("number"))


def card_balances(db: Database, number: str, now: datetime) -> tuple[Card, Balances]:
    """Return a settled card and its balances, expiring within 30 days, in one read.

    Only when lots are due (the job has not run) is a write transaction taken to settle them.
    """
    with db.read() as session:
        row = session.execute(_WITH_DUE, {"number": number, "now": now}).first() \
            if is_valid_number(number) else None
        if row is None:
            raise card_not_found(number)
        card, is_due = row
        if not is_due:
            return card, _balances(session, card, now)
    with db.transaction() as session:
        settle_if_due(session, card.id, now)
        card = load_card(session, number)
        return card, _balances(session, card, now)


# Built once: building it cost a balance read more than running it.
_SOON = select(
    func.coalesce(func.sum(case((and_(Lot.state == ACTIVE,
                                      Lot.expires_at <= bindparam("until")),
                                 Lot.remaining_cp), else_=0)), 0),
    func.min(Lot.expires_at)).where(Lot.card_id == bindparam("card"),
                                    Lot.state.in_((ACTIVE, PENDING)), Lot.remaining_cp > 0)


def _balances(session: Session, card: Card, now: datetime) -> Balances:
    until = now + EXPIRING_WITHIN
    soon, first = session.execute(_SOON, {"card": card.id, "until": until}).one()
    return Balances(card.balance_cp, card.pending_cp, card.debt_cp, int(soon), until, first)


def entries(db: Database, card_ids: list[int], page: int, page_size: int) -> Page[Entry]:
    """Return a page of the ledger of cards (a card and those it replaced), newest first."""
    with db.read() as session:
        query = select(Entry).where(Entry.card_id.in_(card_ids)).order_by(Entry.id.desc())
        return paginate(session, query, page=page, page_size=page_size)


def adjust(ctx: Context, number: str, cp: int, reason: str) -> Card:
    """Add or take off points by hand, with a reason (audited); never below zero."""
    if not reason.strip():
        raise ValidationError("Say why the points change", code="reason_required",
                              field="reason")
    if cp == 0:
        raise ValidationError("Adjust by a non-zero number of points", code="invalid_points",
                              field="points")
    with ctx.db.transaction() as session:
        card = load_card(session, number)
        card_type = session.get(CardType, card.type_id)
        assert card_type is not None
        _check_adjustable(card, card_type, cp)
        settle_if_due(session, card.id, ctx.now)
        refs = ledger.Refs(user_id=ctx.actor.user_id, reason=reason.strip()[:200])
        if cp > 0:
            expires = ctx.now + timedelta(days=card_type.expiry_days) \
                if card_type.expiry_days else None
            ledger.credit(session, card.id, cp, ADJUST, ctx.now, refs, active_from=ctx.now,
                          expires_at=expires)
        else:
            ledger.spend(session, card.id, -cp, ADJUST, ctx.now, refs)
        audit.record(session, at=ctx.now, action="points_adjusted", user_id=ctx.actor.user_id,
                     target=f"card:{number}", details={"points": ledger.format_points(cp),
                                                       "reason": reason.strip()[:200]},
                     client_address=ctx.actor.client_address)
        session.expire(card)  # its balances were moved by guarded updates, not the ORM
        return load_card(session, number)


def _check_adjustable(card: Card, card_type: CardType, cp: int) -> None:
    if not card_type.is_bonus:
        raise ConflictError("This card collects no points", code="card_has_no_points")
    if card.replaced_by_id is not None:
        raise ConflictError(f"Card {card.number} was replaced", code="card_replaced")
    if not card_type.is_fractional and cp % POINT_CP:
        raise ValidationError("This card's points are whole", code="fractional_points",
                              field="points")


def max_payable(session: Session, card: Card, card_type: CardType, total_minor: int,
                paid_in_points_minor: int, due_minor: int) -> int:
    """Return the most the receipt can still take in points: share, balance, due, whole."""
    by_share = share_limit_minor(card_type, total_minor) - paid_in_points_minor
    room = max(min(by_share, due_minor, value_of(card.balance_cp, rules_of(card_type))), 0)
    step = card_type.point_value_minor * (1 if card_type.is_fractional else POINT_CP) // POINT_CP
    return room - room % max(step, 1)


def verify(db: Database) -> dict[str, Any]:
    """Compare every card's balances with its ledger's sums and its lots: what differs.

    And the instant the card says its next lot falls due: never later than its lots say.
    """
    with db.read() as session:
        sums = {row[0]: row[1:] for row in session.execute(
            select(Entry.card_id, func.sum(Entry.delta_cp), func.sum(Entry.pending_delta_cp),
                   func.sum(Entry.debt_delta_cp)).group_by(Entry.card_id))}
        spendable = and_(Lot.state == ACTIVE, Lot.remaining_cp > 0)
        lots = {row[0]: row[1:] for row in session.execute(
            select(Lot.card_id,
                   func.sum(Lot.remaining_cp).filter(Lot.state == ACTIVE),
                   func.sum(Lot.remaining_cp).filter(Lot.state == PENDING),
                   func.min(Lot.active_from).filter(Lot.state == PENDING),
                   func.min(Lot.expires_at).filter(spendable))
            .group_by(Lot.card_id))}
        problems: dict[str, str] = {}
        checked = 0
        for card in session.execute(select(Card.id, Card.number, Card.balance_cp,
                                           Card.pending_cp, Card.debt_cp, Card.next_due_at)):
            checked += 1
            ledger_sums = tuple(int(x or 0) for x in sums.get(card.id, (0, 0, 0)))
            found = lots.get(card.id, (0, 0, None, None))
            lot_sums = tuple(int(x or 0) for x in found[:2])
            due = min((at for at in found[2:] if at is not None), default=None)
            kept = (card.balance_cp, card.pending_cp, card.debt_cp)
            if kept != ledger_sums or kept[:2] != lot_sums or min(kept) < 0:
                problems[card.number] = (f"card {kept}, ledger {ledger_sums}, "
                                         f"lots {lot_sums}")
            elif due is not None and (card.next_due_at is None or card.next_due_at > due):
                problems[card.number] = (f"next due {card.next_due_at}, "
                                         f"a lot falls due {due}")
    return {"cards": checked, "problems": problems}


def liability_report(db: Database) -> list[dict[str, Any]]:
    """Return the outstanding points liability by card type."""
    with db.read() as session:
        return liability(session)


def payable(session: Session, code: str | None, total_minor: int, paid_in_points_minor: int,
            due_minor: int) -> dict[str, Any]:
    """Return what a receipt with card ``code`` may still pay in points, and the balance."""
    card = load_card(session, code) if code else None
    if card is None:
        raise ConflictError("Attach a loyalty card to pay with points", code="card_required")
    card_type = session.get(CardType, card.type_id)
    assert card_type is not None
    most = max_payable(session, card, card_type, total_minor, paid_in_points_minor, due_minor) \
        if card_type.is_bonus else 0
    return {"max_amount_minor": most, "balance_cp": card.balance_cp,
            "point_value_minor": card_type.point_value_minor}
