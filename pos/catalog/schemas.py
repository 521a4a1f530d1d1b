"""Schemas of the catalog API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from pos.catalog.model import UNITS, VAT_RATES
from pos.core.barcode import EAN8, EAN13, INTERNAL, UPCA
from pos.core.schemas import (
    Boolean,
    Id,
    Int,
    Money,
    PageArgs,
    Quantity,
    QueryBoolean,
    StrictSchema,
)

CODE = validate.Regexp(r"^[A-Za-z0-9_.-]{1,64}$", error="Use 1-64 letters, digits, _ . -")


class BarcodeInSchema(StrictSchema):
    """A barcode to attach to an item."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    kind = fields.String(load_default=None, validate=validate.OneOf([EAN13, EAN8, UPCA,
                                                                     INTERNAL]))


class BarcodeSchema(Schema):
    """A barcode of an item."""

    code = fields.String()
    kind = fields.String()


class NamedSchema(Schema):
    """A price group or segment."""

    id = Id()
    code = fields.String()
    name = fields.String()


class NewNamedSchema(StrictSchema):
    """A price group or segment to create."""

    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ItemFields(StrictSchema):
    """Writable fields of an item."""

    sku = fields.String(validate=validate.Length(min=1, max=64))
    name = fields.String(validate=validate.Length(min=1, max=200))
    unit = fields.String(validate=validate.OneOf(UNITS))
    is_weighed = Boolean()
    vat_rate = fields.String(validate=validate.OneOf(VAT_RATES))
    plu = Int(1, 99999, allow_none=True)
    price_group = fields.String(allow_none=True)
    segments = fields.List(fields.String())
    barcodes = fields.List(fields.Nested(BarcodeInSchema))
    is_discountable = Boolean()
    is_active = Boolean()


class NewItemSchema(ItemFields):
    """An item to create."""

    sku = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ItemBriefSchema(Schema):
    """An item without its barcodes, as a lookup returns it."""

    id = Id()
    sku = fields.String()
    name = fields.String()
    unit = fields.String()
    is_weighed = fields.Boolean()
    vat_rate = fields.String()
    plu = Int(1, 99999, allow_none=True)
    price_group = fields.Function(lambda i: i.price_group.code if i.price_group else None)
    segments = fields.Function(lambda i: [s.code for s in i.segments])
    is_discountable = fields.Boolean()
    is_active = fields.Boolean()


class ItemSchema(ItemBriefSchema):
    """An item as the API returns it, with its barcodes."""

    barcodes = fields.List(fields.Nested(BarcodeSchema))


class ItemQuerySchema(PageArgs):
    """Filters of the item list."""

    q = fields.String(load_default=None, metadata={"description": "text in name or SKU"})
    segment = fields.String(load_default=None)
    price_group = fields.String(load_default=None)
    is_active = QueryBoolean(load_default=None)
    is_weighed = QueryBoolean(load_default=None)


class PriceTypeSchema(Schema):
    """A price type."""

    id = Id()
    code = fields.String()
    name = fields.String()
    rounding_step = Money(attribute="rounding_step_minor")


class NewPriceTypeSchema(StrictSchema):
    """A price type to create."""

    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    rounding_step_minor = Money(load_default=1, data_key="rounding_step")


class NewPriceSchema(StrictSchema):
    """An item's price at a store from a date."""

    store_id = Id(required=True)
    price_type = fields.String(required=True)
    price_minor = Money(required=True, data_key="price")
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(load_default=None)


class PriceSchema(Schema):
    """A stored price."""

    id = Id()
    store_id = Id()
    item_id = Id()
    price = Money(attribute="price_minor")
    valid_from = fields.Date()
    valid_to = fields.Date(allow_none=True)


class LookupQuerySchema(StrictSchema):
    """A code to resolve at a store."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    store_id = Id(required=True)


class LookupSchema(Schema):
    """What a scanned code means: item, quantity (kg for weighed goods) and money."""

    item = fields.Nested(ItemBriefSchema)
    code = fields.String()
    kind = fields.String()
    is_weight_barcode = fields.Boolean()
    quantity = Quantity()
    unit_price = Money(attribute="unit_price_minor", allow_none=True)
    amount = Money(attribute="amount_minor", allow_none=True)
