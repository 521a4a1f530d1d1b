"""Check that FakeScale applies the same acceptance rule as the real drivers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from devices.config import DeviceConfig, open_device
from devices.errors import BelowMinimumWeight, DeviceTimeout, Overload, UnstableWeight
from devices.scales.base import Scale, WeightReading
from devices.scales.fake import FakeScale


@pytest.fixture
def fake_scale() -> FakeScale:
    scale = open_device(DeviceConfig("scale", "fake", min_weight_g=40))
    assert isinstance(scale, FakeScale)
    return scale


class TestFakeScale:
    def test_it_implements_the_scale_interface(self, fake_scale: FakeScale) -> None:
        assert isinstance(fake_scale, Scale)

    def test_placed_load_is_read_stable(self, fake_scale: FakeScale) -> None:
        fake_scale.place("1.234")
        assert fake_scale.read_stable(0.1).net_kg == Decimal("1.234")

    def test_minimum_weight_comes_from_the_config(self, fake_scale: FakeScale) -> None:
        fake_scale.place("0.030")
        with pytest.raises(BelowMinimumWeight):
            fake_scale.read_stable(0.1)

    def test_tare_is_taken_off_the_net(self, fake_scale: FakeScale) -> None:
        fake_scale.place("0.250")
        fake_scale.tare()
        fake_scale.place("1.250")
        reading = fake_scale.read_stable(0.1)
        assert (reading.net_kg, reading.gross_kg) == (Decimal("1.000"), Decimal("1.250"))

    def test_scripted_motion_then_weight_is_waited_for(self, fake_scale: FakeScale) -> None:
        fake_scale.script(WeightReading(Decimal("1.3"), is_stable=False))
        fake_scale.place("1.234")
        assert fake_scale.read_stable(0.1).net_kg == Decimal("1.234")
        assert fake_scale.calls == ["read", "read"]

    def test_scripted_faults_are_raised_in_order(self, fake_scale: FakeScale) -> None:
        fake_scale.script(DeviceTimeout(), WeightReading(None, False, is_overload=True))
        with pytest.raises(DeviceTimeout):
            fake_scale.read()
        with pytest.raises(Overload):
            fake_scale.read_stable(0.1)

    def test_unsettled_load_times_out_as_unstable(self, fake_scale: FakeScale) -> None:
        fake_scale.place("1.234", is_stable=False)
        with pytest.raises(UnstableWeight):
            fake_scale.read_stable(0.05)
