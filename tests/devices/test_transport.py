"""Check SerialTransport against an echoing emulator on a pty and over TCP."""

from __future__ import annotations

import time

import pytest

from devices.emulators.base import PtyEmulator
from devices.errors import DeviceAbsent, DeviceTimeout, Disconnected, PortBusy
from devices.transport import SerialTransport, bits_per_char
from tests.devices.conftest import running


class Echo(PtyEmulator):
    """Answer every chunk with itself."""

    kind = "echo"

    def handle(self, data: bytes) -> bytes:
        return data


def transport(url: str, timeout_s: float = 0.3) -> SerialTransport:
    return SerialTransport(url, timeout_s=timeout_s, write_timeout_s=0.3)


class TestOpening:
    def test_missing_port_is_reported_absent(self) -> None:
        with pytest.raises(DeviceAbsent) as info:
            transport("/dev/does-not-exist-0").open()
        assert info.value.code == "device_absent"

    def test_refused_tcp_port_is_reported_absent(self) -> None:
        with pytest.raises(DeviceAbsent):
            transport("socket://127.0.0.1:1").open()

    def test_port_held_exclusively_elsewhere_is_reported_busy(self) -> None:
        with running(Echo()) as emu, emu.occupied(), pytest.raises(PortBusy) as info:
            transport(emu.url).open()
        assert info.value.code == "port_busy"

    def test_closing_twice_is_harmless(self) -> None:
        with running(Echo()) as emu:
            link = transport(emu.url)
            link.open()
            link.close()
            link.close()
            assert not link.is_open


class TestExchange:
    @pytest.mark.parametrize("tcp", [False, True], ids=["pty", "tcp"])
    def test_written_bytes_come_back_and_are_counted(self, tcp: bool) -> None:
        with running(Echo(tcp=tcp)) as emu, transport(emu.url) as link:
            link.write(b"\x05hello")
            assert link.read_exact(6) == b"\x05hello"
            assert (link.bytes_written, link.bytes_read) == (6, 6)

    def test_read_until_stops_at_the_terminator(self) -> None:
        with running(Echo()) as emu, transport(emu.url) as link:
            link.write(b"S S 1.234 kg\r\n")
            assert link.read_until(b"\r\n") == b"S S 1.234 kg\r\n"

    def test_read_available_returns_waiting_bytes_without_blocking(self) -> None:
        with running(Echo()) as emu, transport(emu.url) as link:
            assert link.read_available() == b""
            link.write(b"abc")
            time.sleep(0.1)
            assert link.read_available() == b"abc"

    def test_silent_device_times_out_instead_of_returning_short_data(self) -> None:
        emu = Echo()
        emu.no_answer = True
        with running(emu), transport(emu.url, timeout_s=0.1) as link:
            link.write(b"\x05")
            with pytest.raises(DeviceTimeout):
                link.read_exact(1)

    def test_unterminated_line_times_out(self) -> None:
        with running(Echo()) as emu, transport(emu.url, timeout_s=0.1) as link:
            link.write(b"no end")
            with pytest.raises(DeviceTimeout):
                link.read_until(b"\r\n")


class TestDisconnection:
    def test_pulled_cable_raises_disconnected_and_closes_the_port(self) -> None:
        with running(Echo()) as emu, transport(emu.url) as link:
            emu.disconnect()
            with pytest.raises(Disconnected) as info:
                link.write(b"\x05")
                link.read_exact(1)
            assert info.value.code == "disconnected"
            assert not link.is_open

    def test_replugged_device_answers_after_reopening(self) -> None:
        with running(Echo()) as emu, transport(emu.url) as link:
            emu.disconnect()
            with pytest.raises(DeviceAbsent):
                transport(emu.url).open()
            emu.reconnect()
            link.close()
            link.open()
            link.write(b"\x05")
            assert link.read_exact(1) == b"\x05"

    def test_a_replug_has_happened_when_reconnect_returns(self) -> None:
        # The serving thread takes a request before it carries it out; a busy machine can
        # stretch that gap, so a slow re-plug makes it wide enough to be seen every time.
        class SlowReplug(Echo):
            def _open_link(self) -> None:
                if self._link is None and self._asked:
                    time.sleep(0.3)
                super()._open_link()

        with running(SlowReplug()) as emu, transport(emu.url) as link:
            emu.disconnect()
            emu.reconnect()
            link.close()
            link.open()
            link.write(b"\x05")
            assert link.read_exact(1) == b"\x05"


class TestWireTime:
    def test_bits_per_char_counts_start_parity_and_stop_bits(self) -> None:
        assert bits_per_char(8, "N", 1) == 10
        assert bits_per_char(7, "E", 1) == 10
        assert bits_per_char(8, "E", 1) == 11

    def test_emulator_honours_wire_time_at_the_configured_baud(self) -> None:
        with running(Echo(baudrate=9600)) as emu, transport(emu.url, timeout_s=1) as link:
            started = time.perf_counter()
            link.write(bytes(96))
            link.read_exact(96)
            elapsed = time.perf_counter() - started
        assert elapsed >= 2 * 96 * 10 / 9600
