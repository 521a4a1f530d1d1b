"""Receipts and returns in scope: a cashier sells only on her own tills; the rest is 404."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from pos.receipts.model import Receipt
from tests.api.test_scope_shifts import ADMIN_APPROVES, approvals
from tests.helpers import MANAGER, Till, hire

MILK = [{"sku": "MILK-1L"}]
CASH = [{"type": "cash", "amount": "100.00"}]


@pytest.fixture
def olga(api, shop):
    """A cashier of MAIN assigned to no till."""
    return hire(api, "olga", "cashier", [shop.store_id])


def _code(response):
    return response.get_json()["code"]


def _receipts(db):
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Receipt))


class TestSelling:
    def test_a_cashier_sells_on_another_cashiers_till_only_with_a_managers_approval(
            self, till, olga, db, shop):
        till.open_shift()
        opened = olga.post("/api/v1/receipts", json={"till_id": till.till_id})
        uploaded = Till(olga, shop).checkout(MILK, CASH)
        assert [(r.status_code, _code(r)) for r in (opened, uploaded)] == [
            (404, "till_not_found")] * 2
        assert _receipts(db) == 0  # nothing landed in the other cashier's shift
        approved = olga.post("/api/v1/receipts", json={"till_id": till.till_id},
                             headers=MANAGER)
        assert approved.status_code == 201, approved.get_json()
        assert approvals(db, "sell_on_others_till") == [("manager", shop.store_id)]

    def test_a_cashier_sells_on_the_till_whose_shift_she_opened(self, olga, shop):
        mine = Till(olga, shop, shop.other_till_id)
        mine.open_shift()
        assert mine.checkout(MILK, CASH).status_code == 201

    def test_an_assigned_cashier_sells_whoever_opened_the_shift(self, till):
        till.as_("manager").open_shift()
        assert till.api.post("/api/v1/receipts", json={"till_id": till.till_id}
                             ).status_code == 201

    def test_a_sale_in_another_store_needs_a_manager_of_that_store(self, api, shop):
        Till(api.as_("admin"), shop, shop.other_store_till_id).open_shift()
        body = {"till_id": shop.other_store_till_id}
        assert _code(api.post("/api/v1/receipts", json=body)) == "till_not_found"
        assert _code(api.post("/api/v1/receipts", json=body, headers=MANAGER)
                     ) == "approval_invalid"
        assert api.post("/api/v1/receipts", json=body, headers=ADMIN_APPROVES
                        ).status_code == 201

    def test_an_upload_replayed_on_another_cashiers_till_reveals_nothing(self, till, olga):
        till.open_shift()
        client_uuid = str(uuid.uuid4())
        assert till.checkout(MILK, CASH, client_uuid=client_uuid).status_code == 201
        replay = Till(olga, till.shop).checkout(MILK, CASH, client_uuid=client_uuid)
        assert replay.status_code == 404 and _code(replay) == "till_not_found"


    def test_quotes_are_priced_only_at_tills_of_the_cashiers_stores(self, api, shop):
        assert api.post("/api/v1/receipts/quote", json={
            "till_id": shop.other_till_id, "lines": MILK}).status_code == 200
        quote = api.post("/api/v1/receipts/quote", json={
            "till_id": shop.other_store_till_id, "lines": MILK})
        assert quote.status_code == 404 and _code(quote) == "till_not_found"


class TestChanging:
    def test_another_cashiers_receipt_is_404_outside_her_tills_until_approved(
            self, till, olga, db, shop):
        till.open_shift()
        receipt = till.open_receipt()
        path = f"/api/v1/receipts/{receipt['id']}"
        responses = [olga.get(path), olga.get(f"{path}/discounts"),
                     olga.post(f"{path}/lines", json={"sku": "MILK-1L"}),
                     olga.post(f"{path}/void")]
        assert [(r.status_code, _code(r)) for r in responses] == [
            (404, "receipt_not_found")] * 4
        added = olga.post(f"{path}/lines", json={"sku": "MILK-1L"}, headers=MANAGER)
        assert added.status_code == 201, added.get_json()
        assert approvals(db, "others_receipt") == [("manager", shop.store_id)]

    def test_a_cashier_sharing_the_till_still_needs_a_manager_for_anothers_receipt(
            self, till, api, shop):
        tina = hire(api, "tina", "cashier", [shop.store_id], [shop.till_id])
        till.open_shift()
        receipt = till.open_receipt()
        assert tina.get(f"/api/v1/receipts/{receipt['id']}").status_code == 200
        refused = tina.post(f"/api/v1/receipts/{receipt['id']}/lines", json={"sku": "MILK-1L"})
        assert refused.status_code == 403 and _code(refused) == "approval_required"


class TestReturns:
    def test_a_return_on_another_cashiers_till_is_404(self, till, olga):
        till.open_shift()
        sale = till.ok(till.checkout(MILK, CASH), 201)
        refused = olga.post("/api/v1/returns", json={
            "till_id": till.till_id, "original_receipt_id": sale["id"],
            "lines": [{"line_no": 1, "quantity": "1"}]})
        assert refused.status_code == 404 and _code(refused) == "till_not_found"


class TestListing:
    def test_a_cashier_lists_the_receipts_of_her_tills_and_her_own_only(
            self, till, olga, api, shop):
        till.open_shift()
        theirs = till.open_receipt()
        hers = Till(olga, shop, shop.other_till_id)
        hers.open_shift()
        mine = hers.open_receipt()

        def listed(client, query=""):
            return {r["id"] for r in client.get(f"/api/v1/receipts{query}").get_json()["items"]}

        assert listed(olga) == {mine["id"]}
        assert listed(olga, f"?till={till.till_id}") == set()
        assert listed(api) == listed(api.as_("manager")) == {theirs["id"], mine["id"]}
