"""Marshmallow building blocks: money, quantity and bounded fields, strict schemas, pages.

Every number a client sends has a bound, so nothing it sends can overflow a database column
(ids are 64-bit, counts 32-bit) or a sum of amounts: ids and counts by :func:`Id` and
:func:`Int`, amounts by :class:`Money` (at most :data:`MAX_AMOUNT_MAJOR` and the currency's
decimals), quantities by :class:`Quantity` (at most :data:`MAX_QUANTITY`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import has_app_context
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

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


class Boolean(fields.Boolean):
    """A boolean of a JSON body: only ``true`` and ``false`` (not "yes", 1 or "on")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> bool:
        if not isinstance(value, bool):  # 1 == True, so marshmallow's truthy sets let 1 in
            raise self.make_error("invalid")
        return value


def QueryBoolean(**kwargs: Any) -> fields.Boolean:
    """Return a boolean of a query string: only ``true`` and ``false``."""
    return fields.Boolean(truthy={"true"}, falsy={"false"}, **kwargs)


def max_amount_minor(exponent: int) -> int:
    """Return the largest amount a field takes, in minor units of a currency."""
    return (MAX_AMOUNT_MAJOR + 1) * 10**exponent - 1


def _exponent() -> int:
    if has_app_context():
        from pos.core.request import current_settings

        return current_settings().currency_exponent
    return 2


# An amount as tills send it: up to MAX_AMOUNT_MAJOR's nine digits, a point and its decimals.
_PLAIN_AMOUNT = re.compile(r"([0-9]{1,9})(?:\.([0-9]{1,3}))?", re.ASCII)


class Money(fields.Field):
    """An amount: a decimal string in JSON (``"12.30"``), integer minor units inside."""

    default_error_messages = {
        "invalid": "Not a valid amount; send a decimal string such as \"12.30\".",
        "negative": "Must not be negative.",
    }

    def __init__(self, *, allow_negative: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allow_negative = allow_negative
        self.metadata.setdefault("type", "string")
        self.metadata.setdefault("pattern", r"^-?[0-9]{1,9}(\.[0-9]+)?$" if allow_negative
                                 else r"^[0-9]{1,9}(\.[0-9]+)?$")
        self.metadata.setdefault("example", "12.30")
        self.metadata.setdefault("description", (
            f"a decimal string, at most {MAX_AMOUNT_MAJOR:,} and the currency's decimals "
            f"({format_minor(max_amount_minor(2))} with two)"
            + ("; may be negative" if allow_negative else "")))

    def _serialize(self, value: int | None, attr: str | None, obj: Any, **kw: Any) -> Any:
        return None if value is None else format_minor(value, _exponent())

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> int:
        if type(value) is str:  # the common text, "12.30": read at once (in range by its form)
            plain = _PLAIN_AMOUNT.fullmatch(value)
            if plain is not None:
                exponent = _exponent()
                whole, places = plain.groups()
                if places is None:
                    return int(whole) * 10**exponent
                if len(places) <= exponent:
                    return int(whole + places) * 10**(exponent - len(places))
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.make_error("invalid")
        exponent = _exponent()
        limit = max_amount_minor(exponent)
        try:
            amount = parse_minor(value, exponent)
        except MoneyFormatError as error:
            raise (_too_large(limit, exponent) if _beyond(value, MAX_AMOUNT_MAJOR + 1) else
                   ValidationError(str(error))) from None
        if amount < 0 and not self.allow_negative:
            raise self.make_error("negative")
        if abs(amount) > limit:
            raise _too_large(limit, exponent)
        return amount


def decimal_text(value: Any) -> str | int | None:
    """Return the decimal text of a JSON string or number (None for anything else).

    A float is read through its shortest round-tripping text (0.455 -> "0.455"), never as the
    binary fraction it stands for; NaN and the infinities are no number.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    return value if isinstance(value, str | int) else None


def _number_or_text(pattern: str, description: str, **number: Any) -> dict[str, Any]:
    # OpenAPI for a value sent as a decimal string or a JSON number (always dumped as a string)
    return {"oneOf": [{"type": "string", "pattern": pattern}, {"type": "number", **number}],
            "description": description}


class Quantity(fields.Field):
    """A quantity with at most three decimals (kg for weighed goods), above zero, bounded.

    It comes as a decimal string (``"0.455"``) or a JSON number (``0.455``). Refusals carry
    the code ``invalid_quantity``, or ``quantity_too_large`` past :data:`MAX_QUANTITY`.
    """

    default_error_messages = {
        "invalid": "Not a valid quantity; send a decimal string such as \"0.455\".",
        "not_positive": "Must be greater than zero.",
        "too_large": f"Must be at most {MAX_QUANTITY}.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for key, value in _number_or_text(
                r"^[0-9]{1,5}(\.[0-9]{1,3})?$",
                f"up to three decimals, above 0 and at most {MAX_QUANTITY}",
                exclusiveMinimum=True, minimum=0, maximum=float(MAX_QUANTITY)).items():
            self.metadata.setdefault(key, value)

    def _serialize(self, value: Decimal | None, attr: str | None, obj: Any, **kw: Any) -> Any:
        return None if value is None else format_quantity(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Decimal:
        text = decimal_text(value)
        if text is None:
            raise _refuse(self.error_messages["invalid"], "invalid_quantity")
        try:
            quantity = parse_quantity(text)
        except MoneyFormatError as error:
            if _beyond(text, MAX_QUANTITY, signed=True):  # 1e308 too: out of the parser's range
                raise _refuse(self.error_messages["too_large"], "quantity_too_large") from None
            raise _refuse(str(error), "invalid_quantity") from None
        if quantity <= 0:
            raise _refuse(self.error_messages["not_positive"], "invalid_quantity")
        if quantity > MAX_QUANTITY:
            raise _refuse(self.error_messages["too_large"], "quantity_too_large")
        return quantity


class Percent(fields.Field):
    """A percent with at most two decimals, as a decimal string or a JSON number, bounded."""

    default_error_messages = {
        "invalid": "Not a valid percent; send a decimal such as \"12.5\" or 12.5.",
        "places": "At most two decimal places.",
        "range": "Must be {relation} {minimum} and at most {maximum}.",
    }

    def __init__(self, *, minimum: int = 0, maximum: int = 100, min_inclusive: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bounds = (Decimal(minimum), Decimal(maximum), min_inclusive)
        for key, value in _number_or_text(
                r"^[0-9]{1,3}(\.[0-9]{1,2})?$",
                f"a percent with up to two decimals, {'from' if min_inclusive else 'above'} "
                f"{minimum} to {maximum}",
                minimum=minimum, maximum=maximum, exclusiveMinimum=not min_inclusive).items():
            self.metadata.setdefault(key, value)

    def _serialize(self, value: Decimal | None, attr: str | None, obj: Any, **kw: Any) -> Any:
        return None if value is None else format(Decimal(value).quantize(_CENT), "f")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Decimal:
        text = decimal_text(value)
        try:
            percent = Decimal(str(text).strip()) if text is not None else None
        except InvalidOperation:
            percent = None
        if percent is None or not percent.is_finite():
            raise self.make_error("invalid")
        low, high, low_inclusive = self.bounds
        if not (low <= percent if low_inclusive else low < percent) or percent > high:
            raise self.make_error("range", relation="at least" if low_inclusive else "above",
                                  minimum=low, maximum=high)
        if percent != percent.quantize(_CENT):  # within bounds first: 1e306 cannot quantize
            raise self.make_error("places")
        return percent.quantize(_CENT)


_CENT = Decimal("0.01")


def _beyond(text: str | int, bound: Decimal | int, *, signed: bool = False) -> bool:
    # Whether decimal text the parser refused is a number past the bound (1e308 is, "x" not).
    try:
        value = Decimal(str(text).strip())
    except ArithmeticError:
        return False
    if value.is_nan():  # NaN has no order: comparing it would raise
        return False
    return (value if signed else value.copy_abs()) > bound


def _too_large(limit: int, exponent: int) -> ValidationError:
    return _refuse(f"Must be at most {format_minor(limit, exponent)}.", "amount_too_large")


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(CodedMessage(message, code))


class StrictSchema(Schema):
    """A schema of client input: unknown fields and NUL characters are refused.

    Unknown fields, so typos never pass silently; a NUL anywhere in a value, because
    PostgreSQL cannot store one in text and no name, code or reason needs it.
    """

    class Meta:
        """Refuse unknown fields."""

        unknown = RAISE

    @pre_load
    def _no_nul(self, data: Any, **_: Any) -> Any:
        if isinstance(data, Mapping):
            bad = sorted(str(key) for key, value in data.items()
                         if "\x00" in str(key) or _has_nul(value))
            if bad:
                raise ValidationError({key: ["Must not contain a NUL character."]
                                       for key in bad})
        return data


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(each) for each in value)
    return False


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
