"""HTTP endpoints of a card holder's own view: sign in, their cards, points, history, tier.

A holder signs in with a card number and PIN, or with a receipt's one-time code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from loyalty.cards import codes, holders
from loyalty.points import service as points
from loyalty.points.schemas import EntryPageSchema, EntryQuerySchema, Points
from pos.core.apidoc import declare
from pos.core.errors import UnauthorizedError
from pos.core.request import current_settings
from pos.core.schemas import Money, StrictSchema
from pos.core.web import ApiBlueprint, client_address, current_clock, current_db

F = TypeVar("F", bound=Callable[..., Any])
blp = ApiBlueprint("loyalty_holder", __name__, url_prefix="/api/v1/loyalty/me",
                   description="A card holder's own cards (signed in with a card and PIN)")


def _bearer() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError("Send 'Authorization: Bearer <token>'", code="unauthorized")
    return token.strip()


def holder_only(view: F) -> F:
    """Guard a view: a valid holder token (staff tokens are not holders')."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        holder_id = holders.holder_of(current_db(), _bearer(), current_clock().now())
        if holder_id is None:
            raise UnauthorizedError("The token is unknown or expired", code="invalid_token")
        g.holder_id = holder_id
        return view(*args, **kwargs)

    # 403 is documented with every secured operation, though a holder token is never refused it.
    return declare(blp.doc(security=[{"bearerAuth": []}])(guarded), statuses=(401, 403))


class SignInSchema(StrictSchema):
    """A holder's card number and PIN."""

    card_number = fields.String(required=True, validate=validate.Length(min=1, max=32))
    pin = fields.String(required=True, validate=validate.Length(min=1, max=16))


class CodeSignInSchema(StrictSchema):
    """A one-time code printed on a receipt."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=32))


class HolderTokenSchema(Schema):
    """A holder's bearer token."""

    token = fields.String()
    expires_at = fields.DateTime()


class OwnCardSchema(Schema):
    """One of the holder's cards."""

    number = fields.String()
    type = fields.String()
    state = fields.String()
    points = Points(attribute="balance_cp")
    pending_points = Points(attribute="pending_cp")


class CardDetailSchema(OwnCardSchema):
    """A card's points and tier as its holder sees them."""

    debt_points = Points(attribute="debt_cp")
    expiring_points = Points(attribute="expiring_cp")
    expiring_by = fields.DateTime()
    next_expiry = fields.DateTime(allow_none=True)
    accumulated = Money(attribute="accumulated_minor")
    tier = fields.String(allow_none=True)
    next_tier = fields.String(allow_none=True)
    to_next_tier = Money(attribute="to_next_tier_minor", allow_none=True)


@blp.route("/sign-in")
class SignIn(MethodView):
    """Signing in."""

    @blp.arguments(SignInSchema)
    @blp.response(200, HolderTokenSchema)
    @blp.alt_response(401, schema="Problem")
    @blp.alt_response(429, schema="Problem")
    def post(self, data: dict[str, Any]) -> Any:
        """Sign in with a card number and its holder's PIN; guesses are slowed down (429)."""
        return holders.sign_in(current_db(), data["card_number"], data["pin"],
                               client=client_address(), now=current_clock().now())


@blp.route("/sign-in/code")
class SignInByCode(MethodView):
    """Signing in with a receipt's one-time code."""

    @blp.arguments(CodeSignInSchema)
    @blp.response(200, HolderTokenSchema)
    @blp.alt_response(401, schema="Problem")
    @blp.alt_response(429, schema="Problem")
    def post(self, data: dict[str, Any]) -> Any:
        """Sign in with the one-time code printed on a receipt (once, within 30 days)."""
        return codes.sign_in_with_code(current_db(), codes.holder_codes(
            current_settings().secret_key), data["code"], client=client_address(),
            now=current_clock().now())


@blp.route("/sign-out")
class SignOut(MethodView):
    """Signing out."""

    @holder_only
    @blp.response(204)
    def post(self) -> None:
        """Revoke this holder token."""
        holders.sign_out(current_db(), _bearer())


@blp.route("/cards")
class OwnCards(MethodView):
    """The holder's cards."""

    @holder_only
    @blp.response(200, OwnCardSchema(many=True))
    def get(self) -> Any:
        """List the signed-in holder's cards."""
        return holders.own_cards(current_db(), g.holder_id)


@blp.route("/cards/<string:number>")
class OwnCard(MethodView):
    """One of the holder's cards."""

    @holder_only
    @blp.response(200, CardDetailSchema)
    def get(self, number: str) -> Any:
        """Return points (spendable, pending, expiring within 30 days), tier and next tier."""
        db, now = current_db(), current_clock().now()
        holders.own_card(db, g.holder_id, number)  # anyone else's card: 404
        card, owed = points.card_balances(db, number, now)
        return {**holders.own_cards_view(card), **holders.tier_of(db, card),
                "debt_cp": owed.debt_cp, "expiring_cp": owed.expiring_cp,
                "expiring_by": owed.expiring_by, "next_expiry": owed.next_expiry}


@blp.route("/cards/<string:number>/history")
class OwnHistory(MethodView):
    """The history of one of the holder's cards."""

    @holder_only
    @blp.arguments(EntryQuerySchema, location="query")
    @blp.response(200, EntryPageSchema)
    def get(self, query: dict[str, Any], number: str) -> Any:
        """List every change of the card's points (and of the cards it replaced)."""
        card = holders.own_card(current_db(), g.holder_id, number)
        return points.entries(current_db(), holders.history_ids(current_db(), card),
                              query["page"], query["page_size"])
