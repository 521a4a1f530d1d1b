"""``/me`` for a wholesale partner: its own agreements' progress and allowances, no one else's."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from tests.helpers import ApiClient, hire
from tests.screens.conftest import problem_code
from tests.screens.test_me import MeScreen


@pytest.fixture
def me(client: FlaskClient) -> MeScreen:
    """``/me`` in a browser, not signed in."""
    return MeScreen(client)


def _customer(office: ApiClient, code: str, name: str) -> int:
    response = office.post("/api/v1/customers", json={"code": code, "legal_name": name})
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


def _agreement(office: ApiClient, customer_id: int, name: str) -> int:
    draft = office.post("/api/v1/rebates/agreements", json={
        "name": name, "customer_id": customer_id, "period_type": "quarter",
        "valid_from": "2026-01-01", "valid_to": "2026-12-31",
        "tiers": [{"from": "1000.00", "rate": "3"}, {"from": "2000.00", "rate": "5"}]})
    assert draft.status_code == 201, draft.get_json()
    agreement_id = int(draft.get_json()["id"])
    approved = office.post(f"/api/v1/rebates/agreements/{agreement_id}/status",
                           json={"status": "approved"})
    assert approved.status_code == 200, approved.get_json()
    return agreement_id


@pytest.fixture
def partners(api: ApiClient) -> dict[str, int]:
    """ACME (partner ``acme-buyer``) and Beta, an agreement each."""
    office = api.as_("manager")
    acme, beta = _customer(office, "ACME", "ACME <Wholesale>"), _customer(office, "BETA", "Beta")
    ids = {"acme": _agreement(office, acme, "ACME <2026>"),
           "beta": _agreement(office, beta, "Beta 2026")}
    buyer = hire(api, "acme-buyer", "card_holder", [])
    user_id = buyer.get("/api/v1/auth/me").get_json()["id"]
    assert api.as_("admin").post(f"/api/v1/customers/{acme}/partners",
                                 json={"user_id": user_id}).status_code == 204
    return ids


class TestPartner:
    def test_a_partner_sees_its_own_agreements_progress_and_no_others(
            self, me, partners, till):
        till.open_shift()
        till.ok(till.checkout([{"sku": "OAT-MILK-1L", "quantity": "8"}],
                              [{"type": "cash", "amount": "1199.20"}], customer_ref="ACME"), 201)
        response = me.sign_in_partner("acme-buyer", "acme-buyer-password")
        assert response.status_code == 302 and response.headers["Location"].endswith(
            "/me/partner")
        html = me.text("/me/partner")
        assert re.findall(r'data-agreement="(\d+)"', html) == [str(partners["acme"])]
        assert "ACME &lt;2026&gt;" in html and "ACME &lt;Wholesale&gt;" in html
        assert "Beta" not in html
        assert '<dd class="period">2026-Q4' in html
        assert '<dd class="base">1199.20</dd>' in html
        assert '<dd class="tier">1</dd>' in html
        assert '<dd class="to-next-tier">800.80</dd>' in html
        assert '<dd class="bonus">35.98</dd>' in html
        assert 'id="no-allowances"' in html

    def test_staff_credentials_are_no_partners(self, me, partners):
        response = me.sign_in_partner("manager", "manager-pass")
        assert response.status_code == 403 and problem_code(response) == "not_a_partner"
        assert me.page("/me/partner").status_code == 302

    def test_a_wrong_password_is_a_message(self, me, partners):
        response = me.sign_in_partner("acme-buyer", "wrong-password")
        assert response.status_code == 401 and problem_code(response) == "invalid_credentials"

    def test_a_partner_signed_in_at_me_is_signed_out_at_the_till_and_has_no_cards(
            self, me, partners):
        me.sign_in_partner("acme-buyer", "acme-buyer-password")
        assert 'id="sign-in"' in me.page("/till").get_data(as_text=True)
        assert me.page("/me/cards").headers["Location"].endswith("/me")
        assert me.page("/me").headers["Location"].endswith("/me/partner")

    def test_a_partner_sees_its_own_allowance_and_not_anothers(
            self, api, me, partners, till, fixed_clock):
        till.open_shift()
        for customer in ("ACME", "BETA", "BETA"):
            till.ok(till.checkout([{"sku": "OAT-MILK-1L", "quantity": "8"}],
                                  [{"type": "cash", "amount": "1199.20"}],
                                  customer_ref=customer), 201)
        fixed_clock.set(datetime(2027, 1, 5, 9, tzinfo=UTC))
        office = ApiClient(api.client).as_("manager")  # signed in again: tokens expire
        claims = office.post("/api/v1/rebates/calculations", json={"period": "2026-Q4"})
        assert claims.status_code == 201, claims.get_json()
        for claim in claims.get_json():
            assert office.post(f"/api/v1/rebates/claims/{claim['id']}/approve",
                               json={}).status_code == 200
            assert office.post(f"/api/v1/rebates/claims/{claim['id']}/settlements", json={
                "amount": claim["amount"], "method": "discount"}).status_code == 201
        every = office.get("/api/v1/rebates/allowances").get_json()
        assert len(every) == 2
        me.sign_in_partner("acme-buyer", "acme-buyer-password")
        html = me.text("/me/partner")
        [acme] = [a for a in every if a["granted"] == "35.98"]
        assert re.findall(r'data-allowance="(\d+)"', html) == [str(acme["id"])]
        assert "ACME &lt;2026&gt;" in html and "Beta" not in html
