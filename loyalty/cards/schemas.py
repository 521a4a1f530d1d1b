"""Marshmallow schemas of card types and cards."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from loyalty.points.schemas import Points
from pos.core.money import format_minor
from pos.core.schemas import Boolean, Id, Int, Money, Percent, StrictSchema

_CODE = validate.Regexp(r"^[A-Z0-9_-]{1,32}$", error="Upper-case letters, digits, - and _.")


class CampaignSchema(StrictSchema):
    """A campaign: a points multiplier on some days, in some stores (all when empty)."""

    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    store_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=1000))
    multiplier = fields.String(required=True, validate=validate.Regexp(
        r"^[0-9]{1,2}(\.[0-9]{1,2})?$", error="A multiplier such as \"2\" or \"1.5\"."))

    @post_load
    def _as_json(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {"from": data["from"].isoformat() if data.get("from") else None,
                "to": data["to"].isoformat() if data.get("to") else None,
                "store_ids": data["store_ids"], "multiplier": str(data["multiplier"])}


class CardTierSchema(StrictSchema):
    """A cumulative tier: its name and the accumulated spend that reaches it."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    min_amount = Money(required=True, attribute="min_minor", data_key="min_amount")


class NewCardTypeSchema(StrictSchema):
    """A card type to create."""

    code = fields.String(required=True, validate=_CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    is_discount = Boolean(load_default=False)
    is_bonus = Boolean(load_default=False)
    is_personal = Boolean(load_default=False)
    number_prefix = fields.String(load_default="29", validate=validate.Regexp(r"^[0-9]{1,6}$"))
    validity_days = Int(1, 36500, allow_none=True)
    earn_percent = Percent(load_default=Decimal(0))
    segment_percents = fields.Dict(keys=fields.String(validate=validate.Length(max=64)),
                                   values=Percent(), load_default=dict)
    campaigns = fields.List(fields.Nested(CampaignSchema), load_default=list,
                            validate=validate.Length(max=100))
    rounding = fields.String(load_default="down", validate=validate.OneOf(["down", "half_up"]))
    is_fractional = Boolean(load_default=False)
    pending_days = Int(0, 3650, load_default=0)
    expiry_days = Int(1, 36500, allow_none=True)
    point_value = Money(load_default=100)
    max_share_percent = Int(0, 100, load_default=100)
    tiers = fields.List(fields.Nested(CardTierSchema), load_default=list,
                        validate=validate.Length(max=20))

    @post_load
    def _as_columns(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["earn_bp"] = int(data.pop("earn_percent") * 100)
        data["segment_bp"] = {k: int(v * 100) for k, v in data.pop("segment_percents").items()}
        data["point_value_minor"] = data.pop("point_value")
        data["tiers"] = sorted(data["tiers"], key=lambda tier: tier["min_minor"])
        if data["point_value_minor"] <= 0:
            raise ValidationError({"point_value": ["Must be above zero."]})
        return data


class CardTypeSchema(Schema):
    """A card type."""

    id = Id()
    code = fields.String()
    name = fields.String()
    is_discount = fields.Boolean()
    is_bonus = fields.Boolean()
    is_personal = fields.Boolean()
    number_prefix = fields.String()
    validity_days = fields.Integer(allow_none=True)
    earn_percent = fields.Function(lambda t: f"{t.earn_bp / 100:.2f}")
    segment_percents = fields.Function(
        lambda t: {k: f"{v / 100:.2f}" for k, v in (t.segment_bp or {}).items()})
    campaigns = fields.Raw()
    rounding = fields.String()
    is_fractional = fields.Boolean()
    pending_days = fields.Integer()
    expiry_days = fields.Integer(allow_none=True)
    point_value = Money(attribute="point_value_minor")
    max_share_percent = fields.Integer()
    tiers = fields.Function(lambda t: [{"name": x["name"], "min_amount": format_minor(
        x["min_minor"])} for x in t.tiers or []])


class HolderInSchema(StrictSchema):
    """A personal card's holder, registered at issue."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = fields.String(validate=validate.Length(max=32))
    email = fields.Email(validate=validate.Length(max=200))
    has_consent = Boolean(load_default=False)
    pin = fields.String(validate=validate.Regexp(r"^[0-9]{4,8}$", error="4 to 8 digits."))


class IssueSchema(StrictSchema):
    """Cards to issue: one (maybe registered to a holder) or a numbered batch."""

    type = fields.String(required=True, validate=_CODE)
    count = Int(1, 10_000, load_default=1)
    activate = Boolean(load_default=False)
    holder = fields.Nested(HolderInSchema)


class BlockSchema(StrictSchema):
    """Why a card is blocked."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ReplaceSchema(StrictSchema):
    """The card that takes over (a new one is issued when none is named)."""

    new_number = fields.String(validate=validate.Regexp(r"^[0-9]{13}$"))


class CardSchema(Schema):
    """A card with its state and points."""

    number = fields.String()
    type = fields.String()
    state = fields.String()
    holder_name = fields.String(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    block_reason = fields.String(allow_none=True)
    replaced_by = fields.String(allow_none=True)
    accumulated = Money(attribute="accumulated_minor")
    points = Points(attribute="balance_cp")
    pending_points = Points(attribute="pending_cp")
    debt_points = Points(attribute="debt_cp")
    issued_at = fields.DateTime()
    activated_at = fields.DateTime(allow_none=True)


class IssuedSchema(Schema):
    """Cards just issued."""

    cards = fields.List(fields.Nested(CardSchema))
