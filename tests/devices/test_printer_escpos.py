"""Drive EscPosPrinter against the ESC/POS emulator on a pty through the fault matrix."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

from devices.config import DeviceConfig, open_device
from devices.emulators.escpos import EscPosEmulator
from devices.errors import (
    CoverOpen,
    DeviceAbsent,
    DeviceTimeout,
    Disconnected,
    GarbledFrame,
    PaperOut,
    PortBusy,
    PrinterStall,
)
from devices.printers.base import (
    RUSSIAN_LABELS,
    Adjustment,
    PaperState,
    ReceiptDocument,
    ReceiptLine,
    ReceiptPrinter,
)
from devices.printers.escpos import EscPosPrinter
from devices.transport import SerialTransport

OAT_MILK = ReceiptLine("Молоко овсяное 1л", Decimal("2"), 8990, 17980, "шт")
RECEIPT = ReceiptDocument(
    header=("ООО Ромашка",),
    lines=(OAT_MILK,),
    total_minor=17980,
    payments=(Adjustment("Наличные", 20000),),
    change_minor=2020,
    labels=RUSSIAN_LABELS,
)
LONG_JOB = ["x" * 40] * 2000  # ~80 KiB: more than a pty buffers, so a stalled reader blocks it


def driver(url: str, retries: int = 0) -> EscPosPrinter:
    link = SerialTransport(url, timeout_s=0.2, write_timeout_s=0.3)
    return EscPosPrinter(link, columns=32, status_timeout_s=0.2, retries=retries)


@pytest.fixture
def emulator(start_emulator: Callable[[EscPosEmulator], EscPosEmulator]) -> EscPosEmulator:
    return start_emulator(EscPosEmulator())


@pytest.fixture
def printer(emulator: EscPosEmulator) -> Iterator[EscPosPrinter]:
    printer = driver(emulator.url)
    yield printer
    printer.close()


class TestPrinting:
    def test_receipt_text_lands_on_paper_in_cyrillic_and_is_cut(
        self, printer: EscPosPrinter, emulator: EscPosEmulator
    ) -> None:
        printer.print_document(RECEIPT)
        assert "Молоко овсяное 1л" in emulator.model.lines
        assert "ИТОГ                      179.80" in emulator.model.lines
        assert emulator.model.cuts == 1
        assert emulator.model.drawer_kicks == []

    def test_receipt_asking_for_the_drawer_kicks_it_once(
        self, printer: EscPosPrinter, emulator: EscPosEmulator
    ) -> None:
        printer.print_document(ReceiptDocument(lines=(), total_minor=0, open_drawer=True))
        assert emulator.model.drawer_kicks == [0]
        assert printer.status().drawer_open is True

    def test_plain_text_prints_without_cutting(
        self, printer: EscPosPrinter, emulator: EscPosEmulator
    ) -> None:
        printer.print_text(["Смена 12 открыта"])
        assert emulator.model.lines == ["Смена 12 открыта"]
        assert emulator.model.cuts == 0

    def test_drawer_kick_is_sent_alone_without_waiting_for_status(
        self, printer: EscPosPrinter, emulator: EscPosEmulator
    ) -> None:
        printer.open_drawer()
        assert printer.transport.bytes_written == 5  # ESC p 0 50 50 and nothing else
        printer.status()  # answered after the kick, so the kick has been processed
        assert emulator.model.drawer_kicks == [0]

    def test_network_printer_prints_over_socket_url(
        self, start_emulator: Callable[[EscPosEmulator], EscPosEmulator]
    ) -> None:
        emulator = start_emulator(EscPosEmulator(tcp=True))
        config = DeviceConfig("printer", "escpos", url=emulator.url, timeout_s=0.3)
        printer = open_device(config)
        try:
            assert isinstance(printer, ReceiptPrinter)
            printer.print_document(RECEIPT)
        finally:
            printer.close()
        assert emulator.model.cuts == 1


class TestStatus:
    @pytest.mark.parametrize("paper", [PaperState.OK, PaperState.NEAR_END, PaperState.OUT])
    def test_paper_sensor_is_reported(
        self, printer: EscPosPrinter, emulator: EscPosEmulator, paper: PaperState
    ) -> None:
        emulator.model.paper = paper
        assert printer.status().paper is paper

    def test_open_cover_takes_the_printer_offline(
        self, printer: EscPosPrinter, emulator: EscPosEmulator
    ) -> None:
        emulator.model.cover_open = True
        status = printer.status()
        assert status.cover_open and not status.online and not status.can_print

    def test_silent_printer_is_a_timeout_not_paper_ok(
        self, printer: EscPosPrinter, emulator: EscPosEmulator
    ) -> None:
        emulator.no_answer = True
        with pytest.raises(DeviceTimeout) as info:
            printer.status()
        assert info.value.code == "device_timeout"

    def test_stale_answer_left_on_the_line_is_not_read_as_the_status(
        self, printer: EscPosPrinter, emulator: EscPosEmulator
    ) -> None:
        printer.status()
        emulator.send(b"\x1e")  # a late "offline" answer nobody asked for
        time.sleep(0.1)
        assert printer.status().online

    def test_one_garbled_answer_is_asked_again(self, emulator: EscPosEmulator) -> None:
        emulator.garble_replies = 1
        printer = driver(emulator.url, retries=1)
        try:
            assert printer.status().paper is PaperState.OK
        finally:
            printer.close()

    def test_garbled_answers_beyond_the_retries_are_reported(
        self, printer: EscPosPrinter, emulator: EscPosEmulator
    ) -> None:
        emulator.garble_replies = 5
        with pytest.raises(GarbledFrame):
            printer.status()


class TestFaults:
    def test_paper_out_before_the_receipt_refuses_it_unprinted(
        self, printer: EscPosPrinter, emulator: EscPosEmulator
    ) -> None:
        emulator.model.paper = PaperState.OUT
        with pytest.raises(PaperOut) as info:
            printer.print_document(RECEIPT)
        assert info.value.code == "paper_out"
        assert emulator.bytes_received == 9  # the three status queries, no job

    def test_paper_running_out_mid_receipt_is_reported_after_it(
        self, printer: EscPosPrinter, emulator: EscPosEmulator
    ) -> None:
        emulator.model.lines_left = 3
        with pytest.raises(PaperOut):
            printer.print_document(RECEIPT)
        assert emulator.model.cuts == 0

    def test_cover_open_refuses_the_receipt(
        self, printer: EscPosPrinter, emulator: EscPosEmulator
    ) -> None:
        emulator.model.cover_open = True
        with pytest.raises(CoverOpen) as info:
            printer.print_document(RECEIPT)
        assert info.value.code == "cover_open"
        assert emulator.model.lines == []

    def test_paper_near_end_still_prints(
        self, printer: EscPosPrinter, emulator: EscPosEmulator
    ) -> None:
        emulator.model.paper = PaperState.NEAR_END
        printer.print_document(RECEIPT)
        assert emulator.model.cuts == 1

    def test_printer_that_stops_reading_mid_job_stalls_the_job(
        self, printer: EscPosPrinter, emulator: EscPosEmulator
    ) -> None:
        emulator.stall_after_bytes = 9  # the three status queries, then nothing more
        with pytest.raises(PrinterStall) as info:
            printer.print_text(LONG_JOB)
        assert info.value.code == "printer_stall"

    def test_stalled_printer_is_not_sent_the_job(
        self, printer: EscPosPrinter, emulator: EscPosEmulator
    ) -> None:
        emulator.is_stalled = True
        with pytest.raises(DeviceTimeout):
            printer.print_document(RECEIPT)
        assert printer.transport.bytes_written == 3

    def test_missing_port_is_reported_absent(self) -> None:
        printer = driver("/dev/ttyNOPRINTER0")
        with pytest.raises(DeviceAbsent) as info:
            printer.status()
        assert info.value.code == "device_absent"

    def test_port_held_by_another_process_is_reported_busy(self, emulator: EscPosEmulator) -> None:
        with emulator.occupied(), pytest.raises(PortBusy) as info:
            driver(emulator.url).print_document(RECEIPT)
        assert info.value.code == "port_busy"

    def test_pulled_cable_is_reported_disconnected(
        self, printer: EscPosPrinter, emulator: EscPosEmulator
    ) -> None:
        printer.status()
        emulator.disconnect()
        with pytest.raises(Disconnected):
            printer.print_document(RECEIPT)
