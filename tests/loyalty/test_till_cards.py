"""The card at the till: attached or refused, and the discounts that fire on its type and tier."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import update

from loyalty.cards.model import Card
from tests.api.test_receipt_discounts import discount, group, pct, quote
from tests.helpers import issue_card, problem

GOLD_TIERS = [{"name": "3%", "min_amount": "10000.00"}, {"name": "5%", "min_amount": "50000.00"},
              {"name": "7%", "min_amount": "150000.00"}]
# A card made unusable by hand, and what the till is told of it.
BLOCKED_OR_EXPIRED = [("block", {"reason": "lost"}, 409, "card_blocked"),
                      ("expire", {}, 409, "card_expired")]


def attach(till, number):  # type: ignore[no-untyped-def]
    return till.api.put(f"/api/v1/receipts/{till.receipt['id']}/card",
                        json={"card_code": number})


def manage(api, number, action, **body):  # type: ignore[no-untyped-def]
    response = api.as_("manager").post(f"/api/v1/loyalty/cards/{number}/{action}", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def sale(till):  # type: ignore[no-untyped-def]
    till.open_shift()
    till.open_receipt()
    till.sell("MILK-1L")
    return till


class TestAttach:
    def test_a_card_attaches_by_number_and_comes_off(self, api, sale):
        number = issue_card(api)
        assert sale.ok(attach(sale, number))["card_code"] == number
        off = sale.ok(sale.api.delete(f"/api/v1/receipts/{sale.receipt['id']}/card"))
        assert off["card_code"] is None

    @pytest.mark.parametrize(("action", "body", "status", "code"), BLOCKED_OR_EXPIRED)
    def test_a_blocked_or_expired_card_is_refused_and_nothing_written(
            self, api, sale, action, body, status, code):
        number = issue_card(api)
        manage(api, number, action, **body)
        assert problem(attach(sale, number), status)["code"] == code
        assert sale.ok(sale.api.get(f"/api/v1/receipts/{sale.receipt['id']}"))["card_code"] \
            is None

    def test_an_unknown_or_unactivated_card_is_refused(self, api, sale):
        assert problem(attach(sale, "2900000000000"), 422)["code"] == "unknown_card"
        issue_card(api)  # the type exists now
        blank = api.as_("manager").post("/api/v1/loyalty/cards", json={"type": "REGULAR"})
        number = blank.get_json()["cards"][0]["number"]
        assert problem(attach(sale, number), 409)["code"] == "card_not_active"

    def test_a_bank_card_number_in_the_card_field_is_refused_like_any_pan(self, sale):
        assert problem(attach(sale, "4111111111111111"), 422)["code"] == "card_number_rejected"

    def test_a_one_shot_upload_with_a_blocked_card_writes_nothing(self, api, till):
        till.open_shift()
        number = issue_card(api)
        manage(api, number, "block", reason="stolen")
        response = till.checkout([{"sku": "MILK-1L"}], [{"type": "cash", "amount": "100.00"}],
                                 card_code=number)
        assert problem(response, 409)["code"] == "card_blocked"
        assert till.x_report()["sales"]["count"] == 0


class TestQuoteWithACard:
    # The till's preview refuses a card as the sale would: learnt at the scan, not the payment.
    def quoted(self, till, number):  # type: ignore[no-untyped-def]
        return till.api.post("/api/v1/receipts/quote", json={
            "till_id": till.till_id, "lines": [{"sku": "MILK-1L"}], "card_code": number})

    @pytest.mark.parametrize(("action", "body", "status", "code"), BLOCKED_OR_EXPIRED)
    def test_a_blocked_or_expired_card_is_refused_with_the_sales_code(
            self, api, till, action, body, status, code):
        number = issue_card(api)
        assert till.ok(self.quoted(till, number))["total"] == "89.90"
        manage(api, number, action, **body)
        assert problem(self.quoted(till, number), status)["code"] == code

    def test_an_unknown_or_unactivated_card_is_refused(self, api, till):
        assert problem(self.quoted(till, "2900000000000"), 422)["code"] == "unknown_card"
        assert problem(self.quoted(till, "any text"), 422)["code"] == "unknown_card"
        issue_card(api)  # the type exists now
        blank = api.as_("manager").post("/api/v1/loyalty/cards", json={"type": "REGULAR"})
        number = blank.get_json()["cards"][0]["number"]
        assert problem(self.quoted(till, number), 409)["code"] == "card_not_active"

    def test_a_replaced_card_is_refused_and_its_successor_quoted(self, api, till):
        old = issue_card(api)
        new = api.as_("manager").post(f"/api/v1/loyalty/cards/{old}/replace", json={})
        assert new.status_code == 200, new.get_json()
        assert problem(self.quoted(till, old), 409)["code"] == "card_replaced"
        successor = new.get_json()["number"]
        assert till.ok(self.quoted(till, successor))["total"] == "89.90"


    def test_a_simulated_basket_checks_its_card_as_the_quote_does(self, api, till):
        number = issue_card(api)
        manage(api, number, "block", reason="lost")
        for card, status, code in ((number, 409, "card_blocked"),
                                   ("2900000000000", 422, "unknown_card")):
            body = {"basket": {"till_id": till.till_id, "lines": [{"sku": "MILK-1L"}],
                               "card_code": card},
                    "draft": {"discounts": [{"name": "10 %", "benefit": pct("10")}]}}
            response = api.as_("manager").post("/api/v1/discounts/simulate", json=body)
            assert problem(response, status)["code"] == code


class TestCardDiscounts:
    def test_a_card_type_discount_fires_only_with_a_card_of_that_type(self, api, till, shop):
        gold, other = issue_card(api, "GOLD"), issue_card(api, "SILVER")
        discount(api, name="Gold 10%", kind="card", card_types=["GOLD"], benefit=pct("10"))
        assert quote(till, {"sku": "MILK-1L"}, card_code=gold)["discount"] == "8.99"
        assert quote(till, {"sku": "MILK-1L"}, card_code=other)["discount"] == "0.00"
        assert quote(till, {"sku": "MILK-1L"})["discount"] == "0.00"

    @pytest.mark.parametrize(("accumulated_minor", "off"), [
        (999_999, "0.00"), (1_000_000, "2.70"), (4_999_999, "2.70"), (5_000_000, "4.50"),
        (14_999_999, "4.50"), (15_000_000, "6.29")])  # 0, 3, 5, 7 % of 89.90
    def test_the_tier_is_the_highest_threshold_reached(self, api, db, sale,
                                                       accumulated_minor, off):
        gold = issue_card(api, "GOLD", tiers=GOLD_TIERS)
        tiers = group(api, "Gold tiers", "max")
        for percent, floor in (("3", "10000.00"), ("5", "50000.00"), ("7", "150000.00")):
            discount(api, name=f"Gold {percent}%", kind="card", card_types=["GOLD"],
                     group_id=tiers, benefit=pct(percent),
                     conditions=[{"type": "accumulated_volume", "min_amount": floor}])
        with db.transaction() as session:
            session.execute(update(Card).where(Card.number == gold)
                            .values(accumulated_minor=accumulated_minor))
        priced = sale.ok(attach(sale, gold))
        assert priced["discount"] == off

    def test_returns_take_a_sale_off_the_accumulated_spend(self, api, till, shop):
        gold = issue_card(api, "GOLD", tiers=GOLD_TIERS)
        till.open_shift()
        sold = till.ok(till.checkout([{"sku": "OAT-MILK-1L", "quantity": "2"}],
                                     [{"type": "cash", "amount": "299.80"}], card_code=gold), 201)
        card = api.as_("manager").get(f"/api/v1/loyalty/cards/{gold}").get_json()
        assert card["accumulated"] == "299.80"
        till.ok(api.post("/api/v1/returns", json={
            "till_id": till.till_id, "original_receipt_id": sold["id"],
            "client_uuid": str(uuid.uuid4()), "lines": [{"line_no": 1, "quantity": "1"}]}), 201)
        card = api.as_("manager").get(f"/api/v1/loyalty/cards/{gold}").get_json()
        assert card["accumulated"] == "149.90"
