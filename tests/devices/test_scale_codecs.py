"""Check the Toledo 8217 and MT-SICS codecs on captured reply bytes, table-driven."""

from __future__ import annotations

from decimal import Decimal

import pytest

from devices.errors import (
    CommandRejected,
    DeviceError,
    GarbledFrame,
    Overload,
    Underload,
    UnstableWeight,
    UnsupportedCommand,
)
from devices.scales import mtsics_codec as sics
from devices.scales import toledo8217_codec as toledo


class TestToledo8217:
    @pytest.mark.parametrize(
        ("frame", "net_kg"),
        [
            (b"\x0201.234\r", "1.234"),  # the form Odoo's driver parses
            (b"\x02  1.500\r", "1.500"),
            (b"\x0201.234N\r", "1.234"),
            (b"\x0200.000\r", "0.000"),
        ],
    )
    def test_weight_frames_decode_to_stable_kilograms(self, frame: bytes, net_kg: str) -> None:
        reading = toledo.decode(frame)
        assert reading.net_kg == Decimal(net_kg) and reading.is_stable

    def test_weight_in_pounds_is_converted(self) -> None:
        assert toledo.decode(b"\x0202.000\r", unit="lb").net_kg == Decimal("0.90718474")

    @pytest.mark.parametrize(
        ("status", "stable", "over", "under"),
        [
            (0x01, False, False, False),  # bit 0 in motion
            (0x02, True, True, False),  # bit 1 over capacity
            (0x04, True, False, True),  # bit 2 under zero
            (0x81, False, False, False),  # top bit is parity, ignored
            (0x0D, False, False, True),  # a status byte equal to CR still parses
            (0x00, True, False, False),  # "no new weight" quirk: still no weight to sell
        ],
    )
    def test_status_replies_carry_no_weight_and_their_flags(
        self, status: int, stable: bool, over: bool, under: bool
    ) -> None:
        reading = toledo.decode(bytes([0x02, ord("?"), status, 0x0D]))
        assert reading.net_kg is None
        assert (reading.is_stable, reading.is_overload, reading.is_underload) == (
            stable, over, under,
        )

    def test_bad_command_status_is_rejected(self) -> None:
        with pytest.raises(CommandRejected):
            toledo.decode(b"\x02?\x40\r")

    @pytest.mark.parametrize("frame", [b"01.234\r", b"\x0201.234", b"\x02ab.cd\r", b"\x02\r"])
    def test_malformed_frames_are_garbled(self, frame: bytes) -> None:
        with pytest.raises(GarbledFrame):
            toledo.decode(frame)

    def test_emulator_frames_decode_back(self) -> None:
        assert toledo.encode_weight(Decimal("1.234")) == b"\x0201.234\r"
        assert toledo.decode(toledo.encode_status({"in_motion"})).is_stable is False


class TestMtSics:
    @pytest.mark.parametrize(
        ("line", "net_kg", "stable"),
        [
            (b"S S     100.00 g\r\n", "0.1", True),
            (b"S S      1.234 kg\r\n", "1.234", True),
            (b"S D      0.766 kg\r\n", "0.766", False),
            (b"S S     -0.020 kg\r\n", "-0.020", True),
        ],
    )
    def test_weight_replies_decode(self, line: bytes, net_kg: str, stable: bool) -> None:
        reading = sics.to_reading(sics.parse(line))
        assert reading.net_kg == Decimal(net_kg) and reading.is_stable is stable

    @pytest.mark.parametrize(
        ("line", "over", "under"),
        [(b"S I\r\n", False, False), (b"S +\r\n", True, False), (b"S -\r\n", False, True)],
    )
    def test_weightless_replies_are_flagged(self, line: bytes, over: bool, under: bool) -> None:
        reading = sics.to_reading(sics.parse(line))
        assert reading.net_kg is None and not reading.is_stable
        assert (reading.is_overload, reading.is_underload) == (over, under)

    @pytest.mark.parametrize(
        ("line", "error"),
        [
            (b"ES\r\n", UnsupportedCommand),
            (b"ET\r\n", GarbledFrame),
            (b"EL\r\n", CommandRejected),
            (b"\xfe S 1 kg\r\n", GarbledFrame),
            (b"S S 1 kg", GarbledFrame),
            (b"\r\n", GarbledFrame),
        ],
    )
    def test_error_and_broken_lines_raise(self, line: bytes, error: type[DeviceError]) -> None:
        with pytest.raises(error):
            sics.parse(line)

    @pytest.mark.parametrize(
        ("line", "command", "ok", "error"),
        [
            (b"Z I\r\n", "Z", "A", UnstableWeight),
            (b"Z +\r\n", "Z", "A", Overload),
            (b"T -\r\n", "T", "S", Underload),
            (b"TA L\r\n", "TA", "A", CommandRejected),
            (b"T S 1 kg\r\n", "Z", "A", GarbledFrame),
        ],
    )
    def test_command_statuses_map_to_errors(
        self, line: bytes, command: str, ok: str, error: type[DeviceError]
    ) -> None:
        with pytest.raises(error):
            sics.expect(sics.parse(line), command, ok)

    def test_tare_reply_carries_the_tare(self) -> None:
        reply = sics.expect(sics.parse(b"T S      0.250 kg\r\n"), "T", ok="S")
        assert sics.tare_of(reply) == Decimal("0.250")

    @pytest.mark.parametrize(
        ("args", "wire"), [(("S",), b"S\r\n"), (("TA", "0.5", "kg"), b"TA 0.5 kg\r\n")]
    )
    def test_commands_end_with_cr_lf(self, args: tuple[str, ...], wire: bytes) -> None:
        assert sics.encode(*args) == wire
