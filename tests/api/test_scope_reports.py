"""Reports in scope: managers see the outbox, journal and audit log of their stores only."""

from __future__ import annotations

import pytest

from pos.core import audit
from tests.helpers import Till

MILK = [{"sku": "MILK-1L"}]


@pytest.fixture
def two_stores(api, shop, db, fixed_clock):
    """A sale in MAIN by the cashier and a shift in WEST by the admin, each with audit lines."""
    main = Till(api, shop)
    main.open_shift()
    main.ok(main.checkout(MILK, [{"type": "cash", "amount": "100.00"}]), 201)
    Till(api.as_("admin"), shop, shop.other_store_till_id).open_shift()
    with db.transaction() as session:
        for store_id in (shop.store_id, shop.other_store_id):
            audit.record(session, at=fixed_clock.now(), action="drawer_opened", user_id=None,
                         store_id=store_id)
    return shop


class TestOutbox:
    def test_managers_see_their_stores_rows_and_admins_all(self, api, two_stores):
        shop = two_stores
        tills = {row["till_id"] for row in api.as_("manager").get(
            "/api/v1/fiscal/outbox").get_json()["items"]}
        assert tills == {shop.till_id}
        west = api.as_("manager").get(f"/api/v1/fiscal/outbox?till_id={shop.other_store_till_id}")
        assert west.get_json()["total"] == 0
        everything = api.as_("admin").get("/api/v1/fiscal/outbox").get_json()["items"]
        assert {row["till_id"] for row in everything} == {shop.till_id, shop.other_store_till_id}


class TestJournal:
    def test_managers_verify_the_tills_of_their_stores_only(self, api, two_stores):
        shop = two_stores
        manager = api.as_("manager")
        verdict = manager.get("/api/v1/journal/verify").get_json()
        assert {t["till_id"] for t in verdict["tills"]} == {shop.till_id, shop.other_till_id}
        west = manager.get(f"/api/v1/journal/verify?till_id={shop.other_store_till_id}")
        assert west.status_code == 404 and west.get_json()["code"] == "till_not_found"
        admin = api.as_("admin").get("/api/v1/journal/verify").get_json()
        assert shop.other_store_till_id in {t["till_id"] for t in admin["tills"]}


class TestAudit:
    def test_managers_see_their_stores_entries_and_those_of_no_store(self, api, two_stores):
        shop = two_stores
        entries = api.as_("manager").get("/api/v1/audit?page_size=500").get_json()["items"]
        assert {e["store_id"] for e in entries} == {shop.store_id, None}
        everything = api.as_("admin").get("/api/v1/audit?page_size=500").get_json()["items"]
        assert shop.other_store_id in {e["store_id"] for e in everything}
