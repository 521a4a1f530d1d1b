"""Shift sync: the registrar's shift opens and closes with ours; its Z figures sit beside ours."""

from __future__ import annotations

from decimal import Decimal

import pytest

from devices.fiscal.base import FiscalReceipt, Payment, PaymentKind, ReceiptKind, ReceiptLine
from devices.fiscal.shtrih_tables import Cmd
from pos.fiscal.device_shift import mismatches
from tests.hardware.fiscal_day import drain, one_pass, sell
from tests.helpers import problem


def _close(till):
    expected = till.as_("manager").x_report()["cash"]["expected"]
    till.ok(till.api.post(f"/api/v1/shifts/{till.shift['id']}/close",
                          json={"counted_cash": expected}))


def _device_shift(till):
    return till.api.as_("manager").get(f"/api/v1/fiscal/shifts/{till.shift['id']}")


class TestOpening:
    def test_opening_a_shift_opens_it_on_the_registrar_with_the_float(
            self, db, till, device_service, attached):
        till.open_shift("100.00")
        drain(device_service, db, till.till_id)
        model = attached["fiscal"].model
        assert (model.shift_open, model.cash_minor) == (True, 10000)
        record = till.ok(_device_shift(till))
        assert (record["device_shift_number"], record["was_found_open"]) == (1, False)
        assert record["open_document_number"] == 1

    def test_a_shift_already_open_on_the_registrar_is_found_not_opened_again(
            self, db, till, device_service, attached):
        port = device_service.port(till.till_id, "fiscal")
        port.call(lambda registrar: registrar.open_shift("by hand"), 30)
        till.open_shift("100.00")
        drain(device_service, db, till.till_id)
        assert [d.kind for d in attached["fiscal"].model.documents] == ["shift_open"]
        assert till.ok(_device_shift(till))["was_found_open"] is True

    @pytest.mark.parametrize(("fault", "command"), [
        ("disconnect_after", Cmd.CASH_IN), ("disconnect_before", Cmd.CASH_IN),
        ("disconnect_after", Cmd.FN_OPEN_SHIFT)])
    def test_a_service_that_dies_mid_opening_opens_once_and_puts_the_float_in_once(
            self, app, db, till, device_service, attached, fault, command):
        from tests.hardware.conftest import start_service

        registrar = attached["fiscal"]
        registrar.inject(fault, int(command))
        till.open_shift("100.00")
        one_pass(device_service, db, till.till_id)
        device_service.stop()  # whatever it knew in memory is gone
        registrar.reconnect()
        fresh = start_service(app, db)
        try:
            drain(fresh, db, till.till_id)
        finally:
            fresh.stop()
        assert [d.kind for d in registrar.model.documents] == ["shift_open"]
        assert registrar.model.cash_minor == 10000
        assert till.ok(_device_shift(till))["was_found_open"] is False

    def test_before_the_registrar_saw_the_shift_there_is_no_record(self, till, attached):
        till.open_shift("100.00")
        assert problem(_device_shift(till), 404)["code"] == "device_shift_not_found"


class TestClosing:
    def test_closing_prints_the_z_report_and_stores_the_registrars_figures(
            self, db, till, device_service, attached):
        till.open_shift("100.00")
        sell(till)
        sell(till, "OAT-MILK-1L", "2")
        _close(till)
        drain(device_service, db, till.till_id)
        model = attached["fiscal"].model
        assert model.shift_open is False and model.documents[-1].kind == "shift_close"
        record = till.ok(_device_shift(till))
        assert record["close_document_number"] == model.documents[-1].number
        assert record["device_figures"]["sales"] == {"count": 2, "total_minor": 8990 + 29980}
        assert record["mismatches"] == []

    def test_a_receipt_printed_on_the_registrar_by_hand_is_reported_as_a_mismatch(
            self, db, till, device_service, attached):
        till.open_shift("100.00")
        sell(till)
        drain(device_service, db, till.till_id)
        by_hand = FiscalReceipt(ReceiptKind.SALE,
                                (ReceiptLine("Gum", Decimal("1.000"), 500, 500),),
                                (Payment(PaymentKind.CASH, 500),), 500)
        port = device_service.port(till.till_id, "fiscal")
        port.call(lambda registrar: registrar.register_receipt(by_hand), 30)
        _close(till)
        drain(device_service, db, till.till_id)
        found = till.ok(_device_shift(till))["mismatches"]
        assert {m["figure"]: (m["ours"], m["device"]) for m in found} == {
            "sales.count": (1, 2), "sales.total_minor": (8990, 9490)}


def test_mismatches_compare_counts_and_totals_of_sales_and_returns():
    ours = {"sales": {"count": 2, "total_minor": 100}, "returns": {"count": 0, "total_minor": 0}}
    device = {"sales": {"count": 2, "total_minor": 100},
              "returns": {"count": 1, "total_minor": 40}}
    assert mismatches(ours, device) == [
        {"figure": "returns.count", "ours": 0, "device": 1},
        {"figure": "returns.total_minor", "ours": 0, "device": 40}]


class TestBlindClose:
    def test_a_blind_close_stores_cashier_cannot_print_the_registrars_x_report(
            self, db, till, shop, device_service, attached):
        till.api.as_("admin").patch(f"/api/v1/stores/{shop.store_id}",
                                    json={"blind_close": True})
        till.open_shift("100.00")
        response = till.api.post(f"/api/v1/shifts/{till.shift['id']}/x-report/print")
        assert problem(response, 403)["code"] == "x_report_restricted"
        assert "x_report" not in attached["fiscal"].model.events
