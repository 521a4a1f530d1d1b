"""The answers' JSON writer reads back as Flask's own provider writes, whatever the value."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from hypothesis import given
from hypothesis import strategies as st

from pos.core.json_provider import FastJSONProvider

APP = Flask(__name__)
FAST, STANDARD = FastJSONProvider(APP), DefaultJSONProvider(APP)
STANDARD.sort_keys = False  # as the service had it

_SCALARS = (st.none() | st.booleans() | st.integers() | st.text()
            | st.floats(allow_nan=False, allow_infinity=False))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


@given(_VALUES)
def test_any_json_value_reads_back_as_the_standard_writer_writes_it(value: object) -> None:
    assert json.loads(FAST.dumps(value)) == json.loads(STANDARD.dumps(value))


@dataclass
class _Point:
    at: date
    amount: Decimal


def test_what_orjson_leaves_to_flask_is_written_as_flask_writes_it() -> None:
    value = {"day": date(2026, 12, 2), "at": datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
             "amount": Decimal("12.30"), "id": uuid.UUID(int=7),
             "point": _Point(date(2026, 1, 1), Decimal("0.01")), 3: "an int key"}
    written = FAST.dumps(value)
    assert json.loads(written) == json.loads(STANDARD.dumps(value))
    assert '"day":"Wed, 02 Dec 2026 00:00:00 GMT"' in written  # Flask's HTTP date, not ISO


@pytest.mark.parametrize("number", [2**64, -(2**63) - 1, 10**30])
def test_an_integer_past_64_bits_is_written_exactly(number: int) -> None:
    assert json.loads(FAST.dumps({"n": [number]})) == {"n": [number]}


def test_text_goes_out_as_utf8_and_compact() -> None:
    assert FAST.dumps({"name": "Молоко", "n": [1, 2]}) == '{"name":"Молоко","n":[1,2]}'


def test_options_of_its_own_are_the_standard_writers() -> None:
    assert FAST.dumps({"b": 1, "a": [1]}, indent=2) == STANDARD.dumps({"b": 1, "a": [1]},
                                                                       indent=2)


def test_what_no_writer_can_write_is_refused_as_before() -> None:
    with pytest.raises(TypeError):
        FAST.dumps({"x": object()})


def test_the_service_answers_through_it(app) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(app.json, FastJSONProvider)
    response = app.test_client().get("/health")
    assert response.status_code == 200 and b'":"' in response.data
    assert b'": "' not in response.data
