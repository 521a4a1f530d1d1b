"""Run the fiscal rows of the fault matrix (devices.md §7.4) against the Shtrih emulator.

Every test checks the error `code` the driver raises and that the emulator signed each
receipt exactly once with each line exactly once.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from devices import errors
from devices.emulators.shtrih import GARBLES, ShtrihEmulator
from devices.fiscal.base import FiscalReceipt
from devices.fiscal.shtrih import ShtrihRegistrar
from devices.fiscal.shtrih_tables import Cmd
from tests.devices.conftest import FAST_TIMEOUT_S, connect_registrar, running
from tests.devices.test_fiscal_shtrih import oat_milk_receipt

RECEIPT = oat_milk_receipt(lines=6, cash_minor=100000)


@pytest.fixture
def shift(registrar: ShtrihRegistrar) -> ShtrihRegistrar:
    """Return the driver with a shift open."""
    registrar.open_shift("Ivanova")
    return registrar


def assert_signed_once(emulator: ShtrihEmulator, receipt: FiscalReceipt = RECEIPT) -> None:
    """Assert one receipt on the device, carrying each line of `receipt` once."""
    [signed] = emulator.receipts
    assert [name for name, _, _ in signed.lines] == [line.name for line in receipt.lines]
    assert signed.amount_minor == receipt.total_minor
    assert emulator.commands.count(Cmd.CLOSE_RECEIPT) == 1


class TestAbsentAndSilent:
    def test_port_that_does_not_exist_reports_device_absent(self) -> None:
        driver = connect_registrar("/dev/ttyUSB-not-here")
        with pytest.raises(errors.DeviceAbsent) as info:
            driver.status()
        assert info.value.code == "device_absent"

    def test_unplugged_emulator_reports_device_absent(
        self, shtrih_emulator: ShtrihEmulator
    ) -> None:
        shtrih_emulator.disconnect()
        with pytest.raises(errors.DeviceAbsent):
            connect_registrar(shtrih_emulator.url).status()

    def test_silent_device_times_out_within_bounded_retries(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        shtrih_emulator.no_answer = True
        started = time.monotonic()
        with pytest.raises(errors.DeviceTimeout) as info:
            shift.register_receipt(RECEIPT)
        assert info.value.code == "device_timeout"
        assert time.monotonic() - started < 2.0
        assert shtrih_emulator.receipts == []

    def test_receipt_sent_after_the_device_wakes_up_is_signed_once(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        shtrih_emulator.no_answer = True
        with pytest.raises(errors.DeviceTimeout):
            shift.register_receipt(RECEIPT)
        shtrih_emulator.no_answer = False
        shift.register_receipt(RECEIPT)
        assert_signed_once(shtrih_emulator)

    @pytest.mark.parametrize("command", [Cmd.SALE, Cmd.CLOSE_RECEIPT])
    def test_swallowed_command_is_resent_only_after_asking_the_device(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator, command: int
    ) -> None:
        shtrih_emulator.inject("swallow", command, skip=2 if command == Cmd.SALE else 0)
        shift.register_receipt(RECEIPT)
        assert_signed_once(shtrih_emulator)
        assert shift.link.stats.doubts >= 1


class TestGarbledFrames:
    @pytest.mark.parametrize("style", GARBLES)
    def test_garbled_answer_is_nakked_and_read_again(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator, style: str
    ) -> None:
        shtrih_emulator.inject("garble", Cmd.CLOSE_RECEIPT, style=style)
        result = shift.register_receipt(RECEIPT)
        assert result.change_minor == 100000 - RECEIPT.total_minor
        assert shift.link.stats.garbled_answers == 1
        assert_signed_once(shtrih_emulator)

    def test_frame_the_device_nakked_is_resent_without_duplicating_the_line(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        shtrih_emulator.inject("nak", Cmd.SALE, count=2, skip=3)
        shift.register_receipt(RECEIPT)
        assert shift.link.stats.naks_received == 2
        assert_signed_once(shtrih_emulator)

    def test_answers_garbled_every_time_end_in_garbled_frame(
        self, registrar: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        shtrih_emulator.inject("garble", Cmd.SHORT_STATUS, count=100)
        with pytest.raises(errors.GarbledFrame) as info:
            registrar.status()
        assert info.value.code == "garbled_frame"


class TestLostAnswers:
    @pytest.mark.parametrize("command", [Cmd.OPEN_RECEIPT, Cmd.SALE, Cmd.CLOSE_RECEIPT])
    def test_lost_answer_is_collected_with_enq_and_the_command_not_repeated(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator, command: int
    ) -> None:
        shtrih_emulator.inject("lost_answer", command)
        result = shift.register_receipt(RECEIPT)
        assert result.change_minor == 100000 - RECEIPT.total_minor
        assert [a.command for a in shift.link.stats.recovered] == [command]
        assert shtrih_emulator.commands.count(Cmd.OPEN_RECEIPT) == 1
        assert_signed_once(shtrih_emulator)

    def test_lost_cash_in_answer_is_not_registered_twice(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        shtrih_emulator.inject("lost_answer", Cmd.CASH_IN)
        shift.cash_in(5000)
        assert shtrih_emulator.model.cash_minor == 5000


class TestLateAnswers:
    """A starved device answers after the host gave up and asked again with ENQ."""

    @pytest.mark.parametrize("late_by", [1.6, 3.0], ids=["enq-answered", "enq-timed-out"])
    @pytest.mark.parametrize("command", [Cmd.SHORT_STATUS, Cmd.FN_STATUS, Cmd.OPEN_RECEIPT,
                                         Cmd.SALE, Cmd.DISCOUNT, Cmd.CLOSE_RECEIPT])
    def test_a_late_answer_never_repeats_a_line_or_the_receipt(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator, command: int,
        late_by: float,
    ) -> None:
        shtrih_emulator.inject("slow", command, delay_s=late_by * FAST_TIMEOUT_S)
        result = shift.register_receipt(RECEIPT)
        assert result.change_minor == 100000 - RECEIPT.total_minor
        assert_signed_once(shtrih_emulator)
        assert shtrih_emulator.commands.count(Cmd.OPEN_RECEIPT) == 1
        assert shtrih_emulator.commands.count(Cmd.DISCOUNT) == 1

    def test_the_next_receipt_after_a_late_answer_is_not_confused_by_its_echo(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        shtrih_emulator.inject("slow", Cmd.CLOSE_RECEIPT, delay_s=1.6 * FAST_TIMEOUT_S)
        shift.register_receipt(RECEIPT)
        single = oat_milk_receipt(lines=1)
        shift.register_receipt(single)
        assert [len(d.lines) for d in shtrih_emulator.receipts] == [6, 1]
        assert [d.amount_minor for d in shtrih_emulator.receipts] == [
            RECEIPT.total_minor, single.total_minor]


class TestBusy:
    def test_busy_device_is_waited_for_without_failing(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        shtrih_emulator.inject("busy", Cmd.SALE, count=3)
        shift.register_receipt(RECEIPT)
        assert shift.link.stats.busy_waits == 3
        assert_signed_once(shtrih_emulator)

    def test_device_busy_beyond_patience_reports_device_busy(
        self, shtrih_emulator: ShtrihEmulator
    ) -> None:
        driver = connect_registrar(shtrih_emulator.url)
        driver.link.busy_retries = 2
        shtrih_emulator.inject("busy", Cmd.SHORT_STATUS, count=10)
        with pytest.raises(errors.DeviceBusy) as info:
            driver.status()
        driver.close()
        assert info.value.device_code == 0x50


class TestPaper:
    def test_paper_out_before_the_receipt_keeps_it_unopened(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        shtrih_emulator.model.take_paper()
        with pytest.raises(errors.PaperOut) as info:
            shift.register_receipt(RECEIPT)
        assert info.value.code == "paper_out"
        assert Cmd.OPEN_RECEIPT not in shtrih_emulator.commands
        assert not shift.status().paper_present

    def test_paper_out_mid_receipt_continues_after_reload_without_duplicate_lines(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        shtrih_emulator.model.paper_out_after_items = 4
        with pytest.raises(errors.PaperOut):
            shift.register_receipt(RECEIPT)
        assert shift.status().document_open
        shtrih_emulator.model.load_paper()
        shift.register_receipt(RECEIPT)
        assert Cmd.CONTINUE_PRINT in shtrih_emulator.commands
        assert_signed_once(shtrih_emulator)

    def test_open_cover_is_reported_before_the_receipt(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        shtrih_emulator.model.cover_open = True
        with pytest.raises(errors.CoverOpen):
            shift.register_receipt(RECEIPT)
        assert shift.status().cover_open and shtrih_emulator.receipts == []


class TestDisconnects:
    @pytest.mark.parametrize(
        ("kind", "command", "skip"),
        [
            ("disconnect_after", Cmd.SALE, 2),
            ("disconnect_before", Cmd.SALE, 4),
            ("disconnect_before", Cmd.CLOSE_RECEIPT, 0),
            ("disconnect_after", Cmd.CLOSE_RECEIPT, 0),
        ],
        ids=["after-3rd-sale", "before-5th-sale", "before-close", "after-close"],
    )
    def test_reconnected_driver_finishes_the_receipt_exactly_once(
        self,
        shift: ShtrihRegistrar,
        shtrih_emulator: ShtrihEmulator,
        kind: str,
        command: int,
        skip: int,
    ) -> None:
        shtrih_emulator.inject(kind, command, skip=skip)
        with pytest.raises(errors.Disconnected) as info:
            shift.register_receipt(RECEIPT)
        assert info.value.code == "disconnected"
        shtrih_emulator.reconnect()
        result = shift.register_receipt(RECEIPT)
        assert result.document_number == 2
        assert_signed_once(shtrih_emulator)

    def test_restarted_process_annuls_the_half_receipt_and_replays_it(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        shtrih_emulator.inject("disconnect_after", Cmd.SALE, skip=2)
        with pytest.raises(errors.Disconnected):
            shift.register_receipt(RECEIPT)
        shtrih_emulator.reconnect()
        restarted = connect_registrar(shtrih_emulator.url)
        result = restarted.register_receipt(RECEIPT, expected_number=2)
        restarted.close()
        assert result.document_number == 2 and "cancel" in shtrih_emulator.model.events
        assert_signed_once(shtrih_emulator)

    def test_restarted_process_finds_the_receipt_signed_before_the_crash(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        shtrih_emulator.inject("disconnect_after", Cmd.CLOSE_RECEIPT)
        with pytest.raises(errors.Disconnected):
            shift.register_receipt(RECEIPT)
        shtrih_emulator.reconnect()
        restarted = connect_registrar(shtrih_emulator.url)
        result = restarted.register_receipt(RECEIPT, expected_number=2)
        restarted.close()
        assert result.fiscal_sign == shtrih_emulator.receipts[0].fiscal_sign
        assert Cmd.OPEN_RECEIPT not in shtrih_emulator.commands[-3:]
        assert_signed_once(shtrih_emulator)

    def test_document_found_under_the_expected_number_must_match_the_receipt(
        self, shift: ShtrihRegistrar
    ) -> None:
        shift.register_receipt(oat_milk_receipt(lines=1))
        shift.close()
        restarted = connect_registrar(shift.transport.url)
        with pytest.raises(errors.NeedsReconciliation) as info:
            restarted.register_receipt(RECEIPT, expected_number=2)
        restarted.close()
        assert info.value.code == "needs_reconciliation"


class TestDeviceRules:
    def test_shift_over_24_hours_blocks_sales_until_the_z_report(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        shtrih_emulator.advance_clock(dt.timedelta(hours=24, minutes=1))
        assert shift.status().shift_expired
        with pytest.raises(errors.ShiftExpired) as info:
            shift.register_receipt(RECEIPT)
        assert info.value.code == "shift_expired"
        shift.z_report()
        shift.open_shift("Ivanova")
        shift.register_receipt(RECEIPT)
        assert_signed_once(shtrih_emulator)

    def test_device_refuses_sale_items_once_the_shift_expires_mid_receipt(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        shtrih_emulator.inject("swallow", Cmd.SALE, skip=1)
        shtrih_emulator.advance_clock(dt.timedelta(hours=25))
        with pytest.raises(errors.ShiftExpired) as info:
            shift.cash_in(100)
        assert info.value.device_code == 0x4E

    def test_full_fiscal_storage_blocks_receipts_and_warns_in_status(
        self, shift: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        shtrih_emulator.model.storage_full = True
        assert "archive_90_percent_full" in shift.status().storage_warnings
        with pytest.raises(errors.StorageFull) as info:
            shift.register_receipt(RECEIPT)
        assert info.value.code == "storage_full" and info.value.device_code == 0x06

    def test_wrong_password_fails_at_once_without_retries(self) -> None:
        with running(ShtrihEmulator(password=1)) as emulator:
            driver = connect_registrar(emulator.url, password=30)
            with pytest.raises(errors.WrongPassword) as info:
                driver.status()
            driver.close()
        assert info.value.code == "wrong_password"
        assert driver.link.stats.commands == 1

    def test_port_held_by_another_process_reports_port_busy(
        self, shtrih_emulator: ShtrihEmulator
    ) -> None:
        with shtrih_emulator.occupied(), pytest.raises(errors.PortBusy) as info:
            connect_registrar(shtrih_emulator.url).status()
        assert info.value.code == "port_busy"
