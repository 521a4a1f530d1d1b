"""Check the acceptance rule every scale driver applies, and the stable-read loop."""

from __future__ import annotations

from decimal import Decimal

import pytest

from devices.errors import (
    BelowMinimumWeight,
    DeviceError,
    NegativeWeight,
    Overload,
    Underload,
    UnstableWeight,
)
from devices.scales.base import WeightReading, accept, poll_stable, to_kg

MIN_KG = Decimal("0.040")  # 20 e at e = 2 g (OIML R76 class III)


def stable(kg: str) -> WeightReading:
    return WeightReading(Decimal(kg), is_stable=True)


class TestAcceptance:
    def test_stable_weight_above_minimum_is_accepted_exactly(self) -> None:
        assert accept(stable("1.234"), MIN_KG) == Decimal("1.234")

    def test_weight_equal_to_the_minimum_is_accepted(self) -> None:
        assert accept(stable("0.040"), MIN_KG) == MIN_KG

    @pytest.mark.parametrize(
        ("reading", "error"),
        [
            (WeightReading(Decimal("1.2"), is_stable=False), UnstableWeight),
            (WeightReading(None, is_stable=True), UnstableWeight),
            (WeightReading(None, is_stable=False, is_overload=True), Overload),
            (WeightReading(None, is_stable=False, is_underload=True), Underload),
            (WeightReading(Decimal("-0.100"), is_stable=True), NegativeWeight),
            (WeightReading(Decimal("0.038"), is_stable=True), BelowMinimumWeight),
        ],
        ids=["motion", "no-weight", "overload", "underload", "negative", "below-min"],
    )
    def test_reading_that_may_not_be_sold_raises_its_error(
        self, reading: WeightReading, error: type[DeviceError]
    ) -> None:
        with pytest.raises(error) as info:
            accept(reading, MIN_KG)
        assert info.value.code == error.code

    def test_gross_is_net_plus_tare(self) -> None:
        reading = WeightReading(Decimal("1.000"), is_stable=True, tare_kg=Decimal("0.250"))
        assert reading.gross_kg == Decimal("1.250")


class TestUnits:
    @pytest.mark.parametrize(
        ("value", "unit", "kg"),
        [
            ("1234", "g", "1.234"),
            ("1.5", "kg", "1.5"),
            ("1", "lb", "0.45359237"),
            ("12.5", "g", "0.0125"),
        ],
    )
    def test_units_convert_to_exact_kilograms(self, value: str, unit: str, kg: str) -> None:
        assert to_kg(Decimal(value), unit) == Decimal(kg)

    def test_unknown_unit_is_refused(self) -> None:
        with pytest.raises(ValueError):
            to_kg(Decimal(1), "stone")


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class TestStableRead:
    def test_waits_through_motion_until_the_weight_settles(self) -> None:
        readings = iter([WeightReading(Decimal("1.3"), False), stable("1.234")])
        clock = FakeClock()
        assert poll_stable(lambda: next(readings), 1.0, clock=clock, sleep=clock.sleep).net_kg == (
            Decimal("1.234")
        )

    def test_gives_up_when_motion_outlasts_the_timeout(self) -> None:
        clock = FakeClock()
        with pytest.raises(UnstableWeight):
            poll_stable(
                lambda: WeightReading(Decimal("1.3"), False), 0.5, clock=clock, sleep=clock.sleep
            )
        assert 0.5 <= clock.now <= 0.6

    def test_overload_fails_at_once_without_waiting(self) -> None:
        clock = FakeClock()
        with pytest.raises(Overload):
            poll_stable(
                lambda: WeightReading(None, False, is_overload=True), 5, clock=clock,
                sleep=clock.sleep,
            )
        assert clock.now == 0
