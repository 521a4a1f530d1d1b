"""The demo data (``pos demo load``, ``make run``): discounts at work on a fresh start."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from pos.demo import load_demo
from tests.database_state import built_once


@pytest.fixture
def demo(app, db, fixed_clock):
    """A test client on the demo data."""
    with app.app_context():
        assert built_once(db, ("demo", fixed_clock.now()),
                          lambda: load_demo(db, fixed_clock.now(), item_count=30))
    return app.test_client()


def _as(client, user):
    response = client.post("/api/v1/auth/login",
                           json={"username": user, "password": f"{user}-pass"})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _quote(client, *lines):
    response = client.post("/api/v1/receipts/quote", headers=_as(client, "cashier"),
                           json={"till_id": 1, "lines": list(lines)})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


BASKET = ({"sku": "ESPRESSO-250G", "quantity": "2"}, {"sku": "WATER-0.5L", "quantity": "3"})


class TestDemoDiscounts:
    def test_a_quote_over_a_demo_basket_shows_a_discount_and_a_hint(self, demo):
        quote = _quote(demo, *BASKET)  # 918.00 + 149.70 = 1067.70
        espresso, water = quote["lines"]
        assert [d["name"] for d in water["discounts"]] == ["Still water: 2+1"]
        assert water["discount"] == "49.90"
        assert [d["name"] for d in espresso["discounts"]] == ["3% off receipts over 1,000.00"]
        assert quote["discount"] == "77.44"  # 49.90 + 3% of 918.00
        hint = quote["hints"][0]
        assert (hint["name"], hint["shortfall_quantity"]) == ("Coffee: 10% from 3 items",
                                                              "1.000")

    def test_the_applied_discounts_report_of_a_demo_sale_explains_them(self, demo):
        cashier = _as(demo, "cashier")
        shift = demo.post("/api/v1/shifts", headers=cashier,
                          json={"till_id": 1, "opening_float": "0.00"})
        assert shift.status_code == 201, shift.get_json()
        sale = demo.post("/api/v1/receipts", headers=cashier, json={
            "till_id": 1, "client_uuid": str(uuid.uuid4()), "lines": list(BASKET),
            "payments": [{"type": "cash", "amount": "1000.00"}]}).get_json()
        report = demo.get(f"/api/v1/receipts/{sale['id']}/discounts", headers=cashier)
        assert {s["name"] for s in report.get_json()["summary"]} == {
            "Still water: 2+1", "3% off receipts over 1,000.00"}

    def test_happy_hour_takes_a_fifth_off_bakery_in_the_evening(self, demo, fixed_clock):
        assert _quote(demo, {"sku": "BAGUETTE"})["discount"] == "0.00"  # noon in Moscow
        fixed_clock.set(datetime(2026, 11, 22, 16, 30, tzinfo=UTC))  # 19:30 in Moscow
        assert _quote(demo, {"sku": "BAGUETTE"})["discount"] == "13.98"  # 20% of 69.90

    def test_cashiers_and_managers_have_manual_discount_limits(self, demo):
        limits = demo.get("/api/v1/manual-discount-limits", headers=_as(demo, "manager"))
        general = {(lim["user_group"], lim["price_group"]): lim["max_percent"]
                   for lim in limits.get_json()}
        assert general[("cashiers", None)] == "5.00"
        assert general[("managers", None)] == "20.00"
        assert general[("cashiers", "PRODUCE")] == "10.00"


class TestDemoLoyalty:
    def test_a_demo_holder_signs_in_and_the_gold_card_gets_its_tier(self, demo):
        signed = demo.post("/api/v1/loyalty/me/sign-in",
                           json={"card_number": "2900000000018", "pin": "1234"})
        assert signed.status_code == 200, signed.get_json()
        mine = demo.get("/api/v1/loyalty/me/cards/2900000000018", headers={
            "Authorization": f"Bearer {signed.get_json()['token']}"}).get_json()
        assert mine["points"] == "500.00"
        response = demo.post("/api/v1/receipts/quote", headers=_as(demo, "cashier"), json={
            "till_id": 1, "card_code": "2800000000011",
            "lines": [{"sku": "ESPRESSO-250G", "quantity": "1"}]})
        assert response.get_json()["discount"] == "13.77"  # 3 % of 459.00
