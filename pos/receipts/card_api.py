"""HTTP endpoints of the loyalty card at the till: attach, take off, most payable in points."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from loyalty.points.ledger import format_points
from pos.core.schemas import Money, StrictSchema
from pos.core.security import Right
from pos.core.web import ApiBlueprint, till_header, use_case
from pos.receipts import cards
from pos.receipts.schemas import ReceiptSchema

blp = ApiBlueprint("receipt_cards", __name__, url_prefix="/api/v1",
                   description="The loyalty card of a receipt")


class CardInSchema(StrictSchema):
    """The card a till presents: its number as typed or scanned."""

    card_code = fields.String(required=True, validate=validate.Length(min=1, max=64))


class CardAtTillSchema(Schema):
    """What the till shows of a receipt's card: never the holder's full name or contacts."""

    number = fields.String()
    type = fields.String()
    holder = fields.String(allow_none=True, metadata={
        "description": "first name and initials of the rest, as a till shows it"})
    tier = fields.String(allow_none=True)
    next_tier = fields.String(allow_none=True)
    to_next_tier = Money(attribute="to_next_tier_minor", allow_none=True)
    accumulated = Money(attribute="accumulated_minor")
    points = fields.Function(lambda v: format_points(v["balance_cp"]))
    pending_points = fields.Function(lambda v: format_points(v["pending_cp"]))
    max_points_payment = Money(attribute="max_points_minor", allow_none=True, metadata={
        "description": "the most the open receipt may still take in points (null once closed)"})


class PointsPayableSchema(Schema):
    """What a receipt may still take in points."""

    max_amount = Money(attribute="max_amount_minor")
    points = fields.Function(lambda v: format_points(v["balance_cp"]))
    point_value = Money(attribute="point_value_minor")


@blp.route("/receipts/<int:receipt_id>/card")
class ReceiptCard(MethodView):
    """The card of a receipt."""

    @blp.requires(Right.SELL)
    @blp.response(200, CardAtTillSchema)
    def get(self, receipt_id: int) -> Any:
        """Show the receipt's card as the till does: holder (masked), tier, points, most payable.

        404 ``no_card`` when the receipt has none; the card's due activations and expiries are
        settled first, so the points are right.
        """
        return cards.card_at_till(use_case(), receipt_id)

    @blp.requires(Right.SELL)
    @blp.till_scoped
    @blp.arguments(CardInSchema)
    @blp.response(200, ReceiptSchema)
    def put(self, data: dict[str, Any], receipt_id: int) -> Any:
        """Attach a loyalty card (unknown, blocked or expired: refused, nothing written)."""
        return cards.attach_card(use_case(till_header()), receipt_id, data["card_code"])

    @blp.requires(Right.SELL)
    @blp.till_scoped
    @blp.response(200, ReceiptSchema)
    def delete(self, receipt_id: int) -> Any:
        """Take the card off the receipt."""
        return cards.detach_card(use_case(till_header()), receipt_id)


@blp.route("/receipts/<int:receipt_id>/points-payable")
class PointsPayable(MethodView):
    """The most a receipt may take in points."""

    @blp.requires(Right.SELL)
    @blp.response(200, PointsPayableSchema)
    @blp.alt_response(409, schema="Problem")
    def get(self, receipt_id: int) -> Any:
        """Return the most the open receipt may still take in points, and the card's points."""
        return cards.points_payable(use_case(), receipt_id)
