"""Marshmallow building blocks: money and quantity fields, strict schemas, pages, problems."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import has_app_context
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from pos.core.money import (
    MoneyFormatError,
    format_minor,
    format_quantity,
    parse_minor,
    parse_quantity,
)


def _exponent() -> int:
    if has_app_context():
        from pos.core.web import current_settings

        return current_settings().currency_exponent
    return 2


class Money(fields.Field):
    """An amount: a decimal string in JSON (``"12.30"``), integer minor units inside."""

    default_error_messages = {
        "invalid": "Not a valid amount; send a decimal string such as \"12.30\".",
        "negative": "Must not be negative.",
    }

    def __init__(self, *, allow_negative: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allow_negative = allow_negative
        self.metadata.setdefault("example", "12.30")

    def _serialize(self, value: int | None, attr: str | None, obj: Any, **kw: Any) -> Any:
        return None if value is None else format_minor(value, _exponent())

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.make_error("invalid")
        try:
            amount = parse_minor(value, _exponent())
        except MoneyFormatError as error:
            raise ValidationError(str(error)) from None
        if amount < 0 and not self.allow_negative:
            raise self.make_error("negative")
        return amount


class Quantity(fields.Field):
    """A quantity with at most three decimals (kg for weighed goods), strictly positive."""

    default_error_messages = {
        "invalid": "Not a valid quantity; send a decimal string such as \"0.455\".",
        "not_positive": "Must be greater than zero.",
    }

    def _serialize(self, value: Decimal | None, attr: str | None, obj: Any, **kw: Any) -> Any:
        return None if value is None else format_quantity(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.make_error("invalid")
        try:
            quantity = parse_quantity(value)
        except MoneyFormatError as error:
            raise ValidationError(str(error)) from None
        if quantity <= 0:
            raise self.make_error("not_positive")
        return quantity


class StrictSchema(Schema):
    """A schema that refuses unknown fields, so typos never pass silently."""

    class Meta:
        """Refuse unknown fields."""

        unknown = RAISE


class PageArgs(StrictSchema):
    """Query arguments of every paginated list."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


def page_of(item_schema: type[Schema], name: str) -> type[Schema]:
    """Build the schema of a ``paging.Page``: ``items``, ``page``, ``page_size``, ``total``."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema)),
            "page": fields.Integer(),
            "page_size": fields.Integer(),
            "total": fields.Integer(),
        },
        name=name,
    )


class ProblemSchema(Schema):
    """An RFC 9457 problem document."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    code = fields.String(metadata={"description": "stable machine-readable code"})
    errors = fields.Dict(metadata={"description": "per-field messages"})
