"""Drive the Shtrih-M emulator through the driver's everyday operations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from devices import DeviceConfig, errors, open_device
from devices.emulators.shtrih import ShtrihEmulator
from devices.fiscal.base import (
    FiscalReceipt,
    FiscalRegistrar,
    Payment,
    PaymentKind,
    ReceiptKind,
    ReceiptLine,
    Vat,
)
from devices.fiscal.shtrih import ShtrihRegistrar
from devices.fiscal.shtrih_tables import Cmd
from tests.devices.conftest import connect_registrar, running


def oat_milk_receipt(
    lines: int = 3, kind: ReceiptKind = ReceiptKind.SALE, cash_minor: int | None = None
) -> FiscalReceipt:
    """Return a receipt of `lines` oat-milk cartons at 89.90, the first with 1.00 off."""
    items = tuple(
        ReceiptLine(
            f"OAT-MILK-1L #{n}", Decimal("1.000"), 8990, 8990, Vat.VAT10, 100 if n == 0 else 0
        )
        for n in range(lines)
    )
    total = sum(item.net_minor for item in items)
    paid = total if cash_minor is None else cash_minor
    return FiscalReceipt(kind, items, (Payment(PaymentKind.CASH, paid),), total, operator="Ivanova")


class TestShift:
    def test_fresh_registrar_reports_a_closed_shift_and_no_documents(
        self, registrar: ShtrihRegistrar
    ) -> None:
        status = registrar.status()
        assert not status.shift_open and status.last_document_number == 0
        assert status.paper_present and not status.document_open

    def test_opening_a_shift_signs_document_one_and_sends_the_cashier(
        self, registrar: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        result = registrar.open_shift("Иванова А.")
        assert (result.document_number, result.shift_number) == (1, 1)
        assert shtrih_emulator.model.cashier == "Иванова А."
        assert registrar.status().shift_open

    def test_opening_an_open_shift_is_rejected(self, registrar: ShtrihRegistrar) -> None:
        registrar.open_shift("Ivanova")
        with pytest.raises(errors.ShiftAlreadyOpen):
            registrar.open_shift("Ivanova")

    def test_z_report_closes_the_shift_and_blocks_further_sales(
        self, registrar: ShtrihRegistrar
    ) -> None:
        registrar.open_shift("Ivanova")
        registrar.x_report()
        result = registrar.z_report()
        assert (result.document_number, result.shift_number) == (2, 1)
        with pytest.raises(errors.ShiftNotOpen):
            registrar.register_receipt(oat_milk_receipt())


class TestReceipts:
    def test_sale_is_signed_once_with_its_lines_discount_and_change(
        self, registrar: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        registrar.open_shift("Ivanova")
        receipt = oat_milk_receipt(lines=20, cash_minor=200000)
        result = registrar.register_receipt(receipt)
        [signed] = shtrih_emulator.receipts
        assert result.document_number == signed.number == 2
        assert result.fiscal_sign == signed.fiscal_sign
        assert result.change_minor == 200000 - receipt.total_minor
        assert signed.amount_minor == receipt.total_minor == 20 * 8990 - 100
        assert [name for name, _, _ in signed.lines] == [line.name for line in receipt.lines]

    def test_return_pays_cash_back_out_of_the_drawer(
        self, registrar: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        registrar.open_shift("Ivanova")
        registrar.register_receipt(oat_milk_receipt(lines=2))
        registrar.register_receipt(oat_milk_receipt(lines=1, kind=ReceiptKind.RETURN))
        assert shtrih_emulator.model.cash_minor == 8990
        assert [r.receipt_type for r in shtrih_emulator.receipts] == [0, 2]

    def test_receipt_is_found_again_by_its_number(self, registrar: ShtrihRegistrar) -> None:
        registrar.open_shift("Ivanova")
        result = registrar.register_receipt(oat_milk_receipt())
        found = registrar.find_document(result.document_number)
        assert found == registrar.last_document()
        assert (found.kind, found.fiscal_sign, found.amount_minor) == (
            "receipt",
            result.fiscal_sign,
            3 * 8990 - 100,
        )

    def test_cancelling_an_open_receipt_annuls_it(
        self, registrar: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        registrar.open_shift("Ivanova")
        shtrih_emulator.inject("disconnect_after", Cmd.SALE)
        with pytest.raises(errors.Disconnected):
            registrar.register_receipt(oat_milk_receipt())
        shtrih_emulator.reconnect()
        registrar.cancel_receipt()
        assert not registrar.status().document_open
        assert shtrih_emulator.receipts == [] and "cancel" in shtrih_emulator.model.events


class TestCashAndMechanics:
    def test_cash_in_and_out_return_increasing_running_numbers(
        self, registrar: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        registrar.open_shift("Ivanova")
        first, second = registrar.cash_in(10000), registrar.cash_out(2500)
        assert second == first + 1
        assert shtrih_emulator.model.cash_minor == 7500

    def test_cash_out_beyond_the_drawer_is_rejected_with_the_device_code(
        self, registrar: ShtrihRegistrar
    ) -> None:
        registrar.open_shift("Ivanova")
        with pytest.raises(errors.CommandRejected) as info:
            registrar.cash_out(1)
        assert info.value.device_code == 0x46

    def test_cut_and_drawer_kick_reach_the_device(
        self, registrar: ShtrihRegistrar, shtrih_emulator: ShtrihEmulator
    ) -> None:
        registrar.cut(partial=True)
        registrar.open_drawer()
        assert shtrih_emulator.model.events == ["cut", "drawer"]


class TestConnections:
    def test_driver_opened_from_config_implements_the_interface(
        self, shtrih_emulator: ShtrihEmulator
    ) -> None:
        config = DeviceConfig("fiscal", "shtrih", shtrih_emulator.url, timeout_s=0.2)
        driver = open_device(config)
        try:
            assert isinstance(driver, ShtrihRegistrar) and isinstance(driver, FiscalRegistrar)
            assert driver.status().mode == 4
        finally:
            driver.close()

    def test_receipt_goes_through_a_tcp_socket_url(self) -> None:
        with running(ShtrihEmulator(tcp=True)) as emulator:
            driver = connect_registrar(emulator.url)
            try:
                driver.open_shift("Ivanova")
                assert driver.register_receipt(oat_milk_receipt()).document_number == 2
            finally:
                driver.close()
