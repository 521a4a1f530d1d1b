"""Check that FakePrinter behaves like a printer for business tests."""

from __future__ import annotations

import pytest

from devices.config import DeviceConfig, open_device
from devices.errors import CoverOpen, DeviceTimeout, PaperOut
from devices.printers.base import PaperState, ReceiptDocument, ReceiptPrinter
from devices.printers.fake import FakePrinter, PrinterCall

RECEIPT = ReceiptDocument(lines=(), total_minor=0, open_drawer=True)


@pytest.fixture
def fake_printer() -> FakePrinter:
    printer = open_device(DeviceConfig("printer", "fake"))
    assert isinstance(printer, FakePrinter)
    return printer


class TestFakePrinter:
    def test_it_implements_the_receipt_printer_interface(self, fake_printer: FakePrinter) -> None:
        assert isinstance(fake_printer, ReceiptPrinter)

    def test_printed_receipts_are_recorded_cut_and_kick_the_drawer(
        self, fake_printer: FakePrinter
    ) -> None:
        fake_printer.print_document(RECEIPT)
        assert fake_printer.documents == [RECEIPT]
        assert (fake_printer.cuts, fake_printer.drawer_kicks) == (1, 1)
        assert fake_printer.status().drawer_open is True

    @pytest.mark.parametrize(
        ("setup", "error"),
        [
            (lambda p: setattr(p, "paper", PaperState.OUT), PaperOut),
            (lambda p: setattr(p, "cover_open", True), CoverOpen),
        ],
    )
    def test_state_that_cannot_print_refuses_the_receipt(
        self, fake_printer: FakePrinter, setup: object, error: type[Exception]
    ) -> None:
        setup(fake_printer)  # type: ignore[operator]
        with pytest.raises(error):
            fake_printer.print_document(RECEIPT)
        assert fake_printer.documents == []

    def test_scripted_fault_fails_only_the_next_call(self, fake_printer: FakePrinter) -> None:
        fake_printer.fail_next("print_document", DeviceTimeout())
        with pytest.raises(DeviceTimeout):
            fake_printer.print_document(RECEIPT)
        fake_printer.print_document(RECEIPT)
        assert len(fake_printer.documents) == 1

    def test_calls_are_recorded_in_order(self, fake_printer: FakePrinter) -> None:
        fake_printer.print_text(["X report"])
        fake_printer.cut()
        fake_printer.close()
        assert [c.method for c in fake_printer.calls] == ["print_text", "cut", "close"]
        assert fake_printer.calls[0] == PrinterCall("print_text", ("X report",))
        assert fake_printer.is_closed
