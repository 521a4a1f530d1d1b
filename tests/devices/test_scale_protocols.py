"""Check what is particular to each scale protocol against its emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

from devices.config import DeviceConfig, open_device
from devices.emulators.mtsics import SERIAL_NUMBER, MtSicsEmulator
from devices.emulators.toledo import Toledo8217Emulator
from devices.errors import NegativeWeight, Underload, UnstableWeight
from devices.scales.mtsics import MtSicsScale
from devices.scales.toledo8217 import Toledo8217Scale


def config(protocol: str, url: str, **options: object) -> DeviceConfig:
    return DeviceConfig(
        "scale", protocol, url=url, timeout_s=0.3, retries=1, options=dict(options)
    )


@pytest.fixture
def sics(start_emulator: Callable[[MtSicsEmulator], MtSicsEmulator]) -> MtSicsEmulator:
    return start_emulator(MtSicsEmulator())


@pytest.fixture
def sics_scale(sics: MtSicsEmulator) -> Iterator[MtSicsScale]:
    scale = open_device(config("mtsics", sics.url))
    yield scale
    scale.close()


@pytest.fixture
def toledo(
    start_emulator: Callable[[Toledo8217Emulator], Toledo8217Emulator],
) -> Toledo8217Emulator:
    return start_emulator(Toledo8217Emulator())


class TestMtSics:
    def test_net_below_zero_after_tare_is_negative_not_underload(
        self, sics: MtSicsEmulator, sics_scale: MtSicsScale
    ) -> None:
        sics.scale.place("0.500")
        sics_scale.tare()
        sics.scale.place("0.200")
        with pytest.raises(NegativeWeight):
            sics_scale.read_stable(0.3)

    def test_zero_in_motion_is_refused(
        self, sics: MtSicsEmulator, sics_scale: MtSicsScale
    ) -> None:
        sics.scale.place("0.010", is_in_motion=True)
        with pytest.raises(UnstableWeight):
            sics_scale.zero()
        assert sics.commands == ["Z"]

    def test_tare_is_read_back_in_kilograms(
        self, sics: MtSicsEmulator, sics_scale: MtSicsScale
    ) -> None:
        sics.unit = "g"
        sics.scale.place("0.250")
        sics_scale.tare()
        assert sics_scale.read_tare() == Decimal("0.250")

    def test_a_late_reply_to_an_earlier_command_is_not_taken_for_the_answer(
        self, sics: MtSicsEmulator, sics_scale: MtSicsScale
    ) -> None:
        sics.scale.place("0.250")
        sics_scale.tare()
        sics.late_reply = b"T S      0.100 kg\r\n"  # a retried tare answered twice
        assert sics_scale.read_tare() == Decimal("0.250")
        assert sics.commands[-1] == "TA"

    def test_grams_are_converted_to_kilograms(
        self, sics: MtSicsEmulator, sics_scale: MtSicsScale
    ) -> None:
        sics.unit = "g"
        sics.scale.place("1.234")
        reading = sics_scale.read()
        assert (reading.net_kg, reading.unit) == (Decimal("1.234"), "g")

    def test_reset_clears_the_tare_and_identifies_the_instrument(
        self, sics: MtSicsEmulator, sics_scale: MtSicsScale
    ) -> None:
        sics.scale.place("0.250")
        sics_scale.tare()
        sics_scale.reset()
        assert sics_scale.read_tare() == 0
        assert sics_scale.serial_number() == SERIAL_NUMBER


class TestToledo8217:
    def test_net_below_zero_is_reported_as_under_zero(self, toledo: Toledo8217Emulator) -> None:
        scale = open_device(config("toledo8217", toledo.url))
        toledo.scale.place("0.500")
        scale.tare()
        toledo.scale.place("0.200")
        with pytest.raises(Underload):  # 8217 status bit 2 covers both cases
            scale.read_stable(0.3)
        scale.close()

    def test_weight_in_pounds_is_converted_when_configured(
        self, toledo: Toledo8217Emulator
    ) -> None:
        scale = open_device(config("toledo8217", toledo.url, unit="lb"))
        toledo.scale.place("2.000")
        assert scale.read().net_kg == Decimal("0.907184740")
        scale.close()

    def test_line_is_opened_seven_bits_even_parity(self, toledo: Toledo8217Emulator) -> None:
        scale = Toledo8217Scale.from_config(config("toledo8217", toledo.url))
        assert (scale.transport.bytesize, scale.transport.parity) == (7, "E")

    def test_tare_is_followed_by_a_weigh_so_it_is_known_processed(
        self, toledo: Toledo8217Emulator
    ) -> None:
        scale = open_device(config("toledo8217", toledo.url))
        scale.tare()
        assert toledo.commands == ["T", "W"]
        scale.close()
