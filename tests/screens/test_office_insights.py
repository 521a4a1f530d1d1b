"""The office's loyalty, gift certificate, rebate and device pages, as a manager uses them."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from loyalty.gift_certificates.model import GiftCertificate
from pos.core.clock import FixedClock
from pos.core.db import Database
from tests.gift_helpers import add_certificate_item
from tests.helpers import ApiClient, Shop, Till, issue_card
from tests.screens.conftest import problem_code
from tests.screens.office_client import OfficeScreen

PAGES = ("/office/loyalty", "/office/gift-certificates", "/office/rebates", "/office/devices")
BONUS = {"is_bonus": True, "earn_percent": "5", "max_share_percent": 50, "expiry_days": 365}


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_json()


def _cells(html: str, row_id: str) -> list[str]:
    """Return the text of the cells of the table row ``row_id``."""
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert row, row_id
    return [re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


class TestAccess:
    @pytest.mark.parametrize("path", PAGES)
    def test_signed_out_each_page_sends_to_the_sign_in(self, office: OfficeScreen,
                                                       path: str) -> None:
        response = office.client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/office"

    @pytest.mark.parametrize("path", ["/office/loyalty/card", "/office/rebates/claims/1/approve"])
    def test_signed_out_each_action_sends_to_the_sign_in(self, office: OfficeScreen,
                                                         path: str) -> None:
        office.page()
        response = office.form(path, {"card_code": "2900000000017"})
        assert response.status_code == 302 and response.headers["Location"] == "/office"

    @pytest.mark.parametrize("path", PAGES)
    def test_a_cashier_gets_none_of_them(self, office: OfficeScreen, path: str) -> None:
        assert office.sign_in("cashier").status_code == 403
        assert office.client.get(path).status_code == 302

    def test_the_nav_lists_the_pages(self, managing: OfficeScreen) -> None:
        html = managing.page("/office/loyalty").get_data(as_text=True)
        for path in PAGES:
            assert f'href="{path}"' in html


class TestLoyalty:
    @pytest.fixture
    def number(self, api: ApiClient) -> str:
        number = issue_card(api, "BONUS", **BONUS)
        _ok(api.as_("manager").post(f"/api/v1/loyalty/cards/{number}/adjustments",
                                    json={"points": "50", "reason": "welcome"}), 201)
        return number

    def test_the_page_shows_types_counts_and_the_points_liability(
            self, managing: OfficeScreen, number: str) -> None:
        html = managing.page("/office/loyalty").get_data(as_text=True)
        assert "<td>BONUS</td><td>active</td><td class=\"num\">1</td>" in html
        assert ('<td>BONUS</td><td class="num">1</td><td class="num">1</td>'
                '<td class="num">50.00</td>') in html
        assert number not in html

    def test_a_card_looked_up_by_number_shows_balance_lots_and_history_masked(
            self, managing: OfficeScreen, number: str) -> None:
        response = managing.form("/office/loyalty/card", {"card_code": number})
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert number not in html and f"•{number[-4:]}" in html
        assert "Hal Holder" in html
        lots = html[html.index('id="lots"'):html.index('id="history"')]
        assert "50.00" in lots
        history = html[html.index('id="history"'):]
        assert "adjust" in history and "50.00" in history

    @pytest.mark.parametrize(("number", "status", "code"), [
        ("", 422, "bad_card_number"), ("29-00", 422, "bad_card_number"),
        ("٢٩٠٠٠٠", 422, "bad_card_number"), ("9" * 40, 422, "bad_card_number"),
        ("2900000000994", 404, "card_not_found")])
    def test_a_bad_or_unknown_number_is_a_message(self, managing: OfficeScreen, number: str,
                                                  status: int, code: str) -> None:
        response = managing.form("/office/loyalty/card", {"card_code": number})
        assert response.status_code == status and problem_code(response) == code
        assert 'name="card_code"' in response.get_data(as_text=True)


@pytest.fixture
def certificate(api: ApiClient, db: Database, fixed_clock: FixedClock, till: Till) -> None:
    """A 1500.00 certificate of any amount sold at MAIN."""
    add_certificate_item(db, fixed_clock.now())
    _ok(api.as_("manager").post("/api/v1/gift-certificate-types", json={
        "code": "GC-FREE", "name": "Any amount", "sku": "GIFT-CERT",
        "min_amount": "500.00", "max_amount": "10000.00", "valid_days": 365}), 201)
    till.open_shift()
    till.open_receipt()
    till.sell(certificate={"type": "GC-FREE", "amount": "1500.00"})
    till.pay_cash("1500.00")
    till.close()


class TestGiftCertificates:
    def test_the_outstanding_liability_and_counts_of_the_managers_stores(
            self, managing: OfficeScreen, certificate: None) -> None:
        html = managing.page("/office/gift-certificates").get_data(as_text=True)
        assert '<span class="num" id="outstanding">1500.00</span>' in html
        assert "<td>GC-FREE</td><td>MAIN</td>" in html
        assert '<td>GC-FREE</td><td>active</td><td class="num">1</td>' in html

    def test_another_stores_certificates_are_not_shown(
            self, managing: OfficeScreen, certificate: None, db: Database,
            shop: Shop) -> None:
        with db.transaction() as session:
            session.execute(update(GiftCertificate).values(store_id=shop.other_store_id))
        html = managing.page("/office/gift-certificates").get_data(as_text=True)
        assert '<span class="num" id="outstanding">0.00</span>' in html
        assert "GC-FREE" not in html


class TestRebates:
    @pytest.fixture
    def claim(self, api: ApiClient, till: Till, fixed_clock: FixedClock) -> int:
        manager = api.as_("manager")
        acme = _ok(manager.post("/api/v1/customers", json={
            "code": "ACME", "legal_name": "ACME Wholesale LLC", "credit_limit": "5000.00",
            "payment_terms_days": 30, "segment": "HORECA"}), 201)
        draft = _ok(manager.post("/api/v1/rebates/agreements", json={
            "name": "ACME 2026", "customer_id": acme["id"], "period_type": "quarter",
            "valid_from": "2026-01-01", "valid_to": "2026-12-31",
            "tiers": [{"from": "1000.00", "rate": "3"}, {"from": "2000.00", "rate": "5"}]}),
            201)
        _ok(manager.post(f"/api/v1/rebates/agreements/{draft['id']}/status",
                         json={"status": "approved"}))
        till.open_shift()
        _ok(till.checkout([{"sku": "OAT-MILK-1L", "quantity": "8"}],
                          [{"type": "on_account", "amount": "1199.20"}], customer_ref="ACME"),
            201)
        return int(draft["id"])

    def test_an_agreement_shows_its_base_tier_and_distance_to_the_next(
            self, managing: OfficeScreen, claim: int) -> None:
        html = managing.page("/office/rebates").get_data(as_text=True)
        cells = _cells(html, f"agreement-{claim}")
        assert cells[0] == "ACME 2026" and cells[2] == "2026-Q4"
        assert cells[4:8] == ["1199.20", "1", "800.80", "35.98"]

    def test_a_calculated_claim_is_approved_in_place(
            self, api: ApiClient, office: OfficeScreen, claim: int,
            fixed_clock: FixedClock) -> None:
        fixed_clock.set(datetime(2027, 1, 5, 9, tzinfo=UTC))
        manager = ApiClient(api.client).as_("manager")
        claims = _ok(manager.post("/api/v1/rebates/calculations", json={"period": "2026-Q4"}),
                     201)
        claim_id = claims[0]["id"]
        office.sign_in()
        html = office.page("/office/rebates").get_data(as_text=True)
        assert _cells(html, f"claim-{claim_id}")[2:6] == ["2026-Q4", "1199.20", "35.98",
                                                          "calculated"]
        response = office.form(f"/office/rebates/claims/{claim_id}/approve")
        assert response.status_code == 303
        html = office.page("/office/rebates").get_data(as_text=True)
        assert _cells(html, f"claim-{claim_id}")[5] == "approved"
        again = office.form(f"/office/rebates/claims/{claim_id}/approve")
        assert again.status_code == 409 and problem_code(again) == "claim_already_approved"


class TestDevices:
    @pytest.fixture
    def devices(self, api: ApiClient, shop: Shop) -> None:
        for till_id, user in ((shop.till_id, "manager"), (shop.other_store_till_id, "admin")):
            _ok(api.as_(user).post(f"/api/v1/tills/{till_id}/devices", json={
                "kind": "printer", "protocol": "escpos", "url": f"/dev/ttyS{till_id}"}), 201)

    def test_each_till_of_the_managers_stores_with_its_devices(
            self, managing: OfficeScreen, devices: None, shop: Shop) -> None:
        html = managing.page("/office/devices").get_data(as_text=True)
        assert f"/dev/ttyS{shop.till_id}" in html
        assert f"/dev/ttyS{shop.other_store_till_id}" not in html
        assert "<td>MAIN</td><td>Till 2</td><td colspan=\"8\">No devices</td>" in html
        assert "West" not in html.split("<main", 1)[1]

    def test_an_unreachable_device_service_is_a_message_not_an_error(
            self, app: Flask, managing: OfficeScreen, devices: None) -> None:
        settings = app.extensions["pos.settings"]
        app.extensions["pos.settings"] = dataclasses.replace(
            settings, devices="service", device_service="127.0.0.1:9")
        response = managing.page("/office/devices")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert 'data-code="device_service_unavailable"' in html
        assert "device service unreachable" in html
