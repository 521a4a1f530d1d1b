"""The receipt printer: copies, X reports and slips on ESC/POS, the drawer kicked on cash."""

from __future__ import annotations

import time

import pytest

from tests.hardware.conftest import wait_until
from tests.hardware.fiscal_day import drain, sell
from tests.helpers import problem

# A print job goes to the emulated printer through the service and writes no rows, so it runs
# on one database; the drawer (kicked after a commit) and the registrar's X report (after its
# queue) run on both.
ONE_DATABASE = pytest.mark.one_database


def _printed(printer, text):
    return wait_until(lambda: text in printer.text and printer.text)


@ONE_DATABASE
class TestCopies:
    def test_a_copy_says_it_is_no_fiscal_receipt_and_carries_the_registrars_number(
            self, db, till, device_service, attached):
        till.open_shift("100.00")
        sale = sell(till, "OAT-MILK-1L", "2")
        drain(device_service, db, till.till_id)
        document = attached["fiscal"].receipts[0]
        response = till.api.post(f"/api/v1/receipts/{sale['id']}/copy")
        assert response.status_code == 202
        text = _printed(attached["printer"], f"FD {document.number}")
        assert "COPY - NOT A FISCAL RECEIPT" in text and "Oat milk 1 l" in text
        assert attached["printer"].model.cuts >= 1

    def test_an_open_receipt_has_no_copy(self, till, device_service, attached):
        till.open_shift("100.00")
        receipt = till.open_receipt()
        response = till.api.post(f"/api/v1/receipts/{receipt['id']}/copy")
        assert problem(response, 404)["code"] == "receipt_not_found"

    def test_a_till_without_a_printer_says_so(self, till, shop, device_service):
        till.open_shift("100.00")
        response = till.api.post(f"/api/v1/tills/{shop.other_till_id}/printer/slip",
                                 json={"title": "Price", "lines": ["Bananas 129.90/kg"]})
        assert problem(response, 503)["code"] == "printer_absent"


@ONE_DATABASE
class TestReportsAndSlips:
    def test_the_x_report_prints_on_the_receipt_printer(self, till, device_service, attached):
        till.open_shift("100.00")
        sell(till)
        response = till.api.post(f"/api/v1/shifts/{till.shift['id']}/x-report/print")
        assert response.status_code == 202
        text = _printed(attached["printer"], "Expected cash")
        assert "X REPORT" in text and "Sales:   1  89.90" in text

    def test_a_price_tag_prints_as_a_slip(self, till, device_service, attached):
        response = till.api.post(f"/api/v1/tills/{till.till_id}/printer/slip",
                                 json={"title": "Price", "lines": ["Bananas 129.90/kg"]})
        assert response.status_code == 202
        assert "PRICE" in _printed(attached["printer"], "Bananas 129.90/kg")


class TestTheRegistrarsXReport:
    def test_without_a_printer_the_registrar_prints_it_once_its_queue_is_empty(
            self, db, till, device_service, attached):
        manager = till.api.as_("manager")
        printer = next(d for d in manager.get(f"/api/v1/tills/{till.till_id}/devices")
                       .get_json() if d["kind"] == "printer")
        assert manager.delete(f"/api/v1/devices/{printer['id']}").status_code == 204
        till.open_shift("100.00")
        sell(till)
        path = f"/api/v1/shifts/{till.shift['id']}/x-report/print"
        assert problem(till.api.post(path), 503)["code"] == "fiscal_queue_busy"
        drain(device_service, db, till.till_id)
        assert till.api.post(path).status_code == 202
        assert "x_report" in attached["fiscal"].model.events


class TestTheDrawer:
    def test_a_cash_sale_opens_the_drawer(self, till, device_service, attached):
        till.open_shift("100.00")
        sell(till)
        assert wait_until(lambda: attached["printer"].model.drawer_kicks)

    def test_a_card_sale_leaves_it_shut(self, till, device_service, attached):
        till.open_shift("100.00")
        till.ok(till.checkout([{"sku": "MILK-1L"}], [{"type": "card", "amount": "89.90",
                                                      "card_brand": "VISA", "card_last4": "4242",
                                                      "terminal_ref": "T-1"}]), 201)
        sell(till)  # a cash sale after it: its kick is the only one
        wait_until(lambda: attached["printer"].model.drawer_kicks)
        assert len(attached["printer"].model.drawer_kicks) == 1


@ONE_DATABASE
class TestAStalledPrinter:
    def test_a_print_job_on_a_stalled_printer_returns_at_once(self, till, device_service,
                                                              attached):
        attached["printer"].is_stalled = True
        started = time.monotonic()
        for _ in range(3):
            response = till.api.post(f"/api/v1/tills/{till.till_id}/printer/slip",
                                     json={"title": "Slip", "lines": ["x" * 40] * 50})
            assert response.status_code == 202
        assert time.monotonic() - started < 5.0  # queued; the printer's thread waits alone
        till.open_shift("100.00")
        assert sell(till)["state"] == "closed"
