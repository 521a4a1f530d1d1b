"""Drive both serial scale protocols against their emulators through the fault matrix."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest

from devices.config import DeviceConfig, open_device
from devices.emulators.mtsics import MtSicsEmulator
from devices.emulators.toledo import Toledo8217Emulator
from devices.errors import (
    BelowMinimumWeight,
    DeviceAbsent,
    DeviceTimeout,
    Disconnected,
    GarbledFrame,
    Overload,
    PortBusy,
    Underload,
    UnstableWeight,
)
from devices.scales.base import Scale
from devices.scales.driver import SerialScaleDriver

Emulator = Toledo8217Emulator | MtSicsEmulator
EMULATORS: dict[str, type[Emulator]] = {
    "toledo8217": Toledo8217Emulator,
    "mtsics": MtSicsEmulator,
}
SHORT = 0.3


@dataclass
class Rig:
    """Hold a running emulator and the driver connected to it."""

    emulator: Emulator
    scale: SerialScaleDriver

    def place(self, kg: str, *, is_in_motion: bool = False) -> None:
        self.emulator.scale.place(kg, is_in_motion=is_in_motion)


def config(protocol: str, url: str, **overrides: object) -> DeviceConfig:
    fields: dict[str, object] = {"timeout_s": 0.15, "write_timeout_s": 0.3, "retries": 1}
    fields.update(overrides)
    return DeviceConfig("scale", protocol, url=url, **fields)  # type: ignore[arg-type]


@pytest.fixture(params=sorted(EMULATORS))
def rig(
    request: pytest.FixtureRequest, start_emulator: Callable[[Emulator], Emulator]
) -> Iterator[Rig]:
    emulator = start_emulator(EMULATORS[request.param]())
    scale = open_device(config(request.param, emulator.url, min_weight_g=40))
    yield Rig(emulator, scale)
    scale.close()


class TestWeighing:
    def test_driver_implements_the_scale_interface(self, rig: Rig) -> None:
        assert isinstance(rig.scale, Scale)

    def test_stable_weight_is_read_exactly(self, rig: Rig) -> None:
        rig.place("1.234")
        reading = rig.scale.read_stable(SHORT)
        assert reading.net_kg == Decimal("1.234") and reading.is_stable

    def test_weight_changed_before_commit_is_what_the_reread_returns(self, rig: Rig) -> None:
        rig.place("1.234")
        assert rig.scale.read_stable(SHORT).net_kg == Decimal("1.234")
        rig.place("0.987")
        assert rig.scale.read_stable(SHORT).net_kg == Decimal("0.987")

    def test_motion_is_read_as_unstable(self, rig: Rig) -> None:
        rig.place("1.234", is_in_motion=True)
        assert rig.scale.read().is_stable is False

    def test_motion_that_settles_in_time_is_accepted(self, rig: Rig) -> None:
        rig.place("1.234", is_in_motion=True)
        settle = threading.Timer(0.1, rig.place, args=("1.250",))
        settle.start()
        try:
            assert rig.scale.read_stable(1.0).net_kg == Decimal("1.250")
        finally:
            settle.cancel()

    def test_motion_that_outlasts_the_timeout_is_rejected(self, rig: Rig) -> None:
        rig.place("1.234", is_in_motion=True)
        with pytest.raises(UnstableWeight) as info:
            rig.scale.read_stable(0.2)
        assert info.value.code == "unstable_weight"

    def test_load_above_capacity_is_an_overload(self, rig: Rig) -> None:
        rig.place("15.5")
        with pytest.raises(Overload):
            rig.scale.read_stable(SHORT)

    def test_lifted_platter_is_an_underload(self, rig: Rig) -> None:
        rig.place("-0.300")
        with pytest.raises(Underload):
            rig.scale.read_stable(SHORT)

    def test_weight_below_the_minimum_is_rejected(self, rig: Rig) -> None:
        rig.place("0.030")
        with pytest.raises(BelowMinimumWeight):
            rig.scale.read_stable(SHORT)


class TestZeroAndTare:
    def test_tare_takes_the_container_off_the_net(self, rig: Rig) -> None:
        rig.place("0.250")
        rig.scale.tare()
        rig.place("1.484")
        assert rig.scale.read_stable(SHORT).net_kg == Decimal("1.234")

    def test_clearing_the_tare_restores_the_gross(self, rig: Rig) -> None:
        rig.place("0.250")
        rig.scale.tare()
        rig.scale.clear_tare()
        assert rig.scale.read_stable(SHORT).net_kg == Decimal("0.250")

    def test_zero_takes_the_current_load_as_zero(self, rig: Rig) -> None:
        rig.place("0.010")
        rig.scale.zero()
        rig.place("0.510")
        assert rig.scale.read_stable(SHORT).net_kg == Decimal("0.500")


class TestLinkFaults:
    def test_silent_scale_times_out_after_bounded_retries(self, rig: Rig) -> None:
        rig.emulator.no_answer = True
        with pytest.raises(DeviceTimeout):
            rig.scale.read()
        rig.emulator.no_answer = False
        rig.place("1.000")
        assert rig.scale.read().net_kg == Decimal("1.000")  # the link recovers by itself

    def test_one_garbled_reply_is_asked_again(self, rig: Rig) -> None:
        rig.place("1.234")
        rig.emulator.garble_replies = 1
        assert rig.scale.read().net_kg == Decimal("1.234")
        assert rig.emulator.commands.count(rig.emulator.commands[-1]) == 2

    def test_garbled_replies_beyond_the_retries_are_reported(self, rig: Rig) -> None:
        rig.emulator.garble_replies = 5
        with pytest.raises(GarbledFrame):
            rig.scale.read()

    def test_pulled_cable_is_reported_disconnected(self, rig: Rig) -> None:
        rig.place("1.000")
        rig.scale.read()
        rig.emulator.disconnect()
        with pytest.raises(Disconnected):
            rig.scale.read()

    def test_port_held_by_another_process_is_reported_busy(self, rig: Rig) -> None:
        rig.scale.close()
        with rig.emulator.occupied(), pytest.raises(PortBusy) as info:
            rig.scale.read()
        assert info.value.code == "port_busy"

    @pytest.mark.parametrize("protocol", sorted(EMULATORS))
    def test_missing_port_is_reported_absent(self, protocol: str) -> None:
        scale = open_device(config(protocol, "/dev/ttyNOSCALE0"))
        with pytest.raises(DeviceAbsent):
            scale.read()

    @pytest.mark.parametrize("protocol", sorted(EMULATORS))
    def test_scale_answers_over_a_socket_url(
        self, protocol: str, start_emulator: Callable[[Emulator], Emulator]
    ) -> None:
        emulator = start_emulator(EMULATORS[protocol](tcp=True))
        emulator.scale.place("2.500")
        scale = open_device(config(protocol, emulator.url))
        try:
            assert scale.read_stable(SHORT).net_kg == Decimal("2.500")
        finally:
            scale.close()
