"""Catalog API: items, barcodes, prices, lookup, filters, and bad input."""

from sqlalchemy import func, select

from pos.catalog.model import Barcode, Item
from pos.core.barcode import WeightLayout, encode_weight_barcode
from tests.helpers import BANANA_PLU, MILK_EAN8, ApiClient

WEIGHT = WeightLayout.parse("20-29", "PPCCCCCWWWWWK")
NEW_ITEM = {"sku": "RYE-BREAD", "name": "Rye bread", "vat_rate": "vat10",
            "price_group": "DAIRY", "segments": ["MILK"],
            "barcodes": [{"code": "4006381333931"}, {"code": "RYE-INT", "kind": "internal"}]}


def count(db, model):
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


class TestItems:
    def test_manager_creates_an_item_with_barcodes(self, api):
        response = api.as_("manager").post("/api/v1/items", json=NEW_ITEM)
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert [b["kind"] for b in body["barcodes"]] == ["ean13", "internal"]
        assert body["segments"] == ["MILK"] and body["price_group"] == "DAIRY"

    def test_item_list_filters_and_paginates(self, api):
        page = api.get("/api/v1/items?segment=FRUIT&page_size=1").get_json()
        assert page["total"] == 2 and len(page["items"]) == 1
        weighed = api.get("/api/v1/items?is_weighed=true").get_json()
        assert {i["sku"] for i in weighed["items"]} == {"BANANA-KG", "APPLE-KG"}
        text = api.get("/api/v1/items?q=oat").get_json()
        assert [i["sku"] for i in text["items"]] == ["OAT-MILK-1L"]

    def test_second_page_is_the_next_slice_in_sku_order(self, api):
        second = api.get("/api/v1/items?page=2&page_size=2").get_json()
        # APPLE-KG and BANANA-KG fill the first page.
        assert [i["sku"] for i in second["items"]] == ["MILK-1L", "OAT-MILK-1L"]
        assert (second["page"], second["page_size"], second["total"]) == (2, 2, 4)
        beyond = api.get("/api/v1/items?page=99&page_size=2").get_json()
        assert (beyond["items"], beyond["total"]) == ([], 4)

    def test_patch_replaces_barcodes_and_delete_deactivates(self, api, shop):
        manager = api.as_("manager")
        item_id = shop.items["MILK-1L"]
        patched = manager.patch(f"/api/v1/items/{item_id}",
                                json={"barcodes": [{"code": MILK_EAN8}], "name": "Milk"})
        assert patched.status_code == 200, patched.get_json()
        assert [b["code"] for b in patched.get_json()["barcodes"]] == [MILK_EAN8]
        deleted = manager.delete(f"/api/v1/items/{item_id}")
        assert deleted.get_json()["is_active"] is False

    def test_unknown_item_is_404(self, api):
        assert api.get("/api/v1/items/999").get_json()["code"] == "item_not_found"


class TestBadItems:
    def post(self, api, **changes):
        return api.as_("manager").post("/api/v1/items", json={**NEW_ITEM, **changes})

    def test_bad_check_digit_names_the_barcode_and_writes_nothing(self, api, db):
        before = count(db, Item)
        response = self.post(api, barcodes=[{"code": "4006381333932"}])
        assert response.status_code == 422
        body = response.get_json()
        assert body["code"] == "invalid_check_digit" and "barcodes[0]" in body["errors"]
        assert count(db, Item) == before

    def test_duplicate_sku_and_barcode_are_409(self, api):
        dup_sku = self.post(api, sku="OAT-MILK-1L")
        assert dup_sku.status_code == 409 and dup_sku.get_json()["code"] == "duplicate_sku"
        dup_code = self.post(api, barcodes=[{"code": MILK_EAN8}])
        assert dup_code.get_json()["code"] == "duplicate_barcode"

    def test_unknown_segment_and_group_are_named(self, api):
        response = self.post(api, segments=["NOPE"], price_group="NOPE")
        body = response.get_json()
        assert response.status_code == 422
        assert {"segments", "price_group"} <= set(body["errors"])

    def test_wrong_types_and_unknown_fields_are_422(self, api):
        response = self.post(api, is_weighed="maybe", colour="red")
        assert response.status_code == 422
        assert {"is_weighed", "colour"} <= set(response.get_json()["errors"])

    def test_weight_prefix_barcodes_are_reserved(self, api):
        code = encode_weight_barcode("21", 5, 100, WEIGHT)
        response = self.post(api, barcodes=[{"code": code}])
        assert response.get_json()["code"] == "reserved_barcode_prefix"


class TestPrices:
    def test_price_is_rounded_to_the_price_type_step(self, api, shop):
        manager = api.as_("manager")
        assert manager.post("/api/v1/price-types", json={
            "code": "rounded", "name": "Rounded", "rounding_step": "1.00"}).status_code == 201
        response = manager.post(f"/api/v1/items/{shop.items['OAT-MILK-1L']}/prices", json={
            "store_id": shop.store_id, "price_type": "rounded", "price": "149.50",
            "valid_from": "2026-11-01"})
        assert response.status_code == 201
        assert response.get_json()["price"] == "150.00"

    def test_negative_price_unknown_store_and_bad_dates_are_refused(self, api, shop):
        manager, path = api.as_("manager"), f"/api/v1/items/{shop.items['OAT-MILK-1L']}/prices"
        base = {"store_id": shop.store_id, "price_type": "retail", "price": "1.00",
                "valid_from": "2026-11-01"}
        negative = manager.post(path, json={**base, "price": "-1.00"})
        assert negative.status_code == 422 and "price" in negative.get_json()["errors"]
        store = manager.post(path, json={**base, "store_id": 999})
        assert store.get_json()["code"] == "store_not_found"
        dates = manager.post(path, json={**base, "valid_to": "2026-10-01"})
        assert dates.get_json()["code"] == "dates_out_of_order"

    def test_a_newer_price_wins_from_its_date(self, api, shop, fixed_clock):
        manager = api.as_("manager")
        manager.post(f"/api/v1/items/{shop.items['OAT-MILK-1L']}/prices", json={
            "store_id": shop.store_id, "price_type": "retail", "price": "159.90",
            "valid_from": "2026-11-23"})
        path = f"/api/v1/catalog/lookup?code=4600000000015&store_id={shop.store_id}"
        assert api.get(path).get_json()["unit_price"] == "149.90"
        fixed_clock.advance(days=1)
        fresh = ApiClient(api.client)  # yesterday's token has expired
        assert fresh.get(path).get_json()["unit_price"] == "159.90"


class TestLookup:
    def test_weight_barcode_gives_item_weight_and_amount(self, api, shop):
        code = encode_weight_barcode("21", BANANA_PLU, 455, WEIGHT)
        body = api.get(f"/api/v1/catalog/lookup?code={code}&store_id={shop.store_id}").get_json()
        assert body["item"]["sku"] == "BANANA-KG"
        assert body["quantity"] == "0.455" and body["is_weight_barcode"] is True
        assert body["unit_price"] == "129.90" and body["amount"] == "59.10"

    def test_second_barcode_of_an_item_resolves_too(self, api, shop):
        body = api.get(f"/api/v1/catalog/lookup?code={MILK_EAN8}&store_id={shop.store_id}")
        assert body.get_json()["item"]["sku"] == "MILK-1L"

    def test_unknown_codes_and_stores_are_404_bad_digits_422(self, api, shop):
        unknown = api.get(f"/api/v1/catalog/lookup?code=4006381333931&store_id={shop.store_id}")
        assert unknown.get_json()["code"] == "barcode_not_found"
        plu = encode_weight_barcode("21", 777, 100, WEIGHT)
        assert api.get(f"/api/v1/catalog/lookup?code={plu}&store_id={shop.store_id}"
                       ).get_json()["code"] == "plu_not_found"
        assert api.get("/api/v1/catalog/lookup?code=4006381333931&store_id=99"
                       ).get_json()["code"] == "store_not_found"
        bad = api.get(f"/api/v1/catalog/lookup?code=4006381333932&store_id={shop.store_id}")
        assert bad.status_code == 422 and bad.get_json()["errors"]["code"]

    def test_missing_query_arguments_are_named(self, api):
        response = api.get("/api/v1/catalog/lookup")
        assert response.status_code == 422
        assert {"code", "store_id"} <= set(response.get_json()["errors"])


def test_nothing_is_written_when_barcodes_conflict_inside_one_item(api, db):
    before = count(db, Barcode)
    response = api.as_("manager").post("/api/v1/items", json={
        **NEW_ITEM, "barcodes": [{"code": "4006381333931"}, {"code": "4006381333931"}]})
    assert response.status_code == 409
    assert count(db, Barcode) == before
