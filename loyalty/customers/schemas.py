"""Schemas of wholesale customers, their account and partner sign-ins."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from pos.core.schemas import Id, Int, Money, StrictSchema


class CustomerSchema(Schema):
    """A wholesale customer with its debt and rebate credit."""

    id = Id()
    code = fields.String()
    legal_name = fields.String()
    tax_id = fields.String(allow_none=True)
    segment = fields.String(allow_none=True)
    parent_id = Id(allow_none=True)
    credit_limit = Money(attribute="credit_limit_minor")
    payment_terms_days = Int(0, 3650)
    debt = Money(attribute="debt_minor", allow_negative=True)
    credit = Money(attribute="credit_minor")
    card_code = fields.String(allow_none=True)
    is_blocked = fields.Boolean()


class CustomerUpdateSchema(StrictSchema):
    """Changes to a customer."""

    legal_name = fields.String(validate=validate.Length(min=1, max=200))
    tax_id = fields.String(allow_none=True, validate=validate.Length(max=32))
    segment = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    parent_id = Id(allow_none=True)
    credit_limit_minor = Money(data_key="credit_limit")
    payment_terms_days = Int(0, 3650)
    card_code = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    is_blocked = fields.Boolean()


class NewCustomerSchema(CustomerUpdateSchema):
    """A customer to register; ``code`` is what the till sends as the receipt's customer_ref."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    legal_name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class CustomerPaymentSchema(StrictSchema):
    """A payment the customer made of its debt (a bank transfer, cash at the office)."""

    amount_minor = Money(data_key="amount", required=True)
    reference = fields.String(load_default=None, validate=validate.Length(max=200))


class PartnerSchema(StrictSchema):
    """A user who signs in for the customer."""

    user_id = Id(required=True)


class AccountEntrySchema(Schema):
    """One move of a customer's debt or rebate credit."""

    id = Id()
    account = fields.String()
    kind = fields.String()
    amount = Money(attribute="amount_minor", allow_negative=True)
    due_on = fields.Date(allow_none=True)
    receipt_id = Id(allow_none=True)
    reference = fields.String(allow_none=True)
    at = fields.DateTime()
