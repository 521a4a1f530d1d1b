"""The office's loyalty and gift certificate pages: liabilities, counts by state, a card look-up.

Clients of loyalty's own services (the points liability report, a card's balances and
ledger, the certificates' liability report); only the counts by state, which no service
answers, are read here (one GROUP BY each). Cards and card types are the chain's, not a
store's; certificates are counted for the stores the manager sees (and those not sold yet).
A card is looked up by a number POSTed in the form, never put in a URL, and shown masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template, request
from sqlalchemy import func, select

from loyalty.cards import service as cards
from loyalty.cards.model import Card, CardType
from loyalty.gift_certificates import report as certificate_report
from loyalty.gift_certificates.model import CertificateBatch, CertificateType, GiftCertificate
from loyalty.points import service as points
from loyalty.points.ledger import format_points
from loyalty.points.model import Lot
from pos.core.errors import ForbiddenError, PosError, ValidationError
from pos.core.request import current_clock, current_db
from pos.core.scope import visible_stores
from pos.core.security import Principal, Right
from pos.screens.office import blp, manager
from pos.screens.web import problem_headers
from pos.stores.model import Store

HISTORY_ROWS = 20
NUMBER_MAX = 32


def loyalty_manager() -> Principal:
    """Return the signed-in manager if they may manage loyalty, else refuse (403)."""
    who = manager()
    if not who.can(Right.MANAGE_LOYALTY):
        raise ForbiddenError("Loyalty is for those who manage it", code="office_forbidden")
    return who


def mask(number: str) -> str:
    """Return a card number with all but its last four digits hidden."""
    return "•" * max(len(number) - 4, 0) + number[-4:]


@dataclass(frozen=True)
class StateCount:
    """How many cards (or certificates) of a type are in a state."""

    type_code: str
    state: str
    count: int


def card_counts() -> list[StateCount]:
    """Return how many cards of each type are in each state."""
    query = (select(CardType.code, Card.state, func.count())
             .join(Card, Card.type_id == CardType.id)
             .group_by(CardType.code, Card.state).order_by(CardType.code, Card.state))
    with current_db().read() as session:
        return [StateCount(code, state, int(count))
                for code, state, count in session.execute(query).all()]


def _page(who: Principal, **extra: Any) -> str:
    return render_template(
        "screens/office/loyalty.html", who=who, card_types=cards.list_card_types(current_db()),
        counts=card_counts(), liability=points.liability_report(current_db()), **extra)


@blp.get("/loyalty")
def loyalty() -> Any:
    """Show card types, cards by state, the points liability and the card look-up."""
    return _page(loyalty_manager())


@blp.post("/loyalty/card")
def loyalty_card() -> Any:
    """Look a card up by its number (from the form): balances, lots and recent history."""
    who = loyalty_manager()
    number = request.form.get("card_code", "").strip().replace(" ", "")
    try:
        card = _card(number)
    except PosError as error:
        return (_page(who, problem=error.to_problem()), error.status, problem_headers(error))
    return _page(who, card=card)


def _card(number: str) -> dict[str, Any]:
    if not number or len(number) > NUMBER_MAX or not (number.isascii() and number.isdigit()):
        raise ValidationError("A card number is digits", code="bad_card_number",
                              field="card_code")
    db, now = current_db(), current_clock().now()
    card, balances = points.card_balances(db, number, now)
    view = cards.views_of(db, [number])[0]
    ids = cards.history_ids(db, number)
    history = points.entries(db, ids, 1, HISTORY_ROWS)
    with db.read() as session:
        lots = session.scalars(select(Lot).where(Lot.card_id.in_(ids), Lot.remaining_cp > 0)
                               .order_by(Lot.expires_at, Lot.id)).all()
    return {"masked": mask(number), "view": view, "balances": balances, "lots": lots,
            "history": history.items, "format_points": format_points}


@dataclass(frozen=True)
class BatchRow:
    """A batch of printed certificates and how many of it are in each state."""

    id: int
    type_code: str
    count: int
    face_value_minor: int
    created_at: Any
    states: dict[str, int]


def certificate_counts(who: Principal) -> list[StateCount]:
    """Return certificates by type and state: the manager's stores' and those not sold yet."""
    query = (select(CertificateType.code, GiftCertificate.state, func.count())
             .join(GiftCertificate, GiftCertificate.type_id == CertificateType.id)
             .group_by(CertificateType.code, GiftCertificate.state)
             .order_by(CertificateType.code, GiftCertificate.state))
    visible = visible_stores(who)
    if visible is not None:
        query = query.where(GiftCertificate.store_id.is_(None)
                            | GiftCertificate.store_id.in_(visible))
    with current_db().read() as session:
        return [StateCount(code, state, int(count))
                for code, state, count in session.execute(query).all()]


def batches() -> list[BatchRow]:
    """Return the printed batches, newest first, with their certificates by state."""
    with current_db().read() as session:
        rows = session.execute(
            select(CertificateBatch.id, CertificateType.code, CertificateBatch.count,
                   CertificateBatch.face_value_minor, CertificateBatch.created_at)
            .join(CertificateType, CertificateType.id == CertificateBatch.type_id)
            .order_by(CertificateBatch.id.desc()).limit(50)).all()
        states: dict[int, dict[str, int]] = {}
        for batch_id, state, count in session.execute(
                select(GiftCertificate.batch_id, GiftCertificate.state, func.count())
                .where(GiftCertificate.batch_id.in_([row[0] for row in rows]))
                .group_by(GiftCertificate.batch_id, GiftCertificate.state)).all():
            states.setdefault(batch_id, {})[state] = int(count)
    return [BatchRow(*row, states=states.get(row[0], {})) for row in rows]


@blp.get("/gift-certificates")
def gift_certificates() -> Any:
    """Show the certificates' outstanding liability, counts by state and printed batches."""
    who = loyalty_manager()
    liability = certificate_report.liability(current_db(), visible_stores(who))
    with current_db().read() as session:
        stores = dict(session.execute(select(Store.id, Store.code)).all())
    return render_template(
        "screens/office/gift_certificates.html", who=who, liability=liability,
        outstanding_minor=sum(row["outstanding_minor"] for row in liability),
        stores=stores, counts=certificate_counts(who), batches=batches())
