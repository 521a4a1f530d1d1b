"""Schemas of discount management: benefits and conditions as typed JSON documents.

A benefit or condition is an object with a ``type`` and that type's fields; money is a decimal
string in the API and integer minor units in storage (the ``Money`` field converts).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from pos.core.schemas import (
    MAX_ID,
    Boolean,
    Id,
    Int,
    Money,
    PageArgs,
    Percent,
    Quantity,
    QueryBoolean,
    StrictSchema,
)
from pos.discounts.engine import Kind, Per, Rule, Scope

# What a rule may be: an allowance is the buyer's own balance, never a rule of the tree.
RULE_KINDS = [k.value for k in Kind if k is not Kind.ALLOWANCE]

# type -> (required fields, optional fields)
BENEFIT_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "percent_off": ({"percent"}, set()),
    "amount_off": ({"amount_minor"}, {"per"}),
    "fixed_price": ({"price_minor"}, set()),
    "markup": (set(), {"percent", "amount_minor", "per"}),
    "quantity_discount": ({"every_nth"}, {"percent", "cheapest_first", "max_per_receipt"}),
    "gift": ({"required_qty", "gift_item_id"},
             {"required_segment", "gift_price_minor", "max_per_receipt"}),
    "cheapest_free": ({"set_size"}, {"segment", "max_per_receipt"}),
}
CONDITION_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "receipt_volume": (set(), {"min_amount_minor", "min_quantity", "segment"}),
    "accumulated_volume": ({"min_amount_minor"}, set()),
    "segment_quantity": ({"segment", "min_quantity"}, set()),
    "first_purchase": (set(), set()),
    "first_purchase_from_segment": ({"segment"}, set()),
    "time_of_sale": (set(), {"weekdays", "ranges"}),
    "payment_form": ({"forms"}, set()),
    "card_types": ({"types"}, set()),
    "cashier_group": ({"groups"}, set()),
    "customer_segment": ({"segments"}, set()),
    "store_in": ({"store_ids"}, set()),
    "date_range": (set(), {"start", "end"}),
}


class ConditionQuantity(Quantity):
    """A condition's quantity floor: a JSON number (``2.5``) or a decimal string (``"2.5"``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Any:
        if isinstance(value, float):
            # repr is the shortest text that reads back as the same float: 2.5 -> "2.5".
            value = repr(value)
        return super()._deserialize(value, attr, data, **kw)


def _check_fields(data: dict[str, Any], table: dict[str, tuple[set[str], set[str]]]) -> None:
    required, optional = table[data["type"]]
    given = set(data) - {"type"}
    missing = required - given
    extra = given - required - optional
    errors = {name: [f"required for type {data['type']}"] for name in sorted(missing)}
    errors.update({name: [f"not a field of type {data['type']}"] for name in sorted(extra)})
    if errors:
        raise ValidationError(errors)


class TimeRangeSchema(StrictSchema):
    """A time window of the day (``"20:00"``-``"22:00"``; end before start runs past midnight)."""

    start = fields.Time(required=True, format="%H:%M")
    end = fields.Time(required=True, format="%H:%M")


class BenefitSchema(StrictSchema):
    """What a discount gives; ``type`` decides which fields apply."""

    type = fields.String(required=True, validate=validate.OneOf(sorted(BENEFIT_FIELDS)))
    percent = Percent()
    amount_minor = Money(data_key="amount")
    price_minor = Money(data_key="price")
    per = fields.String(validate=validate.OneOf([p.value for p in Per]))
    every_nth = Int(2)
    cheapest_first = Boolean()
    required_qty = Int(1)
    required_segment = fields.String(allow_none=True)
    gift_item_id = Id()
    gift_price_minor = Money(data_key="gift_price")
    set_size = Int(2)
    segment = fields.String(allow_none=True)
    max_per_receipt = Int(
        1, strict=True,
        metadata={"description": "at most this many applications per receipt (unit benefits)"})

    @validates_schema
    def _fields_of_type(self, data: dict[str, Any], **_: Any) -> None:
        if "type" in data:
            _check_fields(data, BENEFIT_FIELDS)
            if data["type"] == "markup" and ("percent" in data) == ("amount_minor" in data):
                raise ValidationError("a markup is a percent or an amount", "percent")


class ConditionSchema(StrictSchema):
    """When a discount fires; ``type`` decides which fields apply."""

    type = fields.String(required=True, validate=validate.OneOf(sorted(CONDITION_FIELDS)))
    min_amount_minor = Money(data_key="min_amount")
    min_quantity = ConditionQuantity()
    segment = fields.String(allow_none=True)
    weekdays = fields.List(Int(0, 6),
                           metadata={"description": "0 = Monday"})
    ranges = fields.List(fields.Nested(TimeRangeSchema))
    forms = fields.List(fields.String(validate=validate.OneOf(["cash", "card",
                                                               "bonus_points",
                                                               "gift_certificate"])))
    types = fields.List(fields.String())
    groups = fields.List(fields.String())
    segments = fields.List(fields.String())
    store_ids = fields.List(Id())
    start = fields.Date()
    end = fields.Date()

    @validates_schema
    def _fields_of_type(self, data: dict[str, Any], **_: Any) -> None:
        if "type" in data:
            _check_fields(data, CONDITION_FIELDS)


class RefinementSchema(StrictSchema):
    """A different benefit for one price group."""

    price_group = fields.String(required=True)
    benefit = fields.Nested(BenefitSchema, required=True)


class DiscountFields(StrictSchema):
    """Writable fields of a discount."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    kind = fields.String(validate=validate.OneOf(RULE_KINDS))
    scope = fields.String(validate=validate.OneOf([s.value for s in Scope]))
    group_id = Id()
    benefit = fields.Nested(BenefitSchema)
    conditions = fields.List(fields.Nested(ConditionSchema))
    refinements = fields.List(fields.Nested(RefinementSchema))
    segment = fields.String(allow_none=True)
    item_ids = fields.List(Id())
    price_groups = fields.List(fields.String())
    store_ids = fields.List(Id())
    customer_segments = fields.List(fields.String())
    card_types = fields.List(fields.String())
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    is_active = Boolean()


class NewDiscountSchema(DiscountFields):
    """A discount to create."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default="automatic", validate=validate.OneOf(RULE_KINDS))
    scope = fields.String(load_default="line", validate=validate.OneOf([s.value for s in Scope]))
    group_id = Id(load_default=None)
    benefit = fields.Nested(BenefitSchema, required=True)


class DiscountSchema(DiscountFields):
    """A stored discount."""

    id = Id()
    position = Int(0)


class GroupFields(StrictSchema):
    """Writable fields of a group."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    rule = fields.String(validate=validate.OneOf([r.value for r in Rule]))
    parent_id = Id(allow_none=True)
    allow_stacking = Boolean()
    holds_manual = Boolean()


class NewGroupSchema(GroupFields):
    """A group to create (under the root unless ``parent_id`` says otherwise)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    rule = fields.String(required=True, validate=validate.OneOf([r.value for r in Rule]))


class GroupSchema(Schema):
    """A stored group."""

    id = Id()
    name = fields.String()
    rule = fields.String()
    parent_id = Id(allow_none=True)
    position = Int(0)
    allow_stacking = fields.Boolean()
    holds_manual = fields.Boolean()


class TreeNodeSchema(Schema):
    """A group with its children, in order."""

    id = Int(0, MAX_ID, metadata={"description": "0 for the root"})
    name = fields.String()
    rule = fields.String()
    allow_stacking = fields.Boolean()
    holds_manual = fields.Boolean()
    groups = fields.List(fields.Nested(lambda: TreeNodeSchema()))
    discounts = fields.List(fields.Nested(DiscountSchema))


class MoveSchema(StrictSchema):
    """Where to move a discount or group: a position in a (new) parent group."""

    position = Int(0, required=True)
    group_id = Id(load_default=None, metadata={"description": "new parent group"})


class DiscountQuerySchema(PageArgs):
    """Filters of the discount list."""

    kind = fields.String(load_default=None, validate=validate.OneOf(RULE_KINDS))
    is_active = QueryBoolean(load_default=None)
    group_id = Id(load_default=None)


class LimitSchema(StrictSchema):
    """The largest manual discount a user group may give (per price group if set)."""

    user_group = fields.String(required=True, validate=validate.Length(min=1, max=64))
    price_group = fields.String(load_default=None, allow_none=True)
    max_percent = Percent(required=True)


class LimitsSchema(StrictSchema):
    """The whole table of manual discount limits."""

    limits = fields.List(fields.Nested(LimitSchema), required=True)
