"""The compiled dump gives marshmallow's output, and steps aside where it cannot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from marshmallow import Schema, fields, post_dump

from pos.core.fastdump import FastDumpSchema, compile_schema
from pos.core.schemas import Money, Quantity


class Inner(Schema):
    code = fields.String()
    count = fields.Integer(allow_none=True)
    flag = fields.Boolean()


class Outer(FastDumpSchema):
    id = fields.Integer()
    name = fields.String(allow_none=True)
    total = Money(attribute="total_minor")
    weight = Quantity()
    at = fields.DateTime(allow_none=True)
    tags = fields.List(fields.String())
    extra = fields.Dict()
    rows = fields.List(fields.Dict())
    inner = fields.Nested(Inner, allow_none=True)
    inners = fields.List(fields.Nested(Inner))
    many_inner = fields.Nested(Inner, many=True)
    renamed = fields.String(data_key="other_name")
    raw = fields.Raw()
    secret = fields.String(load_only=True)


@dataclass
class InnerObj:
    code: str
    count: int | None
    flag: Any


@dataclass
class OuterObj:
    id: int
    name: str | None
    total_minor: int
    weight: Decimal
    at: datetime | None
    tags: list[str]
    extra: dict[str, Any]
    rows: list[dict[str, Any]]
    inner: InnerObj | None
    inners: list[InnerObj]
    many_inner: list[InnerObj]
    renamed: str
    raw: Any
    secret: str


def marshmallow_dump(schema: Schema, obj: Any, many: bool | None = None) -> Any:
    """Dump through marshmallow itself, bypassing the compiled plan."""
    return Schema.dump(schema, obj, many=many)


inners = st.builds(InnerObj, code=st.text(max_size=5), count=st.none() | st.integers(),
                   flag=st.sampled_from([True, False, 1, 0, "yes", "off", None, [1]]))
moments = st.none() | st.datetimes(timezones=st.sampled_from(
    [UTC, timezone(timedelta(hours=3))]))
objects = st.builds(
    OuterObj, id=st.integers(), name=st.none() | st.text(max_size=8),
    total_minor=st.integers(-10**12, 10**12),
    weight=st.decimals(min_value=Decimal("0.001"), max_value=Decimal(99999), places=3),
    at=moments, tags=st.lists(st.text(max_size=3), max_size=3),
    extra=st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    rows=st.lists(st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
                  max_size=3),
    inner=st.none() | inners, inners=st.lists(inners, max_size=3),
    many_inner=st.lists(inners, max_size=3), renamed=st.text(max_size=4),
    raw=st.none() | st.integers() | st.text(max_size=3), secret=st.text(max_size=3))


@given(objects)
def test_objects_dump_as_marshmallow_dumps_them(obj):
    schema = Outer()
    assert schema.dump(obj) == marshmallow_dump(schema, obj)


@given(st.lists(objects, max_size=3))
def test_many_dumps_as_marshmallow_dumps_it(objs):
    schema = Outer(many=True)
    assert schema.dump(objs) == marshmallow_dump(schema, objs)


def test_dicts_skip_missing_keys_as_marshmallow_does():
    schema = Outer()
    obj = {"id": 3, "total_minor": 1230, "inner": {"code": "A"}, "secret": "s"}
    dumped = schema.dump(obj)
    assert dumped == marshmallow_dump(schema, obj)
    assert dumped == {"id": 3, "total": "12.30", "inner": {"code": "A"}}


def test_dump_default_fills_a_missing_value():
    class WithDefault(FastDumpSchema):
        a = fields.Integer(dump_default=7)
        b = fields.String(dump_default=lambda: "made")

    assert WithDefault().dump({}) == marshmallow_dump(WithDefault(), {}) == {
        "a": 7, "b": "made"}


def test_unknown_field_kinds_and_hooks_fall_back_to_marshmallow():
    class WithFloat(FastDumpSchema):
        x = fields.Float()

    class WithHook(FastDumpSchema):
        x = fields.Integer()

        @post_dump
        def _double(self, data, **_):
            return {"x": data["x"] * 2}

    class Custom(fields.String):
        def _serialize(self, value, attr, obj, **kw):
            return "custom"

    class WithSubclass(FastDumpSchema):
        x = Custom()

    assert compile_schema(WithFloat()) is None
    assert compile_schema(WithHook()) is None
    assert compile_schema(WithSubclass()) is None
    assert compile_schema(Outer(only=("id",))) is None
    assert WithHook().dump({"x": 2}) == {"x": 4}
    assert WithSubclass().dump({"x": "a"}) == {"x": "custom"}
    assert WithFloat().dump({"x": 1}) == {"x": 1.0}
