"""The till's scale: a stable reading or a clear problem; a scale line re-reads it at add-line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.hardware.conftest import attach
from tests.helpers import problem


def _weight(till):
    return till.api.get(f"/api/v1/tills/{till.till_id}/scale/weight")


@pytest.mark.one_database  # the scale's answer through the service; no row is written
class TestReading:
    def test_a_stable_load_is_read_in_exact_kilograms(self, till, device_service, attached):
        attached["scale"].scale.place(Decimal("1.234"))
        assert till.ok(_weight(till))["net_kg"] == "1.234"

    @pytest.mark.parametrize(("load", "moving", "code", "status"), [
        ("1.000", True, "weight_unstable", 409),
        ("16.000", False, "scale_overload", 409),
        ("-0.500", False, "scale_underload", 409),
        ("0.020", False, "below_minimum_weight", 409),
    ])
    def test_a_reading_that_cannot_be_sold_is_a_clear_problem(
            self, till, device_service, attached, load, moving, code, status):
        attached["scale"].scale.place(Decimal(load), is_in_motion=moving)
        assert problem(_weight(till), status)["code"] == code

    def test_an_unplugged_scale_is_absent(self, till, device_service, attached):
        attached["scale"].disconnect()
        assert problem(_weight(till), 503)["code"] == "scale_absent"

    def test_a_till_without_a_scale_has_none(self, till, shop, device_service):
        other = till.api.get(f"/api/v1/tills/{shop.other_till_id}/scale/weight")
        assert problem(other, 503)["code"] == "scale_absent"


class TestAWeighedLine:
    def test_the_scale_is_read_again_when_the_line_is_added(self, till, device_service,
                                                            attached):
        scale = attached["scale"].scale
        till.open_shift("100.00")
        till.open_receipt()
        scale.place(Decimal("0.500"))
        assert till.ok(_weight(till))["net_kg"] == "0.500"
        scale.place(Decimal("0.750"))  # more bananas before the cashier pressed "add"
        line = till.sell("BANANA-KG", quantity="0.500", weight_source="scale")["lines"][0]
        assert (line["quantity"], line["weight_source"]) == ("0.750", "scale")
        assert line["base_amount"] == "97.43"  # 0.750 x 129.90, half up

    def test_a_moving_load_refuses_the_line(self, till, device_service, attached):
        till.open_shift("100.00")
        till.open_receipt()
        attached["scale"].scale.place(Decimal("0.750"), is_in_motion=True)
        response = till.sell_response("BANANA-KG", quantity="0.750", weight_source="scale")
        assert problem(response, 409)["code"] == "weight_unstable"
        assert till.ok(till.api.get(f"/api/v1/receipts/{till.receipt['id']}"))["lines"] == []

    def test_a_till_with_no_scale_of_ours_keeps_the_weight_it_sent(self, api, shop, till):
        attach(api, shop.other_till_id, "scale", "fake", "unused")  # another till's scale
        till.open_shift("100.00")
        till.open_receipt()
        line = till.sell("BANANA-KG", quantity="0.400", weight_source="scale")["lines"][0]
        assert line["quantity"] == "0.400"
