"""Schemas of agreements, progress, claims, settlements and funds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, fields, validate

from loyalty.rebates.settlement import METHODS
from pos.core.money import format_minor, format_quantity
from pos.core.schemas import Boolean, Id, Int, Money, Percent, StrictSchema

_NUMBER = validate.Regexp(r"^[0-9]{1,12}(\.[0-9]{1,3})?$",
                          error="A non-negative decimal such as \"1000000.00\" or \"3\".")


class RebateTierSchema(StrictSchema):
    """From ``from`` on, ``rate`` applies (see the agreement's measure, plan and rate kind)."""

    from_ = fields.String(data_key="from", attribute="from", required=True, validate=_NUMBER,
                          metadata={"description": "money for an amount base, units for a "
                                                   "quantity base, percent of plan with a plan"})
    rate = fields.String(required=True, validate=_NUMBER, metadata={
        "description": "a percent, or money per unit for a per-unit rate"})


class FundShareSchema(StrictSchema):
    """A fund the agreement draws on, and its share of each claim."""

    fund_id = Id(required=True)
    share = Percent(minimum=0, maximum=100, min_inclusive=False, required=True)


class AgreementUpdateSchema(StrictSchema):
    """Changes to an agreement (a new version once it is approved)."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    kind = fields.String(validate=validate.OneOf(("retro", "bill_back", "lump_sum")))
    customer_id = Id(allow_none=True)
    include_children = Boolean()
    customer_segment = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    period_type = fields.String(validate=validate.OneOf(("month", "quarter", "year")))
    valid_from = fields.Date()
    valid_to = fields.Date()
    measure = fields.String(validate=validate.OneOf(("amount", "quantity")))
    is_net = Boolean(metadata={"description": "net of discounts (default), else gross"})
    source = fields.String(validate=validate.OneOf(("sales", "payments")))
    item_segments = fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                                validate=validate.Length(max=50))
    mode = fields.String(validate=validate.OneOf(("whole", "bracket")))
    rate_kind = fields.String(validate=validate.OneOf(("percent", "per_unit")))
    plan_minor = Money(data_key="plan", allow_none=True)
    tiers = fields.List(fields.Nested(RebateTierSchema), validate=validate.Length(max=20))
    cap_percent = Percent(allow_none=True)
    compensation_minor = Money(data_key="compensation")
    lump_sum_minor = Money(data_key="lump_sum")
    requires_no_overdue = Boolean()
    settlement = fields.String(validate=validate.OneOf(METHODS))
    gift_sku = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    funds = fields.List(fields.Nested(FundShareSchema), validate=validate.Length(max=10))


class NewAgreementSchema(AgreementUpdateSchema):
    """An agreement to draft."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    period_type = fields.String(required=True,
                                validate=validate.OneOf(("month", "quarter", "year")))
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)


class AgreementSchema(Schema):
    """One version of an agreement."""

    id = Id()
    series_id = Id()
    version = Int(1)
    status = fields.String()
    name = fields.String()
    kind = fields.String()
    customer_id = Id(allow_none=True)
    include_children = fields.Boolean()
    customer_segment = fields.String(allow_none=True)
    period_type = fields.String()
    valid_from = fields.Date()
    valid_to = fields.Date()
    measure = fields.String()
    is_net = fields.Boolean()
    source = fields.String()
    item_segments = fields.List(fields.String())
    mode = fields.String()
    rate_kind = fields.String()
    plan = Money(attribute="plan_minor", allow_none=True)
    tiers = fields.List(fields.Nested(RebateTierSchema))
    cap_percent = Percent(allow_none=True)
    compensation = Money(attribute="compensation_minor")
    lump_sum = Money(attribute="lump_sum_minor")
    requires_no_overdue = fields.Boolean()
    settlement = fields.String()
    gift_sku = fields.String(allow_none=True)
    funds = fields.List(fields.Nested(FundShareSchema))
    approved_at = fields.DateTime(allow_none=True)


class AgreementStatusSchema(StrictSchema):
    """The status to move an agreement to."""

    status = fields.String(required=True, validate=validate.OneOf(("approved", "active",
                                                                   "closed")))


class PeriodArgs(StrictSchema):
    """A period by name: 2026, 2026-Q3 or 2026-07."""

    period = fields.String(validate=validate.Length(min=4, max=7))


class ProgressSchema(Schema):
    """Where an agreement stands in a period."""

    agreement_id = Id()
    name = fields.String()
    status = fields.String()
    period = fields.String()
    days_left = Int()
    base = Money(attribute="base_minor", allow_negative=True)
    quantity_milli = fields.Integer()
    tier = Int(allow_none=True)
    bonus = Money(attribute="bonus_minor", allow_negative=True)
    projected_bonus = Money(attribute="projected_bonus_minor", allow_negative=True)
    measure = fields.String(metadata={"description": "amount or quantity: what the base counts"})
    next_threshold = fields.Method("_next_threshold", allow_none=True, metadata={
        "type": "string", "description": "the next tier's threshold: an amount or a quantity"})
    to_next_tier = fields.Method("_to_next_tier", allow_none=True, metadata={
        "type": "string", "description": "what is still missing to the next tier"})
    billback = Money(attribute="billback_minor", allow_negative=True)
    overdue = Money(attribute="overdue_minor")
    is_condition_met = fields.Boolean()

    def _next_threshold(self, progress: dict[str, Any]) -> str | None:
        return in_base_units(progress["next_threshold"], progress["measure"])

    def _to_next_tier(self, progress: dict[str, Any]) -> str | None:
        return in_base_units(progress["to_next_tier"], progress["measure"])


def in_base_units(value: int | None, measure: str) -> str | None:
    """Return a base figure as decimal text: minor units of money, or thousandths of units."""
    if value is None:
        return None
    return format_minor(value) if measure == "amount" else format_quantity(
        Decimal(value).scaleb(-3))


class CalculateSchema(StrictSchema):
    """The period to calculate (it must be over)."""

    period = fields.String(required=True, validate=validate.Length(min=4, max=7))


class ClaimSchema(Schema):
    """A claim or an adjustment claim."""

    id = Id()
    series_id = Id()
    agreement_id = Id()
    customer_id = Id(allow_none=True)
    period = fields.String(attribute="period_key")
    seq = Int(1)
    is_adjustment = fields.Boolean()
    base = Money(attribute="base_minor", allow_negative=True)
    premium = Money(attribute="premium_minor", allow_negative=True)
    compensation = Money(attribute="compensation_minor")
    amount = Money(attribute="amount_minor", allow_negative=True)
    status = fields.String()
    calculated_at = fields.DateTime()
    approved_at = fields.DateTime(allow_none=True)


class ClaimArgs(StrictSchema):
    """Which claims to list."""

    status = fields.String(validate=validate.OneOf(("calculated", "approved", "settled")))
    period = fields.String(validate=validate.Length(min=4, max=7))
    customer_id = Id()


class ApproveClaimSchema(StrictSchema):
    """Approve a claim; overdrawing a fund must be said explicitly."""

    allow_overdraw = Boolean(load_default=False)


class SettleSchema(StrictSchema):
    """What is paid, how; negative recovers what the customer owes back."""

    amount_minor = Money(data_key="amount", required=True, allow_negative=True)
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    reference = fields.String(load_default=None, validate=validate.Length(max=200))


class AllowanceArgs(StrictSchema):
    """Whose allowances to list."""

    customer_id = Id()


class AllowanceSchema(Schema):
    """A customer's rebate allowance: granted by settlements as a discount, used at the till."""

    id = Id()
    customer_id = Id()
    series_id = Id()
    period = fields.String(attribute="period_key")
    name = fields.String()
    granted = Money(attribute="granted_minor")
    used = Money(attribute="used_minor")
    left = Money(attribute="left_minor")


class SettlementSchema(Schema):
    """A settlement."""

    id = Id()
    series_id = Id()
    period = fields.String(attribute="period_key")
    customer_id = Id(allow_none=True)
    method = fields.String()
    amount = Money(attribute="amount_minor", allow_negative=True)
    reference = fields.String(allow_none=True)
    at = fields.DateTime()


class NewFundSchema(StrictSchema):
    """A fund to create."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    amount_minor = Money(data_key="amount", required=True)
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)


class FundSchema(Schema):
    """A fund and what it committed, claimed and settled."""

    id = Id()
    name = fields.String()
    status = fields.String()
    amount = Money(attribute="amount_minor")
    valid_from = fields.Date()
    valid_to = fields.Date()
    committed = Money(attribute="committed_minor", allow_negative=True)
    claimed = Money(attribute="claimed_minor", allow_negative=True)
    settled = Money(attribute="settled_minor", allow_negative=True)
    left = Money(attribute="left_minor", allow_negative=True)


class ClaimTotalSchema(Schema):
    """Claims of one status: how many, how much."""

    status = fields.String()
    count = Int()
    amount = Money(attribute="amount_minor", allow_negative=True)
