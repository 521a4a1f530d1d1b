"""Shifts in scope: a cashier opens, cashes in and reads on her own tills; other stores are 404."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pos.auth.model import User
from pos.core.audit import AuditEntry
from tests.helpers import MANAGER, Till, hire

CASH = {"amount": "50.00", "reason": "change"}
FLOAT = "100.00"
ADMIN_APPROVES = {"X-Manager-Credentials": "admin:admin-pass"}


@pytest.fixture
def olga(api, shop):
    """A cashier of MAIN assigned to no till."""
    return hire(api, "olga", "cashier", [shop.store_id])


@pytest.fixture
def west_shift(api, shop):
    """WEST's till with a shift the admin opened."""
    return Till(api.as_("admin"), shop, shop.other_store_till_id).open_shift()


def _code(response):
    return response.get_json()["code"]


def approvals(db, action):
    """Return who approved each audited ``action`` and in which store."""
    with db.read() as session:
        rows = session.execute(select(User.username, AuditEntry.store_id)
                               .join(User, User.id == AuditEntry.approved_by_id)
                               .where(AuditEntry.action == action)).all()
    return [tuple(row) for row in rows]


class TestOpening:
    def test_a_cashier_assigned_to_a_till_opens_only_there_unless_a_manager_approves(
            self, api, shop, db):
        tina = hire(api, "tina", "cashier", [shop.store_id], [shop.till_id])
        body = {"till_id": shop.other_till_id, "opening_float": FLOAT}
        refused = tina.post("/api/v1/shifts", json=body)
        assert refused.status_code == 404 and _code(refused) == "till_not_found"
        opened = tina.post("/api/v1/shifts", json=body, headers=MANAGER)
        assert opened.status_code == 201, opened.get_json()
        assert approvals(db, "open_shift") == [("manager", shop.store_id)]

    def test_a_cashier_assigned_to_no_till_opens_on_any_till_of_her_store_only(
            self, olga, shop):
        assert olga.post("/api/v1/shifts", json={"till_id": shop.other_till_id,
                                                 "opening_float": FLOAT}).status_code == 201
        west = olga.post("/api/v1/shifts", json={"till_id": shop.other_store_till_id,
                                                 "opening_float": FLOAT})
        assert west.status_code == 404 and _code(west) == "till_not_found"

    def test_a_manager_approves_only_in_the_stores_he_works_in(self, api, shop):
        body = {"till_id": shop.other_store_till_id, "opening_float": FLOAT}
        refused = api.post("/api/v1/shifts", json=body, headers=MANAGER)
        assert refused.status_code == 403 and _code(refused) == "approval_invalid"
        assert api.post("/api/v1/shifts", json=body, headers=ADMIN_APPROVES).status_code == 201


class TestCashIn:
    def test_cash_in_on_another_cashiers_shift_is_404_until_a_manager_approves(
            self, till, olga, db, shop):
        shift = till.open_shift()
        path = f"/api/v1/shifts/{shift['id']}/cash-in"
        refused = olga.post(path, json=CASH)
        assert refused.status_code == 404 and _code(refused) == "shift_not_found"
        assert olga.post(path, json=CASH, headers=MANAGER).status_code == 201
        assert approvals(db, "cash_in") == [("manager", shop.store_id)]

    def test_another_stores_shift_is_404_to_its_cashiers_and_managers(self, api, west_shift):
        base = f"/api/v1/shifts/{west_shift['id']}"
        for user in ("cashier", "manager"):
            other = api.as_(user)
            responses = [other.post(f"{base}/cash-in", json=CASH), other.get(base),
                         other.get(f"{base}/x-report"),
                         other.post(f"{base}/close", json={"counted_cash": "1000.00"})]
            assert [(r.status_code, _code(r)) for r in responses] == [
                (404, "shift_not_found")] * 4, user
        assert api.as_("admin").post(f"{base}/cash-in", json=CASH).status_code == 201


class TestReading:
    def test_a_cashier_reads_the_shifts_of_her_tills_and_those_she_opened(
            self, api, till, olga, shop):
        own = Till(olga, shop, shop.other_till_id).open_shift()
        assert olga.get(f"/api/v1/shifts/{own['id']}").status_code == 200
        assert api.get(f"/api/v1/shifts/{own['id']}").status_code == 200  # till 2 is hers
        cashiers = till.open_shift()
        refused = olga.get(f"/api/v1/shifts/{cashiers['id']}/x-report")
        assert refused.status_code == 404 and _code(refused) == "shift_not_found"

    def test_managers_list_the_shifts_of_their_stores_and_admins_all(
            self, api, till, west_shift, shop):
        main = till.open_shift()
        listed = api.as_("manager").get("/api/v1/shifts").get_json()
        assert [s["id"] for s in listed["items"]] == [main["id"]]
        west = api.as_("manager").get(f"/api/v1/shifts?till={shop.other_store_till_id}")
        assert west.get_json()["total"] == 0
        everything = api.as_("admin").get("/api/v1/shifts").get_json()
        assert {s["id"] for s in everything["items"]} == {main["id"], west_shift["id"]}
