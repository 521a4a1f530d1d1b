"""Signing in and out, roles on routes, approval codes, throttling and the audit log."""

from dataclasses import replace

import pytest
from sqlalchemy import select

from pos.auth.model import ApprovalCode
from tests.helpers import PASSWORDS

TILL_PC = "10.0.0.5"


def login(client, username, password, address="127.0.0.1"):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


class TestLogin:
    def test_right_credentials_give_a_token_that_identifies_the_user(self, client, shop):
        response = login(client, "cashier", PASSWORDS["cashier"])
        assert response.status_code == 200
        token = response.get_json()["token"]
        me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.get_json()["username"] == "cashier"
        assert "sell" in me.get_json()["rights"]
        assert "cash_out" not in me.get_json()["rights"]

    def test_wrong_password_is_401_with_a_stable_code(self, client, shop):
        response = login(client, "cashier", "nope-nope")
        assert response.status_code == 401
        assert response.get_json()["code"] == "invalid_credentials"
        assert response.content_type == "application/problem+json"

    def test_repeated_failures_are_slowed_down(self, client, shop):
        codes = [login(client, "cashier", "wrong-one").status_code for _ in range(7)]
        assert codes[:5] == [401] * 5
        assert 429 in codes[5:]
        blocked = login(client, "cashier", PASSWORDS["cashier"])
        assert blocked.status_code == 429
        assert int(blocked.headers["Retry-After"]) >= 1

    def test_block_lifts_after_the_delay(self, client, shop, fixed_clock):
        for _ in range(6):
            login(client, "manager", "wrong-one")
        fixed_clock.advance(minutes=16)
        assert login(client, "manager", PASSWORDS["manager"]).status_code == 200

    def test_unknown_fields_in_the_body_are_refused(self, client, shop):
        response = client.post("/api/v1/auth/login", json={
            "username": "cashier", "password": "x", "remember": True})
        assert response.status_code == 422
        assert "remember" in response.get_json()["errors"]


class TestLoginThrottle:
    """Failures count per user name and per address, each against its own allowance."""

    def test_guesses_at_one_user_do_not_lock_out_another_at_the_same_till(self, client, shop):
        codes = [login(client, "manager", "wrong-one", TILL_PC).status_code for _ in range(7)]
        assert 429 in codes
        assert login(client, "manager", PASSWORDS["manager"], TILL_PC).status_code == 429
        assert login(client, "admin", PASSWORDS["admin"], TILL_PC).status_code == 200

    def test_guesses_spread_over_many_addresses_still_slow_the_user_down(self, client, shop):
        codes = [login(client, "manager", "wrong-one", f"10.0.1.{n}").status_code
                 for n in range(7)]
        assert codes[:5] == [401] * 5
        assert 429 in codes[5:]
        blocked = login(client, "manager", PASSWORDS["manager"], "10.0.2.1")
        assert blocked.status_code == 429
        assert blocked.get_json()["code"] == "too_many_attempts"
        assert int(blocked.headers["Retry-After"]) >= 1

    @pytest.fixture
    def three_per_address(self, app):
        settings = app.extensions["pos.settings"]
        app.extensions["pos.settings"] = replace(settings, login_max_address_failures=3)

    def test_guesses_at_many_users_from_one_address_block_that_address(
            self, client, shop, three_per_address):
        for name in ("anna", "boris", "clara", "dmitri"):
            login(client, name, "wrong-one", TILL_PC)
        blocked = login(client, "admin", PASSWORDS["admin"], TILL_PC)
        assert blocked.status_code == 429
        assert int(blocked.headers["Retry-After"]) >= 1
        assert login(client, "admin", PASSWORDS["admin"], "10.0.0.6").status_code == 200

    def test_failures_an_hour_old_are_forgotten(self, client, shop, fixed_clock):
        for _ in range(4):
            assert login(client, "cashier", "wrong-one").status_code == 401
        fixed_clock.advance(hours=2)
        for _ in range(4):
            assert login(client, "cashier", "wrong-one").status_code == 401
        assert login(client, "cashier", PASSWORDS["cashier"]).status_code == 200


class TestTokens:
    def test_missing_token_is_401(self, client, shop):
        response = client.get("/api/v1/auth/me")
        assert response.status_code == 401
        assert response.get_json()["code"] == "unauthorized"

    def test_logout_revokes_the_token(self, api):
        assert api.post("/api/v1/auth/logout").status_code == 204
        response = api.get("/api/v1/auth/me")
        assert response.get_json()["code"] == "invalid_token"

    def test_token_expires(self, api, fixed_clock):
        assert api.get("/api/v1/auth/me").status_code == 200
        fixed_clock.advance(hours=13)
        assert api.get("/api/v1/auth/me").get_json()["code"] == "invalid_token"


class TestRolesOnRoutes:
    def test_card_holder_cannot_read_the_catalog(self, api):
        assert api.as_("holder").get("/api/v1/items").status_code == 403

    def test_cashier_cannot_create_items_or_users(self, api):
        item = api.post("/api/v1/items", json={"sku": "X-1", "name": "X"})
        assert item.status_code == 403 and item.get_json()["code"] == "forbidden"
        user = api.post("/api/v1/users", json={"username": "eve", "full_name": "Eve",
                                               "role": "admin", "password": "12345678"})
        assert user.status_code == 403

    def test_admin_creates_a_user_who_can_sign_in(self, api, client):
        response = api.as_("admin").post("/api/v1/users", json={
            "username": "olga", "full_name": "Olga", "role": "cashier",
            "password": "olga-password", "pin": "4321"})
        assert response.status_code == 201
        assert login(client, "olga", "olga-password").status_code == 200

    def test_weak_password_and_taken_name_are_refused(self, api):
        admin = api.as_("admin")
        weak = admin.post("/api/v1/users", json={"username": "bob", "full_name": "Bob",
                                                 "role": "cashier", "password": "short"})
        assert weak.get_json()["code"] == "weak_password"
        taken = admin.post("/api/v1/users", json={"username": "cashier", "full_name": "C",
                                                  "role": "cashier", "password": "long-enough"})
        assert taken.status_code == 409 and taken.get_json()["code"] == "username_taken"

    def test_set_password_revokes_old_tokens(self, api):
        assert api.get("/api/v1/auth/me").status_code == 200
        response = api.as_("admin").put("/api/v1/users/cashier/password",
                                        json={"password": "brand-new-pass"})
        assert response.status_code == 204
        assert api.get("/api/v1/auth/me").status_code == 401


class TestApprovalCodesAndAudit:
    def test_manager_issues_a_code_and_cashier_cannot(self, api):
        issued = api.as_("manager").post("/api/v1/auth/approvals", json={"action": "void"})
        assert issued.status_code == 201
        assert len(issued.get_json()["code"]) == 8
        assert api.post("/api/v1/auth/approvals", json={}).status_code == 403

    def test_audit_log_lists_events_for_managers_only(self, api):
        api.as_("manager").post("/api/v1/auth/approvals", json={})
        log = api.as_("manager").get("/api/v1/audit?action=approval_code_issued")
        assert log.status_code == 200
        assert log.get_json()["total"] == 1
        assert api.get("/api/v1/audit").status_code == 403

    def test_failed_logins_are_audited(self, api, client):
        login(client, "cashier", "wrong-pass")
        log = api.as_("manager").get("/api/v1/audit?action=login_failed").get_json()
        assert log["items"][0]["target"] == "cashier"


class TestApprovalCodeForOneTill:
    def cash_out(self, till, code):  # type: ignore[no-untyped-def]
        return till.api.post(f"/api/v1/shifts/{till.shift['id']}/cash-out",
                             json={"amount": "100.00", "reason": "safe"},
                             headers={"X-Approval-Code": code})

    def issue(self, api, **body):  # type: ignore[no-untyped-def]
        return api.as_("manager").post("/api/v1/auth/approvals", json=body)

    def test_a_code_for_this_till_approves_here(self, till, shop):
        till.open_shift()
        issued = self.issue(till.api, till_id=shop.till_id)
        assert issued.status_code == 201 and issued.get_json()["till_id"] == shop.till_id
        done = self.cash_out(till, issued.get_json()["code"])
        assert done.status_code == 201 and done.get_json()["approved_by_id"] is not None

    def test_a_code_for_another_till_approves_nothing_here_and_is_not_spent(self, till, shop,
                                                                            db):
        till.open_shift()
        code = self.issue(till.api, till_id=shop.other_till_id).get_json()["code"]
        refused = self.cash_out(till, code)
        assert refused.status_code == 403
        assert refused.get_json()["code"] == "approval_invalid"
        with db.read() as session:
            assert session.scalar(select(ApprovalCode.used_at)) is None

    def test_a_void_asks_the_receipts_till_too(self, till, shop):
        till.open_shift()
        receipt = till.open_receipt()
        till.sell("MILK-1L")  # a receipt with lines is voided with a manager's approval

        def void_with_a_code_for(till_id):  # type: ignore[no-untyped-def]
            code = self.issue(till.api, action="void_receipt",
                              till_id=till_id).get_json()["code"]
            return till.api.post(f"/api/v1/receipts/{receipt['id']}/void",
                                 headers=till.api.headers({"X-Approval-Code": code,
                                                           "X-Till-Id": str(shop.till_id)}))

        refused = void_with_a_code_for(shop.other_till_id)
        assert refused.status_code == 403, refused.get_json()
        assert refused.get_json()["code"] == "approval_invalid"
        done = void_with_a_code_for(shop.till_id)
        assert done.status_code == 200, done.get_json()

    def test_a_code_for_any_till_still_approves_anywhere_in_the_store(self, till):
        till.open_shift()
        code = self.issue(till.api).get_json()["code"]
        assert self.cash_out(till, code).status_code == 201

    def test_a_till_outside_the_managers_stores_is_not_found(self, api, shop):
        for till_id in (shop.other_store_till_id, 999_999):
            answer = self.issue(api, till_id=till_id)
            assert answer.status_code == 404
            assert answer.get_json()["code"] == "till_not_found"
