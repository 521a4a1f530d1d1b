"""Stores, prices and lookups in scope: what belongs to another store is 404."""

from __future__ import annotations

from tests.helpers import OAT_MILK_EAN, hire


def _code(response):
    return response.get_json()["code"]


class TestStores:
    def test_each_role_lists_the_stores_it_works_in(self, api, shop):
        def codes(user):
            return [s["code"] for s in api.as_(user).get("/api/v1/stores").get_json()]

        assert codes("cashier") == codes("manager") == ["MAIN"]
        assert codes("admin") == ["MAIN", "WEST"]

    def test_a_manager_who_may_edit_stores_edits_only_his(self, api, shop):
        sam = hire(api, "sam", "manager", [shop.store_id], extra_rights=["manage_stores"])
        assert sam.patch(f"/api/v1/stores/{shop.store_id}", json={"name": "M"}
                         ).status_code == 200
        responses = [
            sam.patch(f"/api/v1/stores/{shop.other_store_id}", json={"name": "W"}),
            sam.post(f"/api/v1/stores/{shop.other_store_id}/tills", json={"number": 7}),
            sam.patch(f"/api/v1/tills/{shop.other_store_till_id}", json={"name": "W"})]
        assert [(r.status_code, _code(r)) for r in responses] == [
            (404, "store_not_found"), (404, "store_not_found"), (404, "till_not_found")]


class TestPricesAndLookups:
    def test_a_manager_sets_prices_only_in_his_stores(self, api, shop):
        path = f"/api/v1/items/{shop.items['MILK-1L']}/prices"
        body = {"price_type": "retail", "price": "95.00", "valid_from": "2026-12-01"}
        manager = api.as_("manager")
        assert manager.post(path, json={**body, "store_id": shop.store_id}).status_code == 201
        west = manager.post(path, json={**body, "store_id": shop.other_store_id})
        assert west.status_code == 404 and _code(west) == "store_not_found"
        assert api.as_("admin").post(path, json={**body, "store_id": shop.other_store_id}
                                     ).status_code == 201

    def test_lookups_answer_only_in_the_cashiers_stores(self, api, shop):
        lookup = f"/api/v1/catalog/lookup?code={OAT_MILK_EAN}&store_id="
        assert api.get(lookup + str(shop.store_id)).status_code == 200
        assert _code(api.get(lookup + str(shop.other_store_id))) == "store_not_found"
