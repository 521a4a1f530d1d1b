"""Marshmallow building blocks: money, quantity and bounded fields, strict schemas, pages.

Every number a client sends has a bound, so nothing it sends can overflow a database column
(ids are 64-bit, counts 32-bit) or a sum of amounts: ids and counts by :func:`Id` and
:func:`Int`, amounts by :class:`Money` (at most :data:`MAX_AMOUNT_MAJOR` and the currency's
decimals), quantities by :class:`Quantity` (at most :data:`MAX_QUANTITY`).
"""

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

MAX_ID = 2**63 - 1  # ids are BIGINT on PostgreSQL, 64-bit INTEGER on SQLite
MAX_INT = 2**31 - 1  # line numbers, positions, counts, pages: INTEGER columns and offsets
# The largest amount any one field takes, in major units: 999,999,999.99 with two decimals.
# 500 lines at this price and MAX_QUANTITY stay far inside a 64-bit sum of minor units.
MAX_AMOUNT_MAJOR = 999_999_999
MAX_QUANTITY = Decimal("99999.999")


class CodedMessage(str):
    """A field's error message that carries a stable problem ``code`` (``amount_too_large``).

    The problem handler answers with that code when every failing field gave the same one.
    """

    code: str

    def __new__(cls, text: str, code: str) -> CodedMessage:
        """Return ``text`` tagged with ``code``."""
        message = super().__new__(cls, text)
        message.code = code
        return message


def Id(**kwargs: Any) -> fields.Integer:
    """Return an id field: an integer from 1 to :data:`MAX_ID`."""
    return Int(1, MAX_ID, **kwargs)


def Int(minimum: int = 0, maximum: int = MAX_INT, **kwargs: Any) -> fields.Integer:
    """Return an integer field bounded to ``minimum``..``maximum`` (both documented)."""
    validators = [validate.Range(min=minimum, max=maximum)]
    extra = kwargs.pop("validate", None)
    if extra is not None:
        validators.extend(extra if isinstance(extra, list | tuple) else [extra])
    return fields.Integer(validate=validators, **kwargs)


def max_amount_minor(exponent: int) -> int:
    """Return the largest amount a field takes, in minor units of a currency."""
    return (MAX_AMOUNT_MAJOR + 1) * 10**exponent - 1


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
        self.metadata.setdefault("description", (
            f"a decimal string, at most {MAX_AMOUNT_MAJOR:,} and the currency's decimals "
            f"({format_minor(max_amount_minor(2))} with two)"
            + ("; may be negative" if allow_negative else "")))

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
        limit = max_amount_minor(_exponent())
        if abs(amount) > limit:
            raise ValidationError(CodedMessage(
                f"Must be at most {format_minor(limit, _exponent())}.", "amount_too_large"))
        return amount


class Quantity(fields.Field):
    """A quantity with at most three decimals (kg for weighed goods), above zero, bounded.

    Refusals carry the code ``invalid_quantity``, or ``quantity_too_large`` past the bound.
    """

    default_error_messages = {
        "invalid": "Not a valid quantity; send a decimal string such as \"0.455\".",
        "not_positive": "Must be greater than zero.",
        "too_large": f"Must be at most {MAX_QUANTITY}.",
    }

    def _serialize(self, value: Decimal | None, attr: str | None, obj: Any, **kw: Any) -> Any:
        return None if value is None else format_quantity(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self._refuse(self.error_messages["invalid"], "invalid_quantity")
        try:
            quantity = parse_quantity(value)
        except MoneyFormatError as error:
            raise self._refuse(str(error), "invalid_quantity") from None
        if quantity <= 0:
            raise self._refuse(self.error_messages["not_positive"], "invalid_quantity")
        if quantity > MAX_QUANTITY:
            raise self._refuse(self.error_messages["too_large"], "quantity_too_large")
        return quantity

    @staticmethod
    def _refuse(message: str, code: str) -> ValidationError:
        return ValidationError(CodedMessage(message, code))


class StrictSchema(Schema):
    """A schema that refuses unknown fields, so typos never pass silently."""

    class Meta:
        """Refuse unknown fields."""

        unknown = RAISE


class PageArgs(StrictSchema):
    """Query arguments of every paginated list."""

    page = Int(1, MAX_INT, load_default=1)
    page_size = Int(1, 500, load_default=50)


def page_of(item_schema: type[Schema], name: str) -> type[Schema]:
    """Build the schema of a ``paging.Page``: ``items``, ``page``, ``page_size``, ``total``."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema)),
            "page": Int(1),
            "page_size": Int(1, 500),
            "total": Int(0, MAX_ID),
        },
        name=name,
    )


class ProblemSchema(Schema):
    """An RFC 9457 problem document."""

    type = fields.String()
    title = fields.String()
    status = Int(400, 599)
    detail = fields.String()
    code = fields.String(metadata={"description": "stable machine-readable code"})
    errors = fields.Dict(metadata={"description": "per-field messages"})
