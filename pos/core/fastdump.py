"""Dump plain schemas without marshmallow's per-field machinery, to the same output.

A 20-line receipt takes some 400 field serializations; through marshmallow they cost about a
millisecond, a tenth of a one-shot upload. :class:`FastDumpSchema` compiles its dump fields once
into a plan of (output key, attribute, converter) and dumps through it. Only field kinds whose
marshmallow ``_serialize`` is known are compiled - by exact type, so a subclass that changes the
output is never assumed; a schema with dump hooks or any other field dumps the usual way.
``tests/unit/test_fastdump.py`` checks the output equals marshmallow's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import ensure_text_type

from pos.core.money import format_minor, format_quantity
from pos.core.schemas import Boolean, Money, Quantity, _exponent

# converter(value, currency exponent) -> JSON value; value is never missing here
Converter = Callable[[Any, int], Any]
Plan = Callable[[Any, int], dict[str, Any]]


class FastDumpSchema(Schema):
    """A schema that dumps through a compiled plan when all its fields allow it."""

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        """Serialize ``obj`` exactly as :meth:`marshmallow.Schema.dump` would."""
        plan = self.__dict__.get("_fast_plan", missing)
        if plan is missing:
            plan = self.__dict__["_fast_plan"] = compile_schema(self)
        if plan is None:
            return super().dump(obj, many=many)
        exponent = _exponent()
        if self.many if many is None else many:
            return [plan(each, exponent) for each in obj]
        return plan(obj, exponent)


def compile_schema(schema: Schema) -> Plan | None:
    """Return a dump plan for ``schema``, or None when it needs marshmallow's own dump."""
    if schema.only or schema.exclude or schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP]:
        return None
    steps: list[tuple[str, str, Converter, Any]] = []
    for name, field in schema.dump_fields.items():
        convert = _converter(field)
        if convert is None or "." in (field.attribute or name):
            return None
        key = field.data_key if field.data_key is not None else name
        steps.append((key, field.attribute or name, convert, field.dump_default))

    def plan(obj: Any, exponent: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        is_mapping = isinstance(obj, Mapping)
        for key, attribute, convert, default in steps:
            value = obj.get(attribute, missing) if is_mapping else getattr(obj, attribute, missing)
            if value is missing:
                value = default() if callable(default) else default
                if value is missing:
                    continue
            out[key] = None if value is None else convert(value, exponent)
        return out

    return plan


def _converter(field: fields.Field) -> Converter | None:
    kind = type(field)
    if kind in _SIMPLE:
        return _SIMPLE[kind]
    if kind is fields.Integer and not field.as_string:
        return lambda value, _: int(value)
    if kind is fields.DateTime and field.format in (None, "iso", "iso8601"):
        return lambda value, _: value.isoformat()
    if kind is fields.Dict and field.key_field is None and field.value_field is None:
        return lambda value, _: dict(value)
    if kind is fields.List:
        inner = _converter(field.inner)
        if inner is None:
            return None
        return lambda value, exponent: [
            None if each is None else inner(each, exponent) for each in value]
    if kind is fields.Nested and not field.only and not field.exclude:
        nested = compile_schema(field.schema)
        if nested is None:
            return None
        if field.many:
            return lambda value, exponent: [nested(each, exponent) for each in value]
        return nested
    return None


_SIMPLE: dict[type, Converter] = {
    fields.String: lambda value, _: ensure_text_type(value),
    fields.Raw: lambda value, _: value,
    fields.Boolean: lambda value, _: value,  # marshmallow 4 dumps a Boolean's value as it is
    Boolean: lambda value, _: value,  # the strict one only loads differently
    Money: format_minor,
    Quantity: lambda value, _: format_quantity(value),
}
