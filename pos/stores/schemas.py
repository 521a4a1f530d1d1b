"""Schemas of stores and tills."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from pos.core.schemas import Boolean, Id, Int, Money, StrictSchema
from pos.stores.model import TILL_MODES


class TillSchema(Schema):
    """A till."""

    id = Id()
    store_id = Id()
    number = Int(1, 9999)
    name = fields.String()
    mode = fields.String()
    is_active = fields.Boolean()


class NewTillSchema(StrictSchema):
    """A till to add."""

    number = Int(1, 9999, required=True)
    name = fields.String(load_default="", validate=validate.Length(max=100))
    mode = fields.String(load_default="online", validate=validate.OneOf(TILL_MODES))


class TillUpdateSchema(StrictSchema):
    """Changes to a till."""

    name = fields.String(validate=validate.Length(max=100))
    mode = fields.String(validate=validate.OneOf(TILL_MODES))
    is_active = Boolean()


class StoreSchema(Schema):
    """A store with its tills."""

    id = Id()
    code = fields.String()
    name = fields.String()
    address = fields.String()
    timezone = fields.String()
    max_cash_difference = Money(attribute="max_cash_difference_minor")
    blind_close = fields.Boolean(metadata={
        "description": "cashiers close shifts without being shown the expected cash"})
    blind_recounts = Int(0, 10, metadata={
        "description": "recounts allowed before a blind count off by more than "
                       "max_cash_difference needs a manager"})
    is_active = fields.Boolean()
    tills = fields.List(fields.Nested(TillSchema))


class NewStoreSchema(StrictSchema):
    """A store to create."""

    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    address = fields.String(load_default="", validate=validate.Length(max=400))
    timezone = fields.String(required=True, validate=validate.Length(max=64))
    max_cash_difference_minor = Money(load_default=0, data_key="max_cash_difference")
    price_type = fields.String(load_default=None)
    blind_close = Boolean(load_default=False)
    blind_recounts = Int(0, 10, load_default=1)


class StoreUpdateSchema(StrictSchema):
    """Changes to a store."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    address = fields.String(validate=validate.Length(max=400))
    timezone = fields.String(validate=validate.Length(max=64))
    max_cash_difference_minor = Money(data_key="max_cash_difference")
    price_type = fields.String(allow_none=True)
    blind_close = Boolean()
    blind_recounts = Int(0, 10)
    is_active = Boolean()
