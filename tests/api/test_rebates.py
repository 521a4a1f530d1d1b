"""Rebates over HTTP: a customer, an agreement, sales at the till, progress, period end."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from tests.helpers import ApiClient, Till, hire, problem

TIERS = [{"from": "1000.00", "rate": "3"}, {"from": "2000.00", "rate": "5"}]


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def office(api: ApiClient) -> ApiClient:
    return api.as_("manager")


@pytest.fixture
def acme(office: ApiClient) -> dict[str, Any]:
    return created(office.post("/api/v1/customers", json={
        "code": "ACME", "legal_name": "ACME Wholesale LLC", "credit_limit": "5000.00",
        "payment_terms_days": 30, "segment": "HORECA"}))


def agreement_for(office: ApiClient, customer_id: int, **extra: Any) -> dict[str, Any]:
    draft = created(office.post("/api/v1/rebates/agreements", json={
        "name": "ACME 2026", "customer_id": customer_id, "period_type": "quarter",
        "valid_from": "2026-01-01", "valid_to": "2026-12-31", "tiers": TIERS, **extra}))
    return ok(office.post(f"/api/v1/rebates/agreements/{draft['id']}/status",
                          json={"status": "approved"}))


def sell(till: Till, quantity: str, pay: str = "cash", customer: str = "ACME") -> Any:
    amount = f"{149.90 * float(quantity):.2f}"
    return till.checkout([{"sku": "OAT-MILK-1L", "quantity": quantity}],
                         [{"type": pay, "amount": amount}], view="full", customer_ref=customer)


class TestFlow:
    def test_progress_period_end_approval_and_settlement(self, office, acme, till,
                                                         fixed_clock):
        agreement = agreement_for(office, acme["id"])
        till.open_shift()
        assert created(sell(till, "8", pay="on_account"))["state"] == "closed"
        progress = ok(office.get(f"/api/v1/rebates/agreements/{agreement['id']}/progress"))
        assert (progress["base"], progress["tier"], progress["bonus"]) == ("1199.20", 1, "35.98")
        assert ok(office.get(f"/api/v1/customers/{acme['id']}"))["debt"] == "1199.20"
        problem(office.post("/api/v1/rebates/calculations", json={"period": "2026-Q4"}), 409)
        fixed_clock.set(datetime(2027, 1, 5, 9, tzinfo=UTC))
        office = ApiClient(office.client).as_("manager")  # signed in again: tokens expire
        claims = created(office.post("/api/v1/rebates/calculations", json={"period": "2026-Q4"}))
        assert [(c["amount"], c["seq"]) for c in claims] == [("35.98", 1)]
        claim_id = claims[0]["id"]
        assert ok(office.post(f"/api/v1/rebates/claims/{claim_id}/approve",
                              json={}))["status"] == "approved"
        assert problem(office.post(f"/api/v1/rebates/claims/{claim_id}/approve", json={}),
                       409)["code"] == "claim_already_approved"
        assert problem(office.post(f"/api/v1/rebates/claims/{claim_id}/settlements", json={
            "amount": "36.00", "method": "credit"}), 409)["code"] == "settlement_exceeds_approved"
        created(office.post(f"/api/v1/rebates/claims/{claim_id}/settlements", json={
            "amount": "35.98", "method": "credit", "reference": "credit note 7"}))
        assert ok(office.get(f"/api/v1/customers/{acme['id']}"))["credit"] == "35.98"
        report = office.get("/api/v1/rebates/reports/claims.csv")
        assert report.mimetype == "text/csv"
        assert report.get_data(as_text=True).splitlines() == ["status,count,amount",
                                                              "settled,1,35.98"]

    def test_bad_tiers_are_refused_and_nothing_is_written(self, office, acme):
        response = office.post("/api/v1/rebates/agreements", json={
            "name": "bad", "customer_id": acme["id"], "period_type": "quarter",
            "valid_from": "2026-01-01", "valid_to": "2026-12-31",
            "tiers": list(reversed(TIERS))})
        assert problem(response, 422)["code"] == "tiers_out_of_order"
        assert ok(office.get("/api/v1/rebates/agreements")) == []

    def test_a_period_outside_validity_is_refused(self, office, acme):
        agreement = agreement_for(office, acme["id"])
        response = office.get(f"/api/v1/rebates/agreements/{agreement['id']}/progress",
                              query_string={"period": "2027-Q1"})
        assert problem(response, 422)["code"] == "period_outside_validity"


class TestPartner:
    def test_a_partner_sees_its_own_agreements_and_not_anothers(self, api, office, acme, shop):
        mine = agreement_for(office, acme["id"])
        other = created(office.post("/api/v1/customers", json={
            "code": "BETA", "legal_name": "Beta Foods"}))
        theirs = agreement_for(office, other["id"])
        partner = hire(api, "acme-buyer", "card_holder", [])
        user_id = ok(partner.get("/api/v1/auth/me"))["id"]
        assert api.as_("admin").post(f"/api/v1/customers/{acme['id']}/partners",
                                     json={"user_id": user_id}).status_code == 204
        listed = ok(partner.get("/api/v1/partner/agreements"))
        assert [a["agreement_id"] for a in listed] == [mine["id"]]
        ok(partner.get(f"/api/v1/partner/agreements/{mine['id']}/progress"))
        assert problem(partner.get(f"/api/v1/partner/agreements/{theirs['id']}/progress"),
                       404)["code"] == "agreement_not_found"
        assert problem(partner.get(f"/api/v1/rebates/agreements/{theirs['id']}/progress"),
                       403)["code"] == "forbidden"
        assert problem(office.get("/api/v1/partner/agreements"), 403)["code"] == "not_a_partner"


class TestCommand:
    def test_pos_rebates_calculate_claims_once_and_refuses_an_open_period(
            self, database_url, app, db, registry, shop, fixed_clock, monkeypatch):
        from click.testing import CliRunner

        from loyalty.customers.service import NewCustomer, create_customer
        from loyalty.rebates.agreements import advance, create_agreement
        from loyalty.rebates.model import AccruedBase
        from pos.cli import main
        from tests.helpers import context_for

        manager = context_for(db, registry, "manager", fixed_clock.now())
        acme = create_customer(manager, NewCustomer(code="ACME", legal_name="ACME"))
        agreement = advance(manager, create_agreement(manager, {
            "name": "ACME", "customer_id": acme.id, "period_type": "quarter",
            "valid_from": datetime(2026, 1, 1).date(), "valid_to": datetime(2026, 12, 31).date(),
            "tiers": TIERS}).id, "approved")
        with db.transaction() as session:  # as accrual left it: 1200.00 sold in Q3
            session.add(AccruedBase(series_id=agreement.series_id, period_key="2026-Q3",
                                    gross_minor=120000, net_minor=120000, quantity_milli=0,
                                    paid_minor=0, billback_minor=0, lines=3))
        monkeypatch.setenv("POS_DATABASE_URL", database_url)
        runner = CliRunner()
        first = runner.invoke(main, ["rebates", "calculate", "--period", "2026-Q3"])
        assert first.exit_code == 0, first.output
        assert f"agreement {agreement.id} 2026-Q3 claim 1: 36.00 on 1200.00" in first.output
        again = runner.invoke(main, ["rebates", "calculate", "--period", "2026-Q3"])
        assert "0 new claims for 2026-Q3" in again.output
        early = runner.invoke(main, ["rebates", "calculate", "--period", "2099-Q1"])
        assert early.exit_code != 0 and "period_not_over" in early.output


class TestDemo:
    def test_the_demo_has_two_agreements_one_just_below_a_tier(self, app, db, fixed_clock):
        from pos.demo import load_demo

        with app.app_context():
            assert load_demo(db, fixed_clock.now(), item_count=30)
        client = app.test_client()
        login = client.post("/api/v1/auth/login",
                            json={"username": "manager", "password": "manager-pass"})
        headers = {"Authorization": f"Bearer {login.get_json()['token']}"}
        report = client.get("/api/v1/rebates/reports/agreements", headers=headers).get_json()
        aroma, corner = report
        assert aroma["tier"] is None and 0 < Decimal(aroma["to_next_tier"]) < 2000  # 2,000 short
        assert corner["tier"] == 1 and corner["is_condition_met"]
        customers = client.get("/api/v1/customers", headers=headers).get_json()
        assert {c["code"]: c["debt"] != "0.00" for c in customers} == {"AROMA": True,
                                                                       "CORNER": True}
        # The previous quarter is over and has sales: its period end runs today.
        claims = client.post("/api/v1/rebates/calculations", json={"period": "2026-Q3"},
                             headers=headers).get_json()
        assert [(c["base"], c["amount"]) for c in claims] == [("12141.90", "607.10"),
                                                              ("19828.80", "793.15")]
        aroma_claim = claims[0]["id"]
        approve = client.post(f"/api/v1/rebates/claims/{aroma_claim}/approve", json={},
                              headers=headers)
        assert approve.get_json()["status"] == "approved"
        settled = client.post(f"/api/v1/rebates/claims/{aroma_claim}/settlements",
                              json={"amount": "607.10", "method": "credit"}, headers=headers)
        assert settled.status_code == 201, settled.get_json()
        credit = {c["code"]: c["credit"] for c in client.get(
            "/api/v1/customers", headers=headers).get_json()}
        assert credit == {"AROMA": "607.10", "CORNER": "0.00"}


    def test_the_walkthrough_settles_corner_as_a_discount_taken_off_at_the_till(
            self, app, db, fixed_clock):
        from pos.demo import load_demo

        with app.app_context():
            assert load_demo(db, fixed_clock.now(), item_count=30)
        client = app.test_client()

        def auth(user: str) -> dict[str, str]:
            token = client.post("/api/v1/auth/login", json={
                "username": user, "password": f"{user}-pass"}).get_json()["token"]
            return {"Authorization": f"Bearer {token}"}

        m, c = auth("manager"), auth("cashier")
        claims = client.post("/api/v1/rebates/calculations", json={"period": "2026-Q3"},
                             headers=m).get_json()
        corner = claims[1]["id"]
        assert client.post(f"/api/v1/rebates/claims/{corner}/approve", json={},
                           headers=m).status_code == 200
        assert client.post(f"/api/v1/rebates/claims/{corner}/settlements", json={
            "amount": "793.15", "method": "discount"}, headers=m).get_json()["method"] \
            == "discount"
        client.post("/api/v1/shifts", json={"till_id": 1, "opening_float": "0.00"}, headers=c)
        receipt = client.post("/api/v1/receipts", json={"till_id": 1}, headers=c).get_json()
        url = f"/api/v1/receipts/{receipt['id']}"
        assert client.put(f"{url}/customer", json={"code": "CORNER"},
                          headers=c).get_json()["customer_ref"] == "CORNER"
        priced = client.post(f"{url}/lines", json={"sku": "COFFEE-BEANS-1KG"},
                             headers=c).get_json()
        # The demo's rules first (3 % off coffee: 44.97), then the allowance on what is left.
        assert [(d["kind"], d["amount_minor"]) for d in priced["line"]["discounts"]] == [
            ("automatic", 4497), ("allowance", 79315)]
        assert priced["line"]["discounts"][-1]["name"] == \
            "Rebate allowance for Corner: plan 15,000, met 2%, beaten by a fifth 4%, period 2026-Q3"
        assert priced["total"] == "660.88"  # 1499.00 - 44.97 - 793.15
        total = client.get(url, headers=c).get_json()["total"]
        assert client.post(f"{url}/payments", json={"type": "cash", "amount": total},
                           headers=c).get_json()["due"] == "0.00"
        assert client.post(f"{url}/close", headers=c).get_json()["state"] == "closed"
        (allowance,) = client.get("/api/v1/rebates/allowances", headers=m).get_json()
        assert (allowance["used"], allowance["left"]) == ("793.15", "0.00")


class TestCustomerAtTheTill:
    def test_attach_by_code_or_card_pay_on_account_and_take_off(self, office, acme, till):
        ok(office.patch(f"/api/v1/customers/{acme['id']}", json={"card_code": "WC-0001"}))
        till.open_shift()
        receipt = till.open_receipt()
        path = f"/api/v1/receipts/{receipt['id']}/customer"
        assert till.ok(till.api.put(path, json={"code": "ACME"}))["customer_ref"] == "ACME"
        assert till.ok(till.api.delete(path))["customer_ref"] is None
        assert till.ok(till.api.put(path, json={"card_code": "WC-0001"}))["customer_ref"] \
            == "ACME"
        till.sell("OAT-MILK-1L")
        assert till.pay("on_account", "149.90").status_code == 201
        assert till.close()["state"] == "closed"
        assert ok(office.get(f"/api/v1/customers/{acme['id']}"))["debt"] == "149.90"

    def test_unknown_or_blocked_customers_are_refused_and_nothing_written(self, office, acme,
                                                                          till):
        till.open_shift()
        receipt = till.open_receipt()
        path = f"/api/v1/receipts/{receipt['id']}/customer"
        assert problem(till.api.put(path, json={"code": "NOPE"}), 422)["code"] \
            == "unknown_customer"
        assert problem(till.api.put(path, json={"card_code": "NOPE"}), 422)["code"] \
            == "unknown_customer"
        assert problem(till.api.put(path, json={}), 422)["code"] == "validation_failed"
        ok(office.patch(f"/api/v1/customers/{acme['id']}", json={"is_blocked": True}))
        assert problem(till.api.put(path, json={"code": "ACME"}), 409)["code"] \
            == "customer_blocked"
        shown = till.ok(till.api.get(f"/api/v1/receipts/{receipt['id']}"))
        assert shown["customer_ref"] is None

    def test_a_customer_card_belongs_to_one_customer(self, office, acme):
        other = created(office.post("/api/v1/customers", json={
            "code": "OTHER", "legal_name": "Other LLC", "card_code": "WC-0001"}))
        assert other["card_code"] == "WC-0001"
        answer = office.patch(f"/api/v1/customers/{acme['id']}", json={"card_code": "WC-0001"})
        assert problem(answer, 409)["code"] == "customer_card_taken"


class TestSettledAsDiscount:
    def settled(self, api, office, acme, till, fixed_clock) -> tuple[ApiClient, int]:
        """Sell ACME eight bottles, close Q4, approve its claim; return the manager, claim."""
        agreement_for(office, acme["id"])
        till.open_shift()
        created(sell(till, "8"))
        fixed_clock.set(datetime(2027, 1, 5, 9, tzinfo=UTC))
        office = ApiClient(office.client).as_("manager")
        claim_id = created(office.post("/api/v1/rebates/calculations",
                                       json={"period": "2026-Q4"}))[0]["id"]
        ok(office.post(f"/api/v1/rebates/claims/{claim_id}/approve", json={}))
        return office, claim_id

    def test_a_discount_settlement_comes_off_the_next_sale_at_the_till(
            self, api, office, acme, till, fixed_clock):
        office, claim_id = self.settled(api, office, acme, till, fixed_clock)
        assert problem(office.post(f"/api/v1/rebates/claims/{claim_id}/settlements", json={
            "amount": "35.99", "method": "discount"}), 409)["code"] == "settlement_exceeds_approved"
        assert ok(office.get("/api/v1/rebates/allowances")) == []
        created(office.post(f"/api/v1/rebates/claims/{claim_id}/settlements", json={
            "amount": "35.98", "method": "discount"}))
        (allowance,) = ok(office.get("/api/v1/rebates/allowances",
                                     query_string={"customer_id": acme["id"]}))
        assert (allowance["granted"], allowance["used"], allowance["left"]) == (
            "35.98", "0.00", "35.98")
        # In the new year, on the other till (the first one's shift is too old).
        other = Till(ApiClient(till.api.client).as_("cashier"), till.shop,
                     till.shop.other_till_id)
        other.open_shift()
        receipt = created(sell(other, "1"))
        assert receipt["total"] == "113.92"  # 149.90 - 35.98, paid 149.90 in cash: change
        assert [(d["name"], d["kind"], d["amount_minor"]) for d in receipt["lines"][0][
            "discounts"]] == [("Rebate allowance for ACME 2026, period 2026-Q4", "allowance", 3598)]
        (allowance,) = ok(office.get("/api/v1/rebates/allowances"))
        assert (allowance["used"], allowance["left"]) == ("35.98", "0.00")
        assert other.x_report()["rebate_allowances"]["used"]["amount"] == "35.98"

    def test_a_partner_sees_its_own_allowance_and_not_anothers(
            self, api, office, acme, till, fixed_clock):
        office, claim_id = self.settled(api, office, acme, till, fixed_clock)
        created(office.post(f"/api/v1/rebates/claims/{claim_id}/settlements", json={
            "amount": "35.98", "method": "discount"}))
        (allowance,) = ok(office.get("/api/v1/rebates/allowances"))
        beta = created(office.post("/api/v1/customers", json={
            "code": "BETA", "legal_name": "Beta Foods"}))
        partner = hire(api, "beta-buyer", "card_holder", [])
        user_id = ok(partner.get("/api/v1/auth/me"))["id"]
        assert api.as_("admin").post(f"/api/v1/customers/{beta['id']}/partners",
                                     json={"user_id": user_id}).status_code == 204
        assert ok(partner.get("/api/v1/partner/allowances")) == []
        assert problem(partner.get(f"/api/v1/partner/allowances/{allowance['id']}"),
                       404)["code"] == "allowance_not_found"
        assert problem(partner.get("/api/v1/rebates/allowances"), 403)["code"] == "forbidden"
