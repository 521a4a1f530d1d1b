"""Shifts through the API: open, cash in/out, X report, close with a Z report, list."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pos.core.audit import AuditEntry
from tests.helpers import MANAGER


def weight_ean(plu: int, grams: int) -> str:
    """Build an EAN-13 weight barcode: prefix 20, PLU, grams, check digit."""
    body = f"20{plu:05d}{grams:05d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _code(response):
    return response.get_json()["code"]


class TestOpenShift:
    def test_opening_records_who_when_and_float(self, till, shop):
        shift = till.open_shift("1500.00")
        assert shift["state"] == "open"
        assert shift["opening_float"] == "1500.00"
        assert shift["till_id"] == shop.till_id

    def test_second_open_shift_on_a_till_is_rejected(self, till):
        till.open_shift()
        response = till.api.post("/api/v1/shifts", json={"till_id": till.till_id,
                                                         "opening_float": "1000.00"})
        assert response.status_code == 409
        assert _code(response) == "shift_already_open"

    def test_a_shift_without_its_opening_float_is_refused(self, till, db):
        response = till.api.post("/api/v1/shifts", json={"till_id": till.till_id})
        assert response.status_code == 422
        assert _code(response) == "validation_failed"
        assert list(response.get_json()["errors"]) == ["opening_float"]
        assert till.api.as_("manager").get("/api/v1/shifts").get_json()["total"] == 0
        assert till.open_shift("0.00")["opening_float"] == "0.00"

    def test_card_holder_cannot_open_a_shift(self, till):
        response = till.api.as_("holder").post("/api/v1/shifts", json={"till_id": till.till_id})
        assert response.status_code == 403

    def test_unknown_till_is_not_found(self, till):
        response = till.api.post("/api/v1/shifts", json={"till_id": 99999,
                                                         "opening_float": "0.00"})
        assert _code(response) == "till_not_found"


class TestCashMovements:
    def test_cash_in_is_a_numbered_document(self, till):
        shift = till.open_shift()
        body = till.ok(till.api.post(f"/api/v1/shifts/{shift['id']}/cash-in",
                                     json={"amount": "500.00", "reason": "change float"}), 201)
        assert body["number"] == 1
        assert body["kind"] == "cash_in"

    def test_cashier_cash_out_needs_a_manager(self, till):
        shift = till.open_shift()
        path = f"/api/v1/shifts/{shift['id']}/cash-out"
        refused = till.api.post(path, json={"amount": "100.00", "reason": "safe"})
        assert refused.status_code == 403
        assert _code(refused) == "approval_required"
        approved = till.api.post(path, json={"amount": "100.00", "reason": "safe"},
                                 headers=MANAGER)
        assert till.ok(approved, 201)["approved_by_id"] is not None

    def test_cash_out_never_exceeds_expected_cash(self, till):
        shift = till.open_shift("100.00")
        response = till.api.as_("manager").post(f"/api/v1/shifts/{shift['id']}/cash-out",
                                                json={"amount": "100.01", "reason": "safe"})
        assert response.status_code == 409
        assert _code(response) == "insufficient_cash"

    def test_holder_cannot_cash_in(self, till):
        shift = till.open_shift()
        response = till.api.as_("holder").post(f"/api/v1/shifts/{shift['id']}/cash-in",
                                               json={"amount": "1.00", "reason": "x"})
        assert response.status_code == 403


class TestClose:
    def test_z_report_reconciles_sales_returns_and_cash(self, till, shop):
        shift = till.open_shift("1000.00")
        till.open_receipt()
        till.sell("OAT-MILK-1L", quantity="2")  # 299.80
        till.sell(code=weight_ean(1, 1234))  # bananas 1.234 kg x 129.90 = 160.30
        till.pay_card("200.00")
        sale = till.pay_cash("300.00")
        sale = till.close()
        assert (sale["total"], sale["change"], sale["number"]) == ("460.10", "39.90", 1)
        refund = till.ok(till.api.post("/api/v1/returns", json={
            "till_id": till.till_id, "original_receipt_id": sale["id"],
            "lines": [{"line_no": 1, "quantity": "1"}]}), 201)
        assert {p["type"]: p["amount"] for p in refund["payments"]} == {
            "card": "65.16", "cash": "84.74"}
        base = f"/api/v1/shifts/{shift['id']}"
        till.ok(till.api.post(f"{base}/cash-in", json={"amount": "500.00", "reason": "float"}),
                201)
        till.ok(till.api.as_("manager").post(f"{base}/cash-out",
                                             json={"amount": "200.00", "reason": "safe"}), 201)
        closed = till.ok(till.api.post(f"{base}/close", json={"counted_cash": "1475.36"}))
        z = closed["z_report"]
        assert (closed["difference"], closed["z_number"]) == ("0.00", 5)
        assert z["number_range"] == {"first": 1, "last": 2}
        assert z["sales"]["by_payment"] == {"card": "200.00", "cash": "260.10"}
        assert z["sales"]["by_vat"] == {"vat10": "460.10"}
        assert z["returns"]["by_payment"] == {"card": "65.16", "cash": "84.74"}
        assert (z["sales"]["count"], z["returns"]["count"]) == (1, 1)
        assert z["cash"] == {"opening_float": "1000.00", "sales": "260.10",
                             "refunds": "84.74", "cash_in": "500.00", "cash_out": "200.00",
                             "expected": "1475.36", "counted": "1475.36",
                             "difference": "0.00"}

    def test_shift_with_an_open_receipt_cannot_close(self, till):
        shift = till.open_shift()
        till.open_receipt()
        response = till.api.post(f"/api/v1/shifts/{shift['id']}/close",
                                 json={"counted_cash": "1000.00"})
        assert response.status_code == 409
        assert _code(response) == "open_receipts"

    def test_the_open_receipts_that_keep_a_shift_open_are_named(self, till):
        shift = till.open_shift()
        first = till.open_receipt()
        second = till.open_receipt()
        till.sell("MILK-1L")
        till.pay_cash("100.00")
        till.close()
        third = till.open_receipt()
        body = till.api.post(f"/api/v1/shifts/{shift['id']}/close",
                             json={"counted_cash": "1000.00"}).get_json()
        assert (body["code"], body["count"], body["till_id"]) == ("open_receipts", 2,
                                                                 till.till_id)
        assert body["receipt_ids"] == [first["id"], third["id"]]
        assert second["id"] not in body["receipt_ids"]

    def test_large_difference_needs_a_manager(self, till):
        shift = till.open_shift("1000.00")
        path = f"/api/v1/shifts/{shift['id']}/close"
        body = {"counted_cash": "800.00"}
        refused = till.api.post(path, json=body)
        assert _code(refused) == "approval_required"
        closed = till.ok(till.api.post(path, json=body, headers=MANAGER))
        assert closed["difference"] == "-200.00"
        assert closed["is_blind_close"] is False

    def test_small_difference_closes_without_approval(self, till):
        shift = till.open_shift("1000.00")
        closed = till.ok(till.api.post(f"/api/v1/shifts/{shift['id']}/close",
                                       json={"counted_cash": "999.50"}))
        assert closed["difference"] == "-0.50"
        assert closed["z_report"]["cash"]["expected"] == "1000.00"

    def test_closing_another_users_shift_needs_a_manager(self, till):
        shift = till.as_("manager").open_shift()
        path = f"/api/v1/shifts/{shift['id']}/close"
        refused = till.api.post(path, json={"counted_cash": "1000.00"})
        assert _code(refused) == "approval_required"

    def test_manager_closes_a_cashiers_shift(self, till):
        shift = till.open_shift()
        closed = till.ok(till.api.as_("manager").post(f"/api/v1/shifts/{shift['id']}/close",
                                                      json={"counted_cash": "1000.00"}))
        assert closed["state"] == "closed"

    def test_closed_shift_refuses_cash_in(self, till):
        shift = till.open_shift()
        till.ok(till.api.post(f"/api/v1/shifts/{shift['id']}/close",
                              json={"counted_cash": "1000.00"}))
        response = till.api.post(f"/api/v1/shifts/{shift['id']}/cash-in",
                                 json={"amount": "1.00", "reason": "late"})
        assert _code(response) == "shift_closed"


class TestBlindClose:
    @pytest.fixture
    def blind_store(self, api, shop):
        response = api.as_("admin").patch(f"/api/v1/stores/{shop.store_id}", json={
            "blind_close": True, "blind_recounts": 1})
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["blind_close"] is True
        return shop

    def test_the_cashier_recounts_then_needs_a_manager_and_never_sees_the_target(
            self, till, blind_store, db):
        shift = till.open_shift("1000.00")
        x_report = till.api.get(f"/api/v1/shifts/{shift['id']}/x-report")
        assert x_report.status_code == 403 and _code(x_report) == "x_report_restricted"
        path = f"/api/v1/shifts/{shift['id']}/close"
        first = till.api.post(path, json={"counted_cash": "800.00"})
        assert first.status_code == 409 and _code(first) == "recount_required"
        assert first.get_json()["recounts_left"] == 0
        assert "1000" not in first.get_data(as_text=True)
        second = till.api.post(path, json={"counted_cash": "800.00"})
        assert _code(second) == "approval_required"
        closed = till.ok(till.api.post(path, json={"counted_cash": "800.00"}, headers=MANAGER))
        assert (closed["state"], closed["is_blind_close"], closed["cash_hidden"]) == (
            "closed", True, True)
        assert closed["expected_cash"] is closed["difference"] is closed["z_report"] is None
        assert closed["counted_cash"] == "800.00"
        as_cashier = till.ok(till.api.get(f"/api/v1/shifts/{shift['id']}"))
        assert as_cashier["expected_cash"] is None and as_cashier["cash_hidden"] is True
        as_manager = till.ok(till.api.as_("manager").get(f"/api/v1/shifts/{shift['id']}"))
        assert (as_manager["expected_cash"], as_manager["difference"]) == ("1000.00", "-200.00")
        assert as_manager["cash_hidden"] is False
        assert as_manager["z_report"]["is_blind_close"] is True
        with db.read() as session:
            refused = session.scalars(select(AuditEntry).where(
                AuditEntry.action == "blind_count_refused")).all()
        assert [entry.details["counted_minor"] for entry in refused] == [80000]

    def test_a_count_within_tolerance_closes_at_once(self, till, blind_store):
        shift = till.open_shift("1000.00")
        closed = till.ok(till.api.post(f"/api/v1/shifts/{shift['id']}/close",
                                       json={"counted_cash": "999.00"}))
        assert closed["is_blind_close"] is True and closed["difference"] is None

    def test_a_recount_that_matches_closes_without_a_manager(self, till, blind_store):
        shift = till.open_shift("1000.00")
        path = f"/api/v1/shifts/{shift['id']}/close"
        assert _code(till.api.post(path, json={"counted_cash": "1500.00"})) == "recount_required"
        closed = till.ok(till.api.post(path, json={"counted_cash": "1000.00"}))
        assert (closed["state"], closed["counted_cash"]) == ("closed", "1000.00")

    def test_a_manager_counts_openly_and_sees_the_x_report(self, till, blind_store):
        manager = till.as_("manager")
        shift = manager.open_shift("1000.00")
        report = manager.x_report()
        assert report["cash"]["expected"] == "1000.00"
        closed = manager.ok(manager.api.post(f"/api/v1/shifts/{shift['id']}/close",
                                             json={"counted_cash": "1000.00"}))
        assert closed["is_blind_close"] is False and closed["difference"] == "0.00"


class TestExpiry:
    def test_shift_older_than_24_hours_refuses_new_receipts(self, till, fixed_clock):
        till.open_shift()
        fixed_clock.advance(hours=25)
        till.api._tokens.clear()  # the sign-in token has expired too
        response = till.api.post("/api/v1/receipts", json={"till_id": till.till_id})
        assert response.status_code == 409
        assert _code(response) == "shift_expired"


class TestList:
    def test_shifts_are_listed_by_till_with_their_reports(self, till, shop):
        shift = till.open_shift()
        till.ok(till.api.post(f"/api/v1/shifts/{shift['id']}/close",
                              json={"counted_cash": "1000.00"}))
        page = till.ok(till.api.as_("manager").get(f"/api/v1/shifts?till={shop.till_id}"))
        assert page["total"] == 1
        assert page["items"][0]["z_report"]["number_range"] == {"first": None, "last": None}
        assert page["items"][0]["z_number"] == 1
        other = till.ok(till.api.as_("manager").get(
            f"/api/v1/shifts?till={shop.other_till_id}"))
        assert other["total"] == 0

    def test_cashier_cannot_list_shifts(self, till):
        assert till.api.get("/api/v1/shifts").status_code == 403

    def test_x_report_shows_totals_without_closing(self, till):
        till.open_shift("1000.00")
        till.open_receipt()
        till.sell("MILK-1L")
        till.pay_cash("100.00")
        till.close()
        report = till.x_report()
        assert report["sales"]["count"] == 1
        assert report["cash"]["expected"] == "1089.90"
