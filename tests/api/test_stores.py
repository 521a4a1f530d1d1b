"""Stores and tills API."""


class TestStores:
    def test_admin_creates_a_store_and_a_till(self, api):
        admin = api.as_("admin")
        store = admin.post("/api/v1/stores", json={
            "code": "NORTH", "name": "North", "timezone": "Asia/Yekaterinburg",
            "max_cash_difference": "100.00", "price_type": "retail"})
        assert store.status_code == 201, store.get_json()
        assert store.get_json()["max_cash_difference"] == "100.00"
        till = admin.post(f"/api/v1/stores/{store.get_json()['id']}/tills",
                          json={"number": 1, "mode": "offline"})
        assert till.status_code == 201 and till.get_json()["mode"] == "offline"
        listed = admin.get("/api/v1/stores").get_json()
        assert {s["code"] for s in listed} == {"MAIN", "NORTH", "WEST"}
        # Everyone else sees only the stores they work in: the cashier works in MAIN.
        assert {s["code"] for s in api.get("/api/v1/stores").get_json()} == {"MAIN"}

    def test_cashier_and_manager_cannot_create_stores(self, api):
        body = {"code": "X", "name": "X", "timezone": "UTC"}
        assert api.post("/api/v1/stores", json=body).status_code == 403
        assert api.as_("manager").post("/api/v1/stores", json=body).status_code == 403

    def test_unknown_time_zone_and_price_type_are_named(self, api):
        admin = api.as_("admin")
        zone = admin.post("/api/v1/stores", json={"code": "X", "name": "X",
                                                  "timezone": "Mars/Olympus"})
        assert zone.status_code == 422 and zone.get_json()["code"] == "unknown_timezone"
        kind = admin.post("/api/v1/stores", json={"code": "X", "name": "X", "timezone": "UTC",
                                                  "price_type": "nope"})
        assert kind.get_json()["code"] == "unknown_price_type"
        assert api.as_("manager").get("/api/v1/stores").get_json()[0]["code"] == "MAIN"

    def test_duplicate_codes_and_till_numbers_are_409(self, api, shop):
        admin = api.as_("admin")
        dup = admin.post("/api/v1/stores", json={"code": "MAIN", "name": "X", "timezone": "UTC"})
        assert dup.status_code == 409 and dup.get_json()["code"] == "store_code_taken"
        till = admin.post(f"/api/v1/stores/{shop.store_id}/tills", json={"number": 1})
        assert till.status_code == 409 and till.get_json()["code"] == "till_number_taken"

    def test_tills_of_unknown_stores_and_bad_modes_are_refused(self, api, shop):
        admin = api.as_("admin")
        assert admin.post("/api/v1/stores/99/tills", json={"number": 3}
                          ).get_json()["code"] == "store_not_found"
        mode = admin.patch(f"/api/v1/tills/{shop.till_id}", json={"mode": "sometimes"})
        assert mode.status_code == 422 and "mode" in mode.get_json()["errors"]

    def test_patch_changes_a_store(self, api, shop):
        response = api.as_("admin").patch(f"/api/v1/stores/{shop.store_id}",
                                          json={"name": "Main Street 1"})
        assert response.get_json()["name"] == "Main Street 1"
