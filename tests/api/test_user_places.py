"""Where users work: the stores and tills given when a user is created or reassigned."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from pos.auth.model import User
from pos.cli import main


def _olga(api, **places):
    return api.as_("admin").post("/api/v1/users", json={
        "username": "olga", "full_name": "Olga", "role": "cashier",
        "password": "olga-password", **places})


class TestCreate:
    def test_a_cashier_is_created_with_her_store_and_till_and_sees_them(self, api, shop, client):
        created = _olga(api, store_ids=[shop.store_id], till_ids=[shop.other_till_id])
        assert created.status_code == 201, created.get_json()
        assert (created.get_json()["store_ids"], created.get_json()["till_ids"]) == (
            [shop.store_id], [shop.other_till_id])
        token = client.post("/api/v1/auth/login", json={
            "username": "olga", "password": "olga-password"}).get_json()["token"]
        me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert (me.get_json()["store_ids"], me.get_json()["till_ids"]) == (
            [shop.store_id], [shop.other_till_id])

    def test_me_shows_the_seeded_places_and_null_stores_for_admins(self, api, shop):
        me = api.get("/api/v1/auth/me").get_json()
        assert me["store_ids"] == [shop.store_id]
        assert me["till_ids"] == sorted([shop.till_id, shop.other_till_id])
        assert api.as_("admin").get("/api/v1/auth/me").get_json()["store_ids"] is None

    def test_unknown_stores_and_tills_and_tills_of_other_stores_are_named(self, api, shop):
        store = _olga(api, store_ids=[99999])
        assert store.status_code == 422 and store.get_json()["code"] == "unknown_store"
        assert "store_ids" in store.get_json()["errors"]
        till = _olga(api, store_ids=[shop.store_id], till_ids=[99999])
        assert till.status_code == 422 and till.get_json()["code"] == "unknown_till"
        outside = _olga(api, store_ids=[shop.store_id], till_ids=[shop.other_store_till_id])
        assert outside.get_json()["code"] == "till_outside_stores"
        huge = _olga(api, store_ids=[2**63])  # beyond a BIGINT, not a card number
        assert huge.status_code == 422 and "store_ids" in huge.get_json()["errors"]


class TestReassign:
    def test_an_admin_replaces_where_a_user_works_and_it_applies_at_once(self, api, shop):
        assert api.get("/api/v1/auth/me").get_json()["store_ids"] == [shop.store_id]
        moved = api.as_("admin").put("/api/v1/users/cashier/stores", json={
            "store_ids": [shop.other_store_id], "till_ids": [shop.other_store_till_id]})
        assert moved.status_code == 200, moved.get_json()
        me = api.get("/api/v1/auth/me").get_json()
        assert (me["store_ids"], me["till_ids"]) == ([shop.other_store_id],
                                                     [shop.other_store_till_id])

    def test_only_admins_reassign_and_unknown_users_are_404(self, api, shop):
        body = {"store_ids": [shop.store_id]}
        assert api.as_("manager").put("/api/v1/users/cashier/stores",
                                      json=body).status_code == 403
        unknown = api.as_("admin").put("/api/v1/users/nobody/stores", json=body)
        assert unknown.status_code == 404 and unknown.get_json()["code"] == "user_not_found"


def test_the_console_creates_and_reassigns_users_by_store_code_and_till(
        database_url, app, shop, monkeypatch):
    monkeypatch.setenv("POS_DATABASE_URL", database_url)
    runner = CliRunner()
    created = runner.invoke(main, ["user", "create", "olga", "--role", "cashier",
                                   "--password", "olga-password", "--store", "MAIN",
                                   "--till", "MAIN:2"])
    assert created.exit_code == 0, created.output
    unknown = runner.invoke(main, ["user", "assign", "olga", "--store", "NOWHERE"])
    assert unknown.exit_code != 0 and "unknown_store" in unknown.output
    bad_till = runner.invoke(main, ["user", "assign", "olga", "--store", "MAIN",
                                    "--till", "WEST:1"])
    assert bad_till.exit_code != 0 and "till_outside_stores" in bad_till.output
    moved = runner.invoke(main, ["user", "assign", "olga", "--store", "MAIN", "--store", "WEST",
                                 "--till", "WEST:1"])
    assert moved.exit_code == 0, moved.output
    with app.extensions["pos.db"].read() as session:
        olga = session.scalar(select(User).where(User.username == "olga"))
        assert (olga.store_ids, olga.till_ids) == (
            sorted([shop.store_id, shop.other_store_id]), [shop.other_store_till_id])
