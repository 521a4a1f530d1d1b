"""The till's reprint and scale through the device service, driving emulated devices."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from tests.hardware.conftest import (  # noqa: F401  (fixtures)
    attached,
    device_service,
    printer_emulator,
    registrar_emulator,
    scale_emulator,
    short_weigh_wait,
    wait_until,
)
from tests.helpers import OAT_MILK_EAN
from tests.screens.conftest import TillScreen, problem_code

# Printing and reading the scale write no rows: one database is enough.
pytestmark = pytest.mark.one_database


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_the_last_receipt_is_printed_again_as_a_copy(
        selling: TillScreen, attached: dict[str, Any], device_service: Any  # noqa: F811
) -> None:
    selling.scan(OAT_MILK_EAN)
    selling.post("/till/pay", {"type": "cash", "amount": "200"})
    selling.post("/till/close")
    response = selling.post("/till/reprint", {"number": ""})
    assert response.status_code == 200, text_of(response)
    assert "A copy of sale No. 1 went to the printer" in text_of(response)
    printer = attached["printer"]
    text = wait_until(lambda: "Oat milk 1 l" in printer.text and printer.text)
    assert "COPY - NOT A FISCAL RECEIPT" in text and "SALE 1" in text


def test_a_stable_weight_from_the_scale_makes_the_line(
        selling: TillScreen, attached: dict[str, Any], device_service: Any  # noqa: F811
) -> None:
    attached["scale"].scale.place(Decimal("0.455"))
    html = text_of(selling.post("/till/weigh", {"code": "BANANA-KG"}))
    assert "weight from scale" in html and "0.455" in html and "59.10" in html


def test_a_moving_load_is_refused_and_nothing_is_added(
        selling: TillScreen, attached: dict[str, Any], device_service: Any  # noqa: F811
) -> None:
    attached["scale"].scale.place(Decimal("0.455"), is_in_motion=True)
    response = selling.post("/till/weigh", {"code": "BANANA-KG"})
    assert response.status_code == 409 and problem_code(response) == "weight_unstable"
    assert 'data-sku="BANANA-KG"' not in text_of(selling.page())
