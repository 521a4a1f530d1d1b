"""Schemas of shifts, cash movements and reports."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from pos.core.schemas import MAX_ID, Boolean, Id, Int, Money, PageArgs, StrictSchema, page_of
from pos.shifts.report import present


class OpenShiftSchema(StrictSchema):
    """A shift to open."""

    till_id = Id(required=True)
    # Required: a till that forgot the count must not open on a silent 0.00 (Z report's cash).
    opening_float = Money(required=True, metadata={"description": "opening cash count"})


class CashMoveSchema(StrictSchema):
    """Cash put in or taken out."""

    amount = Money(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class CertificatePayoutSchema(StrictSchema):
    """The certificate whose remainder is paid in cash (its code, in the body, never a URL)."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=64))


class CloseShiftSchema(StrictSchema):
    """The closing cash count."""

    counted_cash = Money(required=True)
    blind = Boolean(load_default=False,
                           metadata={"description": "the cashier was not shown expected cash"})


class ShiftQuerySchema(PageArgs):
    """Filters of the shift list."""

    till = Id()
    from_ = fields.DateTime(data_key="from")
    to = fields.DateTime()


class ShiftSchema(Schema):
    """A shift with its stored Z report once closed."""

    id = Id()
    store_id = Id()
    till_id = Id()
    state = fields.String()
    opened_by_id = Id()
    opened_at = fields.DateTime()
    opening_float = Money(attribute="opening_float_minor")
    closed_by_id = Id(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    is_blind_close = fields.Boolean()
    expected_cash = Money(attribute="expected_cash_minor", allow_none=True)
    counted_cash = Money(attribute="counted_cash_minor", allow_none=True)
    difference = Money(attribute="difference_minor", allow_none=True, allow_negative=True)
    z_number = Int(1, MAX_ID, allow_none=True)
    z_report = fields.Function(lambda shift: present(shift.z_report) if shift.z_report else None)
    cash_hidden = fields.Boolean(dump_default=False, metadata={
        "description": "expected cash, difference and Z report withheld after a blind close"})


ShiftPageSchema = page_of(ShiftSchema, "ShiftPage")


class CashMovementSchema(Schema):
    """A numbered cash in or cash out document."""

    id = Id()
    shift_id = Id()
    till_id = Id()
    kind = fields.String()
    number = Int(1, MAX_ID)
    amount = Money(attribute="amount_minor")
    reason = fields.String()
    user_id = Id()
    approved_by_id = Id(allow_none=True)
    created_at = fields.DateTime()
