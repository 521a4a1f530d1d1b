"""HTTP details a generated client relies on: Allow, empty PATCHes, strict JSON types, money."""

from __future__ import annotations

import json
import re

import pytest

from pos.core.problems import money_as_decimals
from tests.helpers import problem


def _patch_routes(app) -> list[str]:
    return sorted({re.sub(r"<[^>]+>", "1", rule.rule) for rule in app.url_map.iter_rules()
                   if "PATCH" in (rule.methods or ())})


class TestMethodNotAllowed:
    def test_405_says_which_methods_the_resource_takes(self, api):
        response = api.put("/api/v1/receipts/1")
        body = problem(response, 405)
        assert body["code"] == "method_not_allowed"
        assert "GET" in {m.strip() for m in response.headers["Allow"].split(",")}


class TestEmptyPatch:
    def test_every_patch_route_refuses_an_empty_body(self, app, api):
        routes = _patch_routes(app)
        assert len(routes) >= 6  # stores, tills, items, lines, discounts, groups
        for path in routes:
            body = problem(api.as_("admin").patch(path, json={}), 422)
            assert body["code"] in ("empty_patch", "validation_failed"), path
            if body["code"] == "validation_failed":  # a field the change must carry
                assert body["errors"], path

    def test_a_patch_with_nothing_to_change_is_empty_patch(self, api, shop):
        body = problem(api.as_("admin").patch(f"/api/v1/stores/{shop.store_id}", json={}),
                        422)
        assert body["code"] == "empty_patch"

    def test_a_patch_without_a_body_is_empty_patch(self, api, shop):
        body = problem(api.as_("admin").patch(f"/api/v1/tills/{shop.till_id}"), 422)
        assert body["code"] == "empty_patch"

    def test_a_patch_with_a_change_goes_through(self, api, shop):
        response = api.as_("admin").patch(f"/api/v1/tills/{shop.till_id}", json={"name": "A"})
        assert response.status_code == 200, response.get_json()


class TestStrictBooleans:
    @pytest.mark.parametrize("value", ["yes", "true", 1, 0, "on", None])
    def test_a_body_boolean_is_only_true_or_false(self, api, shop, value):
        body = problem(api.as_("admin").patch(f"/api/v1/stores/{shop.store_id}",
                                               json={"blind_close": value}), 422)
        assert set(body["errors"]) == {"blind_close"}

    def test_json_true_is_taken(self, api, shop):
        response = api.as_("admin").patch(f"/api/v1/stores/{shop.store_id}",
                                          json={"blind_close": True})
        assert response.status_code == 200 and response.get_json()["blind_close"] is True

    @pytest.mark.parametrize("value", ["yes", "1", "on", "True"])
    def test_a_query_boolean_is_only_true_or_false(self, api, value):
        body = problem(api.get(f"/api/v1/items?is_active={value}"), 422)
        assert set(body["errors"]) == {"is_active"}

    def test_a_query_true_filters(self, api):
        response = api.get("/api/v1/items?is_weighed=true")
        assert response.status_code == 200, response.get_json()
        assert {i["sku"] for i in response.get_json()["items"]} == {"BANANA-KG", "APPLE-KG"}


class TestMoneyInProblems:
    def test_closing_an_unpaid_receipt_says_what_is_due_as_a_decimal(self, api, receipt):
        body = problem(api.post(f"/api/v1/receipts/{receipt['id']}/close"), 409)
        assert body["due"] == "149.90"
        assert not any(key.endswith("_minor") for key in body)

    def test_every_minor_member_becomes_a_decimal_string_without_the_suffix(self, app):
        with app.app_context():
            body = money_as_decimals({"code": "x", "due_minor": 1230, "count": 2,
                                      "expected_cash_minor": -5, "flag_minor": True})
        assert body == {"code": "x", "due": "12.30", "count": 2, "expected_cash": "-0.05",
                        "flag_minor": True}


class TestNumbersAsJson:
    def test_a_weight_as_a_json_number_is_read_exactly(self, api, receipt):
        response = api.post(f"/api/v1/receipts/{receipt['id']}/lines?view=full",
                            json={"sku": "APPLE-KG", "quantity": 0.455,
                                  "weight_source": "scale"})
        assert response.status_code == 201, response.get_json()
        apple = response.get_json()["lines"][-1]
        assert (apple["quantity"], apple["amount"]) == ("0.455", "72.75")  # 159.90 x 0.455

    def test_a_json_number_with_four_decimals_is_an_invalid_quantity(self, api, receipt):
        body = problem(api.post(f"/api/v1/receipts/{receipt['id']}/lines",
                                 json={"sku": "APPLE-KG", "quantity": 1.2345}), 422)
        assert body["code"] == "invalid_quantity"

    @pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "true"])
    def test_nan_infinity_and_booleans_are_no_quantity(self, api, receipt, literal):
        response = api.client.post(
            f"/api/v1/receipts/{receipt['id']}/lines", headers=api.headers(),
            data=f'{{"sku": "APPLE-KG", "quantity": {literal}}}',
            content_type="application/json")
        assert problem(response, 422)["code"] == "invalid_quantity"

    def test_a_line_change_takes_a_json_number(self, api, receipt):
        response = api.patch(f"/api/v1/receipts/{receipt['id']}/lines/1", json={"quantity": 3})
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["lines"][0]["quantity"] == "3.000"

    def test_a_manual_discount_percent_as_a_json_number(self, api, receipt):
        response = api.as_("manager").post(
            f"/api/v1/receipts/{receipt['id']}/manual-discounts",
            json={"percent": 5.5, "reason": "dented"})
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["manual_discounts"][0]["percent"] == "5.50"

    @pytest.mark.parametrize("percent", [5.555, 0, 100.01, "NaN", float("inf")])
    def test_a_percent_off_the_grid_is_refused(self, api, receipt, percent):
        raw = json.dumps({"percent": percent, "reason": "x"})  # NaN and Infinity as literals
        response = api.as_("manager").client.post(
            f"/api/v1/receipts/{receipt['id']}/manual-discounts",
            headers=api.as_("manager").headers(), data=raw, content_type="application/json")
        assert set(problem(response, 422)["errors"]) == {"percent"}

    def test_limits_take_a_json_number_and_answer_a_string(self, api):
        response = api.as_("manager").put("/api/v1/manual-discount-limits", json={
            "limits": [{"user_group": "cashiers", "max_percent": 7.5}]})
        assert response.status_code == 200, response.get_json()
        assert response.get_json()[0]["max_percent"] == "7.50"


class TestNulCharacters:
    """PostgreSQL cannot store or compare text with a NUL: it is refused before the database."""

    def test_a_nul_in_a_body_field_names_the_field(self, api):
        body = problem(api.as_("manager").post("/api/v1/segments", json={
            "code": "NUL", "name": "a\u0000b"}), 422)
        assert set(body["errors"]) == {"name"}

    def test_a_nul_deep_inside_a_value_names_the_outer_field(self, api, receipt):
        body = problem(api.post(f"/api/v1/receipts/{receipt['id']}/payments", json={
            "type": "cash", "amount": "1.00", "details": {"note": ["x\u0000"]}}), 422)
        assert set(body["errors"]) == {"details"}

    def test_a_nul_in_a_query_names_the_parameter(self, api):
        body = problem(api.get("/api/v1/items?q=milk%00"), 422)
        assert set(body["errors"]) == {"q"}

    def test_a_nul_in_a_path_name_is_not_found(self, api):
        response = api.as_("admin").put("/api/v1/users/cash%00ier/password",
                                         json={"password": "a-new-password"})
        assert problem(response, 404)["code"] == "not_found"

    def test_a_nul_in_manager_credentials_is_refused(self, api, shift):
        response = api.post(f"/api/v1/shifts/{shift['id']}/cash-out",
                            json={"amount": "1.00", "reason": "safe"},
                            headers={"X-Manager-Credentials": "man\u0000ager:manager-pass"})
        assert problem(response, 422)["code"] == "invalid_approval_header"
