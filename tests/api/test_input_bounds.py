"""Numbers a client sends are bounded: ids, pages, amounts and quantities never reach the driver."""

from __future__ import annotations

import pytest

from tests.helpers import problem

TOO_BIG_ID = 2**63  # one past a 64-bit id: overflowed the database driver (500)
HUGE_AMOUNT = "9999999999999999999999999.00"




class TestIdsInPaths:
    @pytest.mark.parametrize("receipt_id", [TOO_BIG_ID, 10**30, 0])
    def test_an_id_that_cannot_exist_is_not_found(self, api, receipt_id):
        body = problem(api.get(f"/api/v1/receipts/{receipt_id}"), 404)
        assert body["code"] == "not_found"

    def test_the_largest_id_is_an_ordinary_miss(self, api):
        body = problem(api.get(f"/api/v1/receipts/{2**63 - 1}"), 404)
        assert body["code"] == "receipt_not_found"

    def test_a_number_too_long_for_any_integer_is_not_found(self, api):
        assert api.get("/api/v1/shifts/" + "9" * 5000).status_code == 404


class TestIdsAndPagesInBodiesAndQueries:
    def test_a_till_id_past_64_bits_names_the_field(self, api):
        body = problem(api.post("/api/v1/receipts", json={"till_id": TOO_BIG_ID}), 422)
        assert set(body["errors"]) == {"till_id"}

    def test_a_page_past_the_bound_names_the_field(self, api):
        body = problem(api.as_("manager").get("/api/v1/shifts?page=92233720368547758"), 422)
        assert set(body["errors"]) == {"page"}

    def test_an_id_filter_past_64_bits_names_the_field(self, api):
        body = problem(api.as_("manager").get(f"/api/v1/fiscal/outbox?till_id={TOO_BIG_ID}"),
                        422)
        assert set(body["errors"]) == {"till_id"}

    def test_ids_inside_lists_are_bounded(self, api):
        body = problem(api.as_("manager").post("/api/v1/discounts", json={
            "name": "Big", "benefit": {"type": "percent_off", "percent": "5"},
            "item_ids": [1, TOO_BIG_ID]}), 422)
        assert "item_ids" in body["errors"]

    def test_a_return_of_a_line_past_the_bound_names_the_field(self, api, shop):
        body = problem(api.post("/api/v1/returns", json={
            "till_id": shop.till_id, "original_receipt_id": 1,
            "lines": [{"line_no": 2**31, "quantity": "1"}]}), 422)
        assert "lines" in body["errors"]


class TestAmounts:
    def test_a_huge_cash_in_is_refused_as_too_large(self, api, shift):
        body = problem(api.post(f"/api/v1/shifts/{shift['id']}/cash-in",
                                 json={"amount": HUGE_AMOUNT, "reason": "float"}), 422)
        assert body["code"] == "amount_too_large"
        assert set(body["errors"]) == {"amount"}

    def test_a_huge_payment_is_refused_and_nothing_is_paid(self, api, receipt):
        path = f"/api/v1/receipts/{receipt['id']}/payments"
        body = problem(api.post(path, json={"type": "cash", "amount": HUGE_AMOUNT}), 422)
        assert body["code"] == "amount_too_large"
        assert api.get(f"/api/v1/receipts/{receipt['id']}").get_json()["payments"] == []

    def test_the_largest_amount_is_taken(self, api, shift):
        response = api.post(f"/api/v1/shifts/{shift['id']}/cash-in",
                            json={"amount": "999999999.99", "reason": "float"})
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["amount"] == "999999999.99"

    def test_one_minor_unit_more_is_too_large(self, api, shift):
        body = problem(api.post(f"/api/v1/shifts/{shift['id']}/cash-in",
                                 json={"amount": "1000000000.00", "reason": "float"}), 422)
        assert body["code"] == "amount_too_large"

    def test_a_huge_price_is_refused(self, api, shop):
        item = shop.items["MILK-1L"]
        body = problem(api.as_("manager").post(f"/api/v1/items/{item}/prices", json={
            "store_id": shop.store_id, "price_type": "retail", "price": HUGE_AMOUNT,
            "valid_from": "2026-12-01"}), 422)
        assert body["code"] == "amount_too_large"

    def test_a_huge_amount_among_other_errors_keeps_the_generic_code(self, api, shift):
        body = problem(api.post(f"/api/v1/shifts/{shift['id']}/cash-in",
                                 json={"amount": HUGE_AMOUNT}), 422)
        assert body["code"] == "validation_failed"
        assert set(body["errors"]) == {"amount", "reason"}


class TestQuantities:
    def test_a_huge_quantity_is_refused_as_too_large(self, api, receipt):
        body = problem(api.post(f"/api/v1/receipts/{receipt['id']}/lines",
                                 json={"sku": "MILK-1L", "quantity": "100000"}), 422)
        assert body["code"] == "quantity_too_large"
        assert set(body["errors"]) == {"quantity"}

    def test_a_huge_line_change_is_refused(self, api, receipt):
        body = problem(api.patch(f"/api/v1/receipts/{receipt['id']}/lines/1",
                                  json={"quantity": "1" + "0" * 30}), 422)
        assert body["code"] == "quantity_too_large"
