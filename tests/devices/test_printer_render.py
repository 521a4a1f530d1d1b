"""Check receipt layout and ESC/POS bytes, byte-exact on python-escpos's Dummy printer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from escpos.printer import Dummy

from devices.printers import layout
from devices.printers.base import (
    RUSSIAN_LABELS,
    Adjustment,
    Barcode,
    ReceiptDocument,
    ReceiptLine,
)
from devices.printers.escpos_render import render_receipt, render_text

INIT = b"\x1b@"
CP866 = b"\x1bt\x11"  # ESC t 17
CENTER, LEFT = b"\x1ba\x01", b"\x1ba\x00"
BOLD_ON, BOLD_OFF = b"\x1bE\x01", b"\x1bE\x00"
CUT = b"\x1bd\x06\x1dV\x00"  # feed 6 lines, full cut
DRAWER = b"\x1bp\x0022"  # pin 2, 100 ms on/off


def cp866(*rows: str) -> bytes:
    return b"".join(row.encode("cp866") + b"\n" for row in rows)


OAT_MILK = ReceiptLine("Молоко овсяное 1л", Decimal("2"), 8990, 17980, "шт")
APPLES = ReceiptLine("Яблоки Гала", Decimal("0.532"), 15900, 8459, "кг", is_manual_weight=True)


def receipt(**overrides: object) -> ReceiptDocument:
    fields: dict[str, object] = {
        "header": ("ООО Ромашка",),
        "lines": (OAT_MILK,),
        "total_minor": 17980,
        "payments": (Adjustment("Наличные", 20000),),
        "change_minor": 2020,
        "footer": ("Спасибо!",),
        "labels": RUSSIAN_LABELS,
    }
    fields.update(overrides)
    return ReceiptDocument(**fields)  # type: ignore[arg-type]


def rendered(doc: ReceiptDocument, columns: int = 32) -> bytes:
    printer = Dummy()
    render_receipt(printer, doc, columns)
    return printer.output


class TestMoneyAndQuantity:
    @pytest.mark.parametrize(
        ("minor", "text"),
        [(1230, "12.30"), (5, "0.05"), (0, "0.00"), (-50, "-0.50"), (100000, "1000.00")],
    )
    def test_minor_units_print_with_two_decimals(self, minor: int, text: str) -> None:
        assert layout.format_minor(minor) == text

    @pytest.mark.parametrize(
        ("qty", "text"), [("2", "2"), ("2.000", "2"), ("0.532", "0.532"), ("10", "10")]
    )
    def test_quantities_print_without_trailing_zeros(self, qty: str, text: str) -> None:
        assert layout.format_qty(Decimal(qty)) == text


class TestColumns:
    @pytest.mark.parametrize("columns", [32, 42, 48])
    def test_amount_is_right_aligned_to_the_paper_width(self, columns: int) -> None:
        rows = layout.two_columns("ИТОГ", "179.80", columns)
        assert rows == ["ИТОГ".ljust(columns - 7) + " 179.80"]

    def test_long_name_wraps_and_keeps_the_amount_on_its_last_row(self) -> None:
        rows = layout.two_columns("Сыр твёрдый выдержанный пармезан", "1234.50", 20)
        assert rows[-1].endswith(" 1234.50")
        assert all(len(row) <= 20 for row in rows)
        assert " ".join(r.strip() for r in rows).startswith("Сыр твёрдый")

    def test_manual_weight_is_labelled_under_its_line(self) -> None:
        rows = layout.line_block(APPLES, "РУЧН. ВЕС", 32)
        assert rows == [
            "Яблоки Гала",
            "  0.532 кг x 159.00        84.59",
            "  РУЧН. ВЕС",
        ]


class TestReceiptBytes:
    def test_cyrillic_receipt_renders_byte_exact_in_cp866(self) -> None:
        expected = (
            INIT + CP866
            + CENTER + cp866("ООО Ромашка") + LEFT
            + cp866("-" * 32, "Молоко овсяное 1л", "  2 шт x 89.90            179.80", "-" * 32)
            + BOLD_ON + cp866("ИТОГ                      179.80") + BOLD_OFF
            + cp866("Наличные                  200.00", "СДАЧА                      20.20")
            + CENTER + cp866("Спасибо!") + LEFT
            + CUT
        )
        assert rendered(receipt()) == expected

    def test_discounts_print_negative_before_the_total(self) -> None:
        doc = receipt(discounts=(Adjustment("карта", 1000),), total_minor=16980)
        assert cp866("Скидка: карта             -10.00", "-" * 32) + BOLD_ON in rendered(doc)

    def test_drawer_kick_follows_the_cut_when_asked(self) -> None:
        assert rendered(receipt(open_drawer=True)).endswith(CUT + DRAWER)
        assert DRAWER not in rendered(receipt())

    def test_barcode_is_sent_as_hardware_ean13_centred(self) -> None:
        out = rendered(receipt(barcode=Barcode("4006381333931", "EAN13")))
        assert CENTER + b"\x1dh@\x1dw\x03\x1df\x00\x1dH\x02\x1dk\x024006381333931\x00" + LEFT in out

    def test_qr_is_sent_natively_not_as_a_raster_image(self) -> None:
        out = rendered(receipt(qr_payload="t=20240101T1200&s=179.80"))
        store = b"\x1d(k\x1b\x001P0t=20240101T1200&s=179.80"  # GS ( k pL=27: store data
        assert store in out and b"\x1d(k\x03\x001Q0" in out  # then print it
        assert b"\x1dv0" not in out

    def test_characters_outside_cp866_become_question_marks(self) -> None:
        printer = Dummy()
        printer.charcode("CP866")
        render_text(printer, ["Цена 5€"], 32)
        assert printer.output == CP866 + "Цена 5?\n".encode("cp866")
