"""Points over HTTP: paying with points at the till, keyed retries, adjustments, reports."""

from __future__ import annotations

import uuid

from tests.helpers import issue_card, problem

BONUS_TYPE = {"is_bonus": True, "earn_percent": "5", "max_share_percent": 50,
              "expiry_days": 365}


def card_of(api):  # type: ignore[no-untyped-def]
    return issue_card(api, "BONUS", **BONUS_TYPE)


def show(api, number):  # type: ignore[no-untyped-def]
    return api.as_("manager").get(f"/api/v1/loyalty/cards/{number}").get_json()


def adjust(api, number, points, reason="welcome"):  # type: ignore[no-untyped-def]
    return api.as_("manager").post(f"/api/v1/loyalty/cards/{number}/adjustments",
                                   json={"points": points, "reason": reason})


class TestAtTheTill:
    def test_a_sale_paid_partly_in_points_earns_on_the_rest(self, api, till):
        number = card_of(api)
        assert adjust(api, number, "50").status_code == 201
        till.open_shift()
        till.open_receipt()
        till.sell("OAT-MILK-1L", quantity="2")
        till.ok(till.api.put(f"/api/v1/receipts/{till.receipt['id']}/card",
                             json={"card_code": number}))
        payable = till.ok(till.api.get(f"/api/v1/receipts/{till.receipt['id']}/points-payable"))
        assert (payable["max_amount"], payable["points"]) == ("50.00", "50.00")
        till.receipt = till.ok(till.pay("points", "50.00"), 201)
        till.pay_cash("249.80")
        till.close()
        card = show(api, number)
        assert (card["points"], card["accumulated"]) == ("12.00", "299.80")
        assert till.x_report()["loyalty"]["points_spent"] == "50.00"

    def test_the_till_reads_the_receipts_card_as_it_shows_it(self, api, till):
        number = issue_card(api, "TIERED", is_bonus=True, earn_percent="5",
                            max_share_percent=50, expiry_days=365,
                            tiers=[{"name": "Silver", "min_amount": "100.00"},
                                   {"name": "Gold", "min_amount": "500.00"}])
        assert adjust(api, number, "80").status_code == 201
        till.open_shift()
        till.open_receipt()
        path = f"/api/v1/receipts/{till.receipt['id']}/card"
        assert problem(till.api.get(path), 404)["code"] == "no_card"
        till.sell("OAT-MILK-1L", quantity="2")
        till.ok(till.api.put(path, json={"card_code": number}))
        card = till.ok(till.api.get(path))
        assert card == {"number": number, "type": "TIERED", "holder": "Hal H.", "tier": None,
                        "next_tier": "Silver", "to_next_tier": "100.00", "accumulated": "0.00",
                        "points": "80.00", "pending_points": "0.00",
                        "max_points_payment": "80.00"}
        till.receipt = till.ok(till.pay("points", "30.00"), 201)
        assert till.ok(till.api.get(path))["max_points_payment"] == "50.00"
        till.pay_cash("269.80")
        till.close()
        closed = till.ok(till.api.get(path))  # earned 13.49 -> 13 points, active at once
        assert (closed["points"], closed["tier"], closed["next_tier"], closed["to_next_tier"],
                closed["max_points_payment"]) == ("63.00", "Silver", "Gold", "200.20", None)
        assert "Holder" not in str(closed)  # the holder's surname never leaves as a word
        new = api.as_("manager").post(f"/api/v1/loyalty/cards/{number}/replace", json={})
        replaced = till.ok(till.api.get(path))  # the card that holds the points now
        assert (replaced["number"], replaced["points"]) == (new.get_json()["number"], "63.00")

    def test_a_keyed_one_shot_upload_retried_earns_once(self, api, till):
        number = card_of(api)
        till.open_shift()
        body = {"till_id": till.till_id, "client_uuid": str(uuid.uuid4()), "card_code": number,
                "lines": [{"sku": "OAT-MILK-1L", "quantity": "2"}],
                "payments": [{"type": "cash", "amount": "299.80"}]}
        key = {"Idempotency-Key": "retry-me-1"}
        assert api.post("/api/v1/receipts", json=body, headers=key).status_code == 201
        assert api.post("/api/v1/receipts", json=body, headers=key).status_code == 201
        body["client_uuid"] = body["client_uuid"]  # same sale, no key: the UUID answers
        assert api.post("/api/v1/receipts", json=body).status_code == 200
        assert show(api, number)["points"] == "14.00"

    def test_spending_more_than_the_card_holds_is_409(self, api, till):
        number = card_of(api)
        till.open_shift()
        response = till.checkout([{"sku": "OAT-MILK-1L"}], [
            {"type": "points", "amount": "10.00"}, {"type": "cash", "amount": "139.90"}],
            card_code=number)
        assert problem(response, 409)["code"] == "insufficient_points"
        assert till.x_report()["sales"]["count"] == 0


class TestManagement:
    def test_cashiers_cannot_adjust_points(self, api):
        number = card_of(api)
        response = api.post(f"/api/v1/loyalty/cards/{number}/adjustments",
                            json={"points": "10", "reason": "friend"})
        assert problem(response, 403)["code"] == "forbidden"

    def test_an_adjustment_without_a_reason_is_refused_and_nothing_written(self, api):
        number = card_of(api)
        response = api.as_("manager").post(f"/api/v1/loyalty/cards/{number}/adjustments",
                                           json={"points": "10"})
        assert problem(response, 422)["code"] == "validation_failed"
        assert show(api, number)["points"] == "0.00"

    def test_an_adjustment_is_audited_and_in_the_ledger(self, api):
        number = card_of(api)
        adjust(api, number, "25", "apology for a late delivery")
        entries = api.as_("manager").get(f"/api/v1/loyalty/cards/{number}/entries").get_json()
        assert [(e["kind"], e["points"], e["reason"]) for e in entries["items"]] == [
            ("adjust", "25.00", "apology for a late delivery")]
        audit = api.as_("manager").get("/api/v1/audit?action=points_adjusted").get_json()
        assert audit["items"][0]["target"] == f"card:{number}"

    def test_the_liability_report_sums_points_by_card_type(self, api):
        first, second = card_of(api), card_of(api)
        adjust(api, first, "10")
        adjust(api, second, "5")
        report = api.as_("manager").get("/api/v1/loyalty/reports/liability").get_json()
        assert report["card_types"] == [{
            "card_type": "BONUS", "cards": 2, "cards_with_points": 2, "points": "15.00",
            "pending_points": "0.00", "debt_points": "0.00", "value": "15.00"}]
