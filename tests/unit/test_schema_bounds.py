"""Every integer a schema reads or writes is bounded, so no client number reaches the driver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from marshmallow import Schema, ValidationError, fields, validate

import pos.app  # noqa: F401 - imports every feature, so every schema class exists
from pos.core.schemas import MAX_ID, Id, Int


def _schemas(base: type[Schema] = Schema) -> Iterator[type[Schema]]:
    for cls in base.__subclasses__():
        if cls.__module__.startswith("pos."):
            yield cls
        yield from _schemas(cls)


def _integers(field: fields.Field, name: str) -> Iterator[tuple[str, fields.Integer]]:
    if isinstance(field, fields.Integer):
        yield name, field
    elif isinstance(field, fields.List):
        yield from _integers(field.inner, f"{name}[]")


def _bounds(field: fields.Integer) -> tuple[int | None, int | None]:
    ranges = [v for v in field.validators if isinstance(v, validate.Range)]
    lows = [r.min for r in ranges if r.min is not None]
    highs = [r.max for r in ranges if r.max is not None]
    return (max(lows) if lows else None, min(highs) if highs else None)


def test_the_walk_finds_the_schemas_of_every_feature():
    modules = {cls.__module__.split(".")[1] for cls in _schemas()}
    assert {"auth", "catalog", "discounts", "receipts", "shifts", "stores"} <= modules


@pytest.mark.parametrize("schema", sorted(_schemas(), key=lambda c: c.__qualname__),
                         ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_integer_field_has_both_bounds_within_64_bits(schema):
    for name, field in schema._declared_fields.items():
        for where, integer in _integers(field, name):
            low, high = _bounds(integer)
            assert low is not None and high is not None, f"{where} is unbounded"
            assert -MAX_ID <= low <= high <= MAX_ID, f"{where}: {low}..{high}"


def test_an_id_is_one_to_the_largest_64_bit_integer():
    field = Id()
    assert field.deserialize(MAX_ID) == MAX_ID
    for outside in (0, MAX_ID + 1, 10**40):
        with pytest.raises(ValidationError, match="greater than or equal|less than or equal"):
            field.deserialize(outside)


def test_int_adds_its_bounds_to_other_validators():
    field = Int(1, 10, validate=validate.OneOf([2, 4]))
    assert field.deserialize(4) == 4
    with pytest.raises(ValidationError, match="less than or equal"):
        field.deserialize(12)
