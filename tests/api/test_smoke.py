"""First contact: health, sign-in, lookup."""

from tests.helpers import OAT_MILK_EAN


def test_health_reports_version_and_database(client):
    body = client.get("/health").get_json()
    assert body["status"] == "ok"
    assert body["database"]["reachable"] is True


def test_lookup_by_ean_returns_item_and_price(api, shop):
    response = api.get(f"/api/v1/catalog/lookup?code={OAT_MILK_EAN}&store_id={shop.store_id}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["item"]["sku"] == "OAT-MILK-1L"
    assert body["unit_price"] == "149.90"
