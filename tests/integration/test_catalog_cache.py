"""The worker's catalog copy: used while the catalog stands, dropped by the very next request."""

from __future__ import annotations

import gc
import weakref

import pytest
from sqlalchemy import text

from pos.catalog.cache import catalog
from tests.helpers import ApiClient, problem, statements


@pytest.fixture(autouse=True)
def open_shift(till):  # type: ignore[no-untyped-def]
    """Every test here sells on till 1 with its shift open."""
    till.open_shift()



def quote_total(api: ApiClient, till_id: int, sku: str = "MILK-1L") -> str:
    """Return the quoted total of one piece of ``sku``."""
    response = api.post("/api/v1/receipts/quote", json={"till_id": till_id,
                                                         "lines": [{"sku": sku}]})
    assert response.status_code == 200, response.get_json()
    return str(response.get_json()["total"])


def write(db, sql: str, **params: object) -> None:  # type: ignore[no-untyped-def]
    """Change the catalog as a hand-run script would: plain SQL, no service."""
    with db.transaction() as session:
        session.execute(text(sql), params)


class TestCatalogCopy:
    def test_a_second_sale_of_the_same_items_reads_no_item_or_price_rows(self, till, db):
        till.open_receipt()
        till.sell("MILK-1L")
        quote_total(till.api, till.till_id, "OAT-MILK-1L")  # a quote fills the same copy
        with statements(db) as sent:
            till.sell("OAT-MILK-1L")
            till.sell("MILK-1L")
        reads = [s for s in sent if s.startswith("SELECT")]
        assert any("catalog_version" in s for s in reads)
        assert not [s for s in reads if " FROM items" in s or " FROM prices" in s], reads

    def test_a_price_set_through_the_api_is_charged_by_the_next_request(self, api, till, shop):
        assert quote_total(api, till.till_id) == "89.90"
        api.as_("manager").post(f"/api/v1/items/{shop.items['MILK-1L']}/prices", json={
            "store_id": shop.store_id, "price_type": "retail", "price": "94.90",
            "valid_from": "2026-11-20"})
        assert quote_total(api, till.till_id) == "94.90"
        till.open_receipt()
        assert till.sell("MILK-1L")["total"] == "94.90"

    def test_a_price_written_by_hand_is_charged_by_the_next_request(self, api, till, db, shop):
        till.open_receipt()
        assert till.sell("MILK-1L")["total"] == "89.90"
        write(db, "UPDATE prices SET price_minor = 7990 WHERE item_id = :item",
              item=shop.items["MILK-1L"])
        assert till.sell("MILK-1L")["lines"][1]["unit_price"] == "79.90"

    def test_an_item_taken_off_sale_is_refused_by_the_next_request(self, api, till, db, shop):
        till.open_receipt()
        till.sell("OAT-MILK-1L")
        write(db, "UPDATE items SET is_active = :no WHERE id = :item", no=False,
              item=shop.items["OAT-MILK-1L"])
        assert problem(till.sell_response("OAT-MILK-1L"), 409)["code"] == "item_inactive"
        upload = till.checkout([{"sku": "OAT-MILK-1L"}], [{"type": "cash", "amount": "149.90"}])
        assert problem(upload, 409)["code"] == "item_inactive"

    def test_a_segment_unlinked_by_hand_no_longer_earns_its_discount(self, api, till, db, shop):
        api.as_("manager").post("/api/v1/discounts", json={
            "name": "Milk 10%", "benefit": {"type": "percent_off", "percent": "10"},
            "segment": "MILK"})
        assert quote_total(api, till.till_id) == "80.91"
        write(db, "DELETE FROM item_segments WHERE item_id = :item", item=shop.items["MILK-1L"])
        assert quote_total(api, till.till_id) == "89.90"


    def test_a_till_moved_to_another_store_is_seen_by_the_next_upload(self, till, db, shop):
        sale = ([{"sku": "MILK-1L"}], [{"type": "cash", "amount": "89.90"}])
        assert till.checkout(*sale).status_code == 201
        write(db, "UPDATE tills SET store_id = :west, number = 99 WHERE id = :till",
              west=shop.other_store_id, till=till.till_id)
        # The cashier works at MAIN only: a till of WEST does not exist for them.
        assert problem(till.checkout(*sale), 404)["code"] == "till_not_found"

    def test_a_till_moved_to_another_store_is_seen_by_the_next_quote(self, till, db, shop):
        assert quote_total(till.api, till.till_id) == "89.90"
        write(db, "UPDATE tills SET store_id = :west, number = 99 WHERE id = :till",
              west=shop.other_store_id, till=till.till_id)
        assert problem(till.api.post("/api/v1/receipts/quote", json={
            "till_id": till.till_id, "lines": [{"sku": "MILK-1L"}]}), 404)["code"] \
            == "till_not_found"

    def test_a_quote_of_known_items_reads_only_the_version_tokens(self, till, db):
        quote_total(till.api, till.till_id, "OAT-MILK-1L")
        with statements(db) as sent:
            quote_total(till.api, till.till_id, "OAT-MILK-1L")
        reads = [s for s in sent if s.startswith("SELECT")]
        assert len(reads) == 1 and "catalog_version" in reads[0], reads


class TestTwoWorkers:
    def test_a_price_changed_through_one_app_is_charged_by_the_other(self, api, till, shop,
                                                                       database_url):
        from pos.app import create_app

        other = create_app({"database_url": database_url, "testing": True,
                            "log_level": "WARNING"})
        try:
            other_api = ApiClient(other.test_client())
            assert quote_total(api, till.till_id) == "89.90"
            assert quote_total(other_api, till.till_id) == "89.90"  # both copies filled
            other_api.as_("manager").post(f"/api/v1/items/{shop.items['MILK-1L']}/prices", json={
                "store_id": shop.store_id, "price_type": "retail", "price": "91.90",
                "valid_from": "2026-11-20"})
            assert quote_total(api, till.till_id) == "91.90"
            other_api.as_("manager").delete(f"/api/v1/items/{shop.items['MILK-1L']}")
            assert problem(api.post("/api/v1/receipts/quote", json={
                "till_id": till.till_id, "lines": [{"sku": "MILK-1L"}]}), 409)["code"] \
                == "item_inactive"
        finally:
            other.extensions["pos.db"].dispose()


class TestTillDevices:
    def test_a_device_added_or_disabled_is_seen_by_the_next_request(self, db, till):
        from datetime import UTC, datetime

        from pos.hardware.model import TillDevice

        NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)  # noqa: N806
        from pos.hardware.wiring import kinds_of

        def kinds() -> frozenset[str]:
            with db.read() as session:
                return kinds_of(session, till.till_id)

        known = kinds()
        assert "scale" not in known
        with db.read() as session, statements(db) as sent:
            assert kinds_of(session, till.till_id) == known
        assert not [s for s in sent if "till_devices" in s]  # kept under the token
        with db.transaction() as session:
            store_id = session.execute(text("SELECT store_id FROM tills WHERE id = :t"),
                                       {"t": till.till_id}).scalar_one()
            session.add(TillDevice(store_id=store_id, till_id=till.till_id, kind="scale",
                                   protocol="toledo8217", url="loop://",
                                   created_at=NOW, updated_at=NOW))
        assert kinds() == known | {"scale"}
        write(db, "UPDATE till_devices SET is_enabled = :off WHERE kind = 'scale'", off=False)
        assert kinds() == known


class TestStores:
    def test_a_store_changed_by_hand_is_read_anew_by_the_next_session(self, db, shop):
        from pos.catalog.cache import catalog

        def timezone() -> str:
            with db.read() as session:
                store = catalog(session).store(shop.store_id)
                assert store is not None
                return store.timezone

        before = timezone()
        with db.read() as session, statements(db) as sent:
            assert catalog(session).store(shop.store_id).timezone == before
        assert not [s for s in sent if " FROM stores" in s]  # kept under the token
        write(db, "UPDATE stores SET timezone = 'Asia/Yekaterinburg' WHERE id = :store",
              store=shop.store_id)
        assert timezone() == "Asia/Yekaterinburg" != before
        with db.read() as session:
            assert catalog(session).store(10**9) is None


class TestVersionTokens:
    def test_a_session_reads_every_token_once_in_one_statement(self, db, api, shop):
        from pos.catalog.model import CATALOG
        from pos.core import versions
        from pos.discounts.model import RULES

        with db.read() as session, statements(db) as sent:
            catalog_token = versions.token(session, CATALOG)
            rules_token = versions.token(session, RULES)
            assert versions.token(session, CATALOG) == catalog_token
        assert len([s for s in sent if "_version" in s]) == 1
        assert "catalog_version" in sent[-1] and "discount_rules_version" in sent[-1]
        api.as_("manager").post(f"/api/v1/items/{shop.items['MILK-1L']}/prices", json={
            "store_id": shop.store_id, "price_type": "retail", "price": "94.90",
            "valid_from": "2026-11-20"})
        with db.read() as session:
            assert versions.token(session, CATALOG) != catalog_token
            assert versions.token(session, RULES) == rules_token

    def test_a_row_read_along_comes_with_the_tokens_and_only_as_asked(self, db, api, shop):
        from sqlalchemy import bindparam, select

        from pos.catalog.model import CATALOG
        from pos.core import versions
        from pos.stores.model import Till

        along = versions.Along(select(Till.id, Till.number).where(Till.id == bindparam("id")))
        with db.read() as session, statements(db) as sent:
            versions.read_along(session, along, {"id": shop.till_id})
            assert versions.read_alongside(session, along, {"id": shop.till_id}) == (False, None)
            token = versions.token(session, CATALOG)
            is_read, row = versions.read_alongside(session, along, {"id": shop.till_id})
            assert (is_read, row.id, row.number) == (True, shop.till_id, 1)
            assert versions.read_alongside(session, along, {"id": 2}) == (False, None)
            assert versions.read_alongside(session, versions.Along(along.query),
                                           {"id": shop.till_id}) == (False, None)
        assert len([s for s in sent if s.startswith("SELECT")]) == 1
        with db.read() as session:
            versions.read_along(session, along, {"id": 10**9})
            assert versions.token(session, CATALOG) == token
            assert versions.read_alongside(session, along, {"id": 10**9}) == (True, None)
        with db.read() as session:  # asked after the tokens were read: not sent
            assert versions.token(session, CATALOG) == token
            versions.read_along(session, along, {"id": shop.till_id})
            assert versions.read_alongside(session, along, {"id": shop.till_id}) == (False, None)


class TestTheSessionsCatalog:
    def test_a_finished_session_goes_without_the_cycle_collector(self, db, shop):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            with db.transaction() as session:
                copy = catalog(session)
                assert copy.items_by_sku(["MILK-1L"])  # the catalog used its session
                gone = weakref.ref(session)
            del session
            assert gone() is None  # freed by its last reference, not left in a cycle
            with pytest.raises(RuntimeError, match="session is gone"):
                copy.items_by_sku(["NO-SUCH-SKU"])  # (a missing SKU asks the session)
        finally:
            if was_enabled:
                gc.enable()
