"""Marshmallow schemas of points: the Points field, ledger entries, adjustments, reports."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, fields, validate

from loyalty.points.ledger import format_points
from pos.core.schemas import Id, Int, Money, PageArgs, StrictSchema, page_of

_POINTS = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,2})?")


class Points(fields.Field):
    """Points as a decimal string with up to two decimals (``"12.50"``); hundredths inside."""

    default_error_messages = {"invalid": "Not a number of points; send a string like \"12.50\"."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.metadata.setdefault("type", "string")
        self.metadata.setdefault("pattern", r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$")
        self.metadata.setdefault("example", "12.50")

    def _serialize(self, value: int | None, attr: str | None, obj: Any, **kw: Any) -> Any:
        return None if value is None else format_points(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> int:
        if not isinstance(value, str) or not _POINTS.fullmatch(value):
            raise self.make_error("invalid")
        sign = -1 if value.startswith("-") else 1
        whole, _, cents = value.lstrip("-").partition(".")
        return sign * (int(whole) * 100 + int((cents + "00")[:2]))


class AdjustmentSchema(StrictSchema):
    """A manual change of a card's points."""

    points = Points(required=True, metadata={"description": "positive adds, negative takes"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class EntrySchema(Schema):
    """One ledger entry."""

    id = Id()
    at = fields.DateTime()
    kind = fields.String()
    points = Points(attribute="delta_cp")
    pending_points = Points(attribute="pending_delta_cp")
    debt_points = Points(attribute="debt_delta_cp")
    receipt_id = Int(0, 2**63 - 1, allow_none=True)
    payment_seq = Int(allow_none=True)
    amount = Money(attribute="amount_minor", allow_none=True)
    reason = fields.String(allow_none=True)


EntryPageSchema = page_of(EntrySchema, "PointsEntryPage")
EntryQuerySchema = PageArgs


class LiabilitySchema(Schema):
    """Points outstanding for one card type."""

    card_type = fields.String()
    cards = Int(0, 2**63 - 1)
    cards_with_points = Int(0, 2**63 - 1)
    points = fields.String()
    pending_points = fields.String()
    debt_points = fields.String()
    value = Money(attribute="value_minor")


class LiabilityReportSchema(Schema):
    """The outstanding points liability by card type."""

    card_types = fields.List(fields.Nested(LiabilitySchema))
