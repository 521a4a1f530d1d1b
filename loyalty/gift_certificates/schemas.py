"""Schemas of certificate types, batches, look-ups, reports and the certificate line."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from loyalty.gift_certificates.selling import SaleRequest
from pos.core.schemas import Boolean, Id, Int, Money, StrictSchema

_CODE = validate.Length(min=1, max=32)


class CertificateLineInSchema(StrictSchema):
    """A certificate sold on a receipt: a type (and amount, for a free one) or a serial."""

    type = fields.String(validate=_CODE, metadata={"example": "GC-FREE"})
    amount = Money(attribute="amount_minor", data_key="amount")
    serial = fields.String(validate=_CODE, metadata={"example": "B1-000001"})

    @post_load
    def _request(self, data: dict[str, Any], **_: Any) -> SaleRequest:
        return SaleRequest(**data)


class NewTypeSchema(StrictSchema):
    """A certificate type: a face value, or a free amount between min and max."""

    code = fields.String(required=True, validate=_CODE, metadata={"example": "GC-1000"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    sku = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={
        "description": "the catalog item a certificate line is made of (name, VAT rate)"})
    face_value = Money(attribute="face_value_minor", data_key="face_value")
    min_amount = Money(attribute="min_minor", data_key="min_amount")
    max_amount = Money(attribute="max_minor", data_key="max_amount")
    valid_days = Int(1, 3650)
    is_partial_allowed = Boolean()
    cash_out_below = Money(attribute="cash_out_below_minor", data_key="cash_out_below")
    is_points_purchasable = Boolean()
    refund_grace_days = Int(0, 3650)
    is_cash_refund_allowed = Boolean(metadata={
        "description": "a refund to a certificate no longer valid is paid in cash"})


class TypeSchema(Schema):
    """A certificate type."""

    id = Id()
    code = fields.String()
    name = fields.String()
    sku = fields.String()
    face_value = Money(attribute="face_value_minor", allow_none=True)
    min_amount = Money(attribute="min_minor")
    max_amount = Money(attribute="max_minor")
    valid_days = fields.Integer()
    is_partial_allowed = fields.Boolean()
    cash_out_below = Money(attribute="cash_out_below_minor")
    is_points_purchasable = fields.Boolean()
    refund_grace_days = fields.Integer()
    is_cash_refund_allowed = fields.Boolean()
    is_active = fields.Boolean()


class NewBatchSchema(StrictSchema):
    """A batch of printed certificates to issue."""

    type_id = Id(required=True)
    count = Int(1, 1_000_000, required=True)
    face_value = Money(attribute="face_value_minor", data_key="face_value")


class BatchSchema(Schema):
    """An issued batch (its codes are fetched apart, by a manager)."""

    id = Id()
    type_id = Id()
    count = fields.Integer()
    face_value = Money(attribute="face_value_minor")
    created_at = fields.DateTime()


class PrintedSchema(Schema):
    """A certificate to print or hand over: serial, code, face value."""

    serial = fields.String()
    code = fields.String()
    face_value = Money(attribute="face_value_minor")


class CertificateStatusSchema(Schema):
    """A certificate as the till sees it (managers also see its history)."""

    code = fields.String(metadata={"description": "the last four letters only"})
    type_code = fields.String()
    type_name = fields.String()
    status = fields.String(metadata={"description":
                                     "inactive, active, used, expired or cancelled"})
    face_value = Money(attribute="face_value_minor")
    balance = Money(attribute="balance_minor")
    expires_at = fields.DateTime(allow_none=True)
    is_partial_allowed = fields.Boolean()
    history = fields.List(fields.Dict(), allow_none=True)


class LiabilityQuerySchema(StrictSchema):
    """Which store's liability (default: every store the viewer sees)."""

    store_id = Id()


class LiabilityRowSchema(Schema):
    """What a type's certificates sold in a store came to."""

    type_code = fields.String()
    store_id = Id()
    sold = Money(attribute="sold_minor")
    redeemed = Money(attribute="redeemed_minor", allow_negative=True)
    expired = Money(attribute="expired_minor")
    cancelled = Money(attribute="cancelled_minor")
    outstanding = Money(attribute="outstanding_minor", allow_negative=True)


class AdjustSchema(StrictSchema):
    """A correction of a certificate's balance: its code, the signed amount and why."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    amount = Money(attribute="amount_minor", data_key="amount", allow_negative=True,
                   required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class LookUpSchema(StrictSchema):
    """A code to look up, sent in the body so that no URL (nor its access log) carries it."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
