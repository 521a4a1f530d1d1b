"""Check the Shtrih-M codec byte for byte against captured and hand-computed frames."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from devices import errors
from devices.fiscal import shtrih_messages as msg
from devices.fiscal.base import ReceiptKind, ReceiptLine, Vat
from devices.fiscal.shtrih_codec import (
    decode_answer,
    decode_request,
    encode_answer,
    encode_request,
    lrc,
    quantity,
    text,
)
from devices.fiscal.shtrih_tables import Cmd, Mode, Submode, error_for

# Captured on a ШТРИХ-МИНИ-01Ф (devices.md §3.1.2, toposhibok.ru wire log).
TRACE_SHORT_STATUS_REQUEST = bytes.fromhex("02 05 10 1E 00 00 00 0B")
TRACE_FULL_STATUS_REQUEST = bytes.fromhex("02 05 11 1E 00 00 00 0A")
TRACE_SHORT_STATUS_ANSWER = bytes.fromhex(
    "02 10 10 00 1E B2 02 02 00 00 9F F8 00 00 00 75 08 00 B6"
)


def h(spaced: str, zeros: int = 0, tail: str = "") -> bytes:
    """Build expected bytes from hex, a run of zero bytes and a hex tail."""
    return bytes.fromhex(spaced) + bytes(zeros) + bytes.fromhex(tail)


class TestFraming:
    @pytest.mark.parametrize(
        ("command", "data", "expected"),
        [
            (Cmd.SHORT_STATUS, b"", TRACE_SHORT_STATUS_REQUEST),
            (Cmd.FULL_STATUS, b"", TRACE_FULL_STATUS_REQUEST),
            (Cmd.OPEN_RECEIPT, b"\x00", h("02 06 8D 1E 00 00 00 00 95")),
            (Cmd.FN_STATUS, b"", h("02 06 FF 01 1E 00 00 00 E6")),
            (
                Cmd.FN_FIND_DOCUMENT,
                b"\x07\x00\x00\x00",
                h("02 0A FF 0A 1E 00 00 00 07 00 00 00 E6"),
            ),
            (Cmd.CASH_IN, b"\x10\x27\x00\x00\x00", h("02 0A 50 1E 00 00 00 10 27 00 00 00 73")),
        ],
        ids=["0x10-trace", "0x11-trace", "0x8D-sale", "0xFF01", "0xFF0A-7", "0x50-100.00"],
    )
    def test_request_frames_match_the_wire_bytes(
        self, command: int, data: bytes, expected: bytes
    ) -> None:
        assert encode_request(command, 30, data) == expected

    def test_captured_status_answer_has_a_valid_lrc(self) -> None:
        assert lrc(TRACE_SHORT_STATUS_ANSWER[1:-1]) == 0xB6

    def test_captured_status_answer_decodes_to_shift_open_with_paper(self) -> None:
        answer = decode_answer(TRACE_SHORT_STATUS_ANSWER)
        status = msg.decode_short_status(answer.data)
        assert (answer.command, answer.error) == (0x10, 0)
        assert (status.operator, status.flags) == (30, 0x02B2)
        assert (status.mode, status.submode) == (Mode.SHIFT_OPEN, Submode.PAPER_PRESENT)
        assert status.paper_present and not status.cover_open

    def test_error_answers_carry_only_command_and_code(self) -> None:
        assert encode_answer(Cmd.SALE, 0x6B, b"\x1e") == h("02 02 80 6B E9")
        assert decode_answer(h("02 02 80 6B E9")).error == 0x6B

    def test_answer_of_a_two_byte_command_keeps_both_command_bytes(self) -> None:
        answer = decode_answer(encode_answer(Cmd.FN_STATUS, 0, b"\x03"))
        assert (answer.command, answer.data) == (0xFF01, b"\x03")

    def test_request_round_trips_through_the_emulator_decoder(self) -> None:
        request = decode_request(encode_request(Cmd.CASH_OUT, 0x01020304, b"\xaa"))
        assert (request.command, request.password, request.data) == (0x51, 0x01020304, b"\xaa")

    @pytest.mark.parametrize(
        "raw",
        [
            h("02 03 85 00 1E 99"),  # LRC off by one
            h("03 85 00 1E 98"),  # STX dropped
            h("02 10 10 00 1E B2"),  # truncated
            h("02 03 85"),  # shorter than a frame
        ],
        ids=["bad-lrc", "no-stx", "truncated", "stub"],
    )
    def test_damaged_answers_are_rejected_as_garbled(self, raw: bytes) -> None:
        with pytest.raises(errors.GarbledFrame):
            decode_answer(raw)


class TestCommands:
    def test_sale_line_is_quantity_price_department_taxes_and_text(self) -> None:
        line = ReceiptLine("OAT-MILK-1L", Decimal("1.000"), 8990, 8990, Vat.VAT20)
        command, data = msg.item(ReceiptKind.SALE, line)
        expected = h("02 3C 80 1E 00 00 00 E8 03 00 00 00 1E 23 00 00 00 01 01 00 00 00")
        expected += b"OAT-MILK-1L" + bytes(29) + h("50")
        assert encode_request(command, 30, data) == expected

    def test_return_line_uses_command_0x82(self) -> None:
        line = ReceiptLine("OAT-MILK-1L", Decimal("1.000"), 8990, 8990)
        assert msg.item(ReceiptKind.RETURN, line)[0] == 0x82

    def test_close_receipt_puts_cash_in_the_first_payment_slot(self) -> None:
        command, data = msg.close_receipt((50000, 0, 0, 0))
        assert encode_request(command, 30, data) == h("02 47 85 1E 00 00 00 50 C3", 64, "4F")

    def test_weighed_quantity_is_sent_in_thousandths(self) -> None:
        assert quantity(Decimal("1.5")) == h("DC 05 00 00 00")
        assert quantity(Decimal("0.125")) == h("7D 00 00 00 00")

    def test_quantity_finer_than_a_gram_is_refused(self) -> None:
        with pytest.raises(ValueError):
            quantity(Decimal("0.0005"))

    def test_text_is_cp1251_padded_to_forty_bytes(self) -> None:
        assert text("Молоко") == h("CC EE EB EE EA EE", 34)
        assert len(text("x" * 60)) == 40


class TestAnswers:
    def test_fn_status_yields_shift_state_warnings_and_last_document(self) -> None:
        data = h("03 00 00 01 04 1A 0B 16 0B 0E") + b"9999078900001234" + h("2A 00 00 00")
        fn = msg.decode_fn_status(data)
        assert fn.shift_open and fn.last_document_number == 42
        assert fn.warnings == ("archive_90_percent_full",)
        assert fn.datetime == dt.datetime(2026, 11, 22, 11, 14)
        assert fn.fn_number == "9999078900001234"

    def test_found_receipt_yields_number_sign_and_amount(self) -> None:
        data = h("03 01 1A 0B 16 0B 0E 2A 00 00 00 78 56 34 12 01 A3 9D 00 00 00")
        document = msg.decode_document(data)
        assert (document.kind, document.number, document.fiscal_sign) == ("receipt", 42, 0x12345678)
        assert document.amount_minor == 40355 and document.ofd_acknowledged

    def test_found_shift_close_yields_its_shift_number(self) -> None:
        data = h("05 00 1A 0B 16 0B 0E 2B 00 00 00 01 00 00 00 07 00")
        document = msg.decode_document(data)
        assert (document.kind, document.shift_number, document.amount_minor) == (
            "shift_close",
            7,
            None,
        )

    def test_close_answer_yields_the_change(self) -> None:
        assert msg.decode_change(h("1E 45 25 00 00 00")) == 9541

    def test_short_answer_is_garbled_not_an_index_error(self) -> None:
        with pytest.raises(errors.GarbledFrame):
            msg.decode_change(h("1E 45"))


class TestErrorTable:
    @pytest.mark.parametrize(
        ("code", "expected"),
        [
            (0x6B, errors.PaperOut),
            (0x58, errors.PaperOut),
            (0x4E, errors.ShiftExpired),
            (0x16, errors.ShiftExpired),
            (0x06, errors.StorageFull),
            (0x15, errors.StorageFull),
            (0x4F, errors.WrongPassword),
            (0x50, errors.DeviceBusy),
            (0x3D, errors.ShiftNotOpen),
            (0x3C, errors.ShiftAlreadyOpen),
            (0x4A, errors.DocumentOpen),
            (0x37, errors.UnsupportedCommand),
            (0x8E, errors.CommandRejected),
            (0xEE, errors.CommandRejected),
        ],
    )
    def test_device_codes_map_to_device_errors(
        self, code: int, expected: type[errors.DeviceError]
    ) -> None:
        error = error_for(code, Cmd.CLOSE_RECEIPT)
        assert type(error) is expected
        assert error.device_code == code
