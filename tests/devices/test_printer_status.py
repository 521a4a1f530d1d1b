"""Check DLE EOT status encoding and decoding against the Epson byte values."""

from __future__ import annotations

import pytest

from devices.errors import CoverOpen, GarbledFrame, PaperOut, PrinterStall
from devices.printers.base import PaperState, PrinterStatus, raise_for_status
from devices.printers.escpos_status import (
    STATUS_BITS,
    StatusQuery,
    decode,
    encode,
    query,
    to_status,
)


class TestQueries:
    @pytest.mark.parametrize(
        ("kind", "wire"),
        [
            (StatusQuery.PRINTER, b"\x10\x04\x01"),
            (StatusQuery.OFFLINE_CAUSE, b"\x10\x04\x02"),
            (StatusQuery.ERROR_CAUSE, b"\x10\x04\x03"),
            (StatusQuery.PAPER, b"\x10\x04\x04"),
        ],
    )
    def test_query_is_dle_eot_n(self, kind: StatusQuery, wire: bytes) -> None:
        assert query(kind) == wire


class TestDecoding:
    @pytest.mark.parametrize(
        ("kind", "byte", "bits"),
        [
            (StatusQuery.PRINTER, 0x12, set()),
            (StatusQuery.PRINTER, 0x1A, {"offline"}),
            (StatusQuery.PRINTER, 0x1E, {"offline", "drawer_pin3_high"}),
            (StatusQuery.OFFLINE_CAUSE, 0x16, {"cover_open"}),
            (StatusQuery.OFFLINE_CAUSE, 0x32, {"stopped_by_paper_end"}),
            (StatusQuery.OFFLINE_CAUSE, 0x52, {"error"}),
            (StatusQuery.PAPER, 0x12, set()),
            (StatusQuery.PAPER, 0x1E, {"paper_near_end"}),
            (StatusQuery.PAPER, 0x72, {"paper_out"}),
            (StatusQuery.PAPER, 0x7E, {"paper_near_end", "paper_out"}),
        ],
    )
    def test_status_bytes_decode_to_named_bits(
        self, kind: StatusQuery, byte: int, bits: set[str]
    ) -> None:
        assert decode(kind, bytes([byte])) == bits

    def test_online_printer_with_closed_drawer_answers_0x16_without_pin_high(self) -> None:
        # 0x16 has bit 2 set: on Epson that is drawer pin 3 HIGH, not "offline".
        assert decode(StatusQuery.PRINTER, b"\x16") == {"drawer_pin3_high"}

    @pytest.mark.parametrize("answer", [b"", b"\x00", b"\xff", b"\x13", b"\x92", b"\x12\x12"])
    def test_malformed_answers_are_garbled_never_ok(self, answer: bytes) -> None:
        with pytest.raises(GarbledFrame) as info:
            decode(StatusQuery.PAPER, answer)
        assert info.value.code == "garbled_frame"

    @pytest.mark.parametrize("kind", list(StatusQuery))
    def test_every_named_bit_survives_encoding_and_decoding(self, kind: StatusQuery) -> None:
        for bit in STATUS_BITS[kind]:
            assert decode(kind, encode(kind, {bit.meaning})) == {bit.meaning}
        assert decode(kind, encode(kind, set())) == set()


class TestCombinedStatus:
    def test_paper_out_from_either_sensor_reads_as_out(self) -> None:
        status = to_status(frozenset({"offline"}), frozenset({"stopped_by_paper_end"}), frozenset())
        assert status.paper is PaperState.OUT and not status.online

    def test_drawer_polarity_is_configurable(self) -> None:
        high = frozenset({"drawer_pin3_high"})
        none: frozenset[str] = frozenset()
        assert to_status(high, none, none).drawer_open is True
        assert to_status(high, none, none, drawer_open_high=False).drawer_open is False

    @pytest.mark.parametrize(
        ("status", "error"),
        [
            (PrinterStatus(online=False, paper=PaperState.OK, cover_open=True), CoverOpen),
            (PrinterStatus(online=False, paper=PaperState.OUT), PaperOut),
            (PrinterStatus(online=False, paper=PaperState.OK), PrinterStall),
            (PrinterStatus(online=True, paper=PaperState.OK, has_error=True), PrinterStall),
        ],
    )
    def test_state_that_cannot_print_raises_its_error(
        self, status: PrinterStatus, error: type[Exception]
    ) -> None:
        with pytest.raises(error):
            raise_for_status(status)

    def test_near_end_still_prints(self) -> None:
        raise_for_status(PrinterStatus(online=True, paper=PaperState.NEAR_END))
        assert PrinterStatus(online=True, paper=PaperState.NEAR_END).can_print
