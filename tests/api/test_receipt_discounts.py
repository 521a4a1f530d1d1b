"""Discounts at the till: rules from the tree, explanation, hints, manual discounts, returns."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from pos.core.audit import AuditEntry
from tests.helpers import MANAGER, issue_card


@pytest.fixture(autouse=True)
def open_shift(till):
    """Every test here sells on till 1 with its shift already open."""
    till.open_shift()


def discount(api, **body):
    response = api.as_("manager").post("/api/v1/discounts", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def group(api, name, rule, **extra):
    response = api.as_("manager").post("/api/v1/discount-groups",
                                       json={"name": name, "rule": rule, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def pct(value):
    return {"type": "percent_off", "percent": value}


def quote(till, *lines, **extra):
    response = till.api.post("/api/v1/receipts/quote", json={
        "till_id": till.till_id, "lines": list(lines), **extra})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


class TestRulesAtTheTill:
    def test_priority_group_applies_the_first_and_reports_the_displaced(self, api, till):
        gid = group(api, "Loyalty", "priority")
        first = discount(api, name="Card 5%", benefit=pct("5"), group_id=gid)
        discount(api, name="Campaign 10%", benefit=pct("10"), group_id=gid)
        till.open_receipt()
        receipt = till.sell("OAT-MILK-1L")  # 149.90
        assert receipt["lines"][0]["discount"] == "7.50"  # 5% of 149.90 = 7.495 -> 7.50
        assert receipt["total"] == "142.40"
        report = api.get(f"/api/v1/receipts/{receipt['id']}/discounts").get_json()
        line = report["lines"][0]
        assert [a["name"] for a in line["applied"]] == ["Card 5%"]
        assert line["applied"][0]["rule"] == "priority"
        assert line["displaced"][0]["name"] == "Campaign 10%"
        assert line["displaced"][0]["displaced_by"] == str(first["id"])

    def test_a_full_quote_traces_the_applied_and_the_displaced(self, api, till):
        gid = group(api, "Loyalty", "priority")
        first = discount(api, name="Card 5%", benefit=pct("5"), group_id=gid)
        second = discount(api, name="Campaign 10%", benefit=pct("10"), group_id=gid)
        compact = quote(till, {"sku": "OAT-MILK-1L"})
        response = till.api.post("/api/v1/receipts/quote?view=full", json={
            "till_id": till.till_id, "lines": [{"sku": "OAT-MILK-1L"}]})
        assert response.status_code == 200, response.get_json()
        full = response.get_json()
        trace = full.pop("pricing_trace")
        assert full == compact and "pricing_trace" not in compact
        assert [(e["line_no"], e["event"], e["discount_id"]) for e in trace] == [
            (1, "applied", str(first["id"])), (1, "displaced", str(second["id"]))]
        assert trace[0] == {"line_no": 1, "event": "applied",
                            **compact["lines"][0]["discounts"][0]}
        assert trace[1]["displaced_by"] == str(first["id"])

    def test_document_discount_is_spread_so_lines_add_up(self, api, till):
        discount(api, name="3% over 300", scope="document", benefit=pct("3"),
                 conditions=[{"type": "receipt_volume", "min_amount": "300.00"}])
        till.open_receipt()
        till.sell("OAT-MILK-1L", quantity="2")
        receipt = till.sell("MILK-1L")  # 299.80 + 89.90 = 389.70
        assert receipt["discount"] == "11.69"  # 3% of 389.70 = 11.691
        total = sum(int(line["amount"].replace(".", "")) for line in receipt["lines"])
        assert f"{total / 100:.2f}" == receipt["total"] == "378.01"

    def test_quote_gives_hints_for_a_nearly_met_condition(self, api, till):
        discount(api, name="3% over 500", scope="document", benefit=pct("3"),
                 conditions=[{"type": "receipt_volume", "min_amount": "500.00"}])
        result = quote(till, {"sku": "OAT-MILK-1L", "quantity": "3"})  # 449.70
        assert result["discount"] == "0.00"
        hint = result["hints"][0]
        assert hint["shortfall_minor"] == 5030

    def test_a_new_rule_applies_to_the_next_quote(self, api, till):
        assert quote(till, {"sku": "MILK-1L"})["total"] == "89.90"
        discount(api, name="Milk 10%", benefit=pct("10"), segment="MILK")
        assert quote(till, {"sku": "MILK-1L"})["total"] == "80.91"

    def test_payment_form_condition_follows_the_payment(self, api, till, shop):
        discount(api, name="Card payers 2%", benefit=pct("2"),
                 conditions=[{"type": "payment_form", "forms": ["card"]}])

        def one_shot(kind, amount, **card):
            response = api.post("/api/v1/receipts", json={
                "till_id": shop.till_id, "client_uuid": str(uuid.uuid4()),
                "lines": [{"sku": "MILK-1L"}],
                "payments": [{"type": kind, "amount": amount, **card}]})
            assert response.status_code == 201, response.get_json()
            return response.get_json()

        assert one_shot("cash", "100.00")["total"] == "89.90"
        paid_by_card = one_shot("card", "88.10", card_brand="VISA", card_last4="4242")
        assert paid_by_card["total"] == "88.10"  # 89.90 - 1.80

    def test_taking_back_the_last_payment_drops_its_payment_form_discount(self, api, till):
        discount(api, name="Card payers 2%", benefit=pct("2"),
                 conditions=[{"type": "payment_form", "forms": ["card"]}])
        till.open_receipt()
        till.sell("MILK-1L")
        assert till.pay_card("50.00")["total"] == "88.10"
        back = till.ok(till.api.delete(f"/api/v1/receipts/{till.receipt['id']}/payments/1"))
        assert (back["total"], back["discount"]) == ("89.90", "0.00")


class TestBuyerHistory:
    def test_accumulated_volume_counts_closed_receipts_of_the_card(self, api, till, shop):
        discount(api, name="Regulars 7%", benefit=pct("7"),
                 conditions=[{"type": "accumulated_volume", "min_amount": "400.00"}])

        def sell_to(card, sku, quantity, amount):
            response = api.post("/api/v1/receipts", json={
                "till_id": shop.till_id, "client_uuid": str(uuid.uuid4()), "card_code": card,
                "lines": [{"sku": sku, "quantity": quantity}],
                "payments": [{"type": "cash", "amount": amount}]})
            assert response.status_code == 201, response.get_json()
            return response.get_json()

        regular, other = issue_card(api), issue_card(api)
        sell_to(regular, "OAT-MILK-1L", "3", "449.70")
        assert quote(till, {"sku": "MILK-1L"}, card_code=regular)["discount"] == "6.29"
        assert quote(till, {"sku": "MILK-1L"}, card_code=other)["discount"] == "0.00"

    def test_first_purchase_discount_only_for_a_new_buyer(self, api, till, shop):
        discount(api, name="Welcome 10%", benefit=pct("10"),
                 conditions=[{"type": "first_purchase"}])
        newcomer = issue_card(api)
        assert quote(till, {"sku": "MILK-1L"}, card_code=newcomer)["discount"] == "8.99"
        api.post("/api/v1/receipts", json={
            "till_id": shop.till_id, "client_uuid": str(uuid.uuid4()), "card_code": newcomer,
            "lines": [{"sku": "MILK-1L"}], "payments": [{"type": "cash", "amount": "100.00"}]})
        assert quote(till, {"sku": "MILK-1L"}, card_code=newcomer)["discount"] == "0.00"
        assert quote(till, {"sku": "MILK-1L"})["discount"] == "0.00"  # anonymous: never


class TestManualDiscounts:
    @pytest.fixture(autouse=True)
    def limits(self, api):
        response = api.as_("manager").put("/api/v1/manual-discount-limits", json={"limits": [
            {"user_group": "cashiers", "max_percent": "5"},
            {"user_group": "cashiers", "price_group": "DAIRY", "max_percent": "10"}]})
        assert response.status_code == 200

    def give(self, till, headers=None, **body):
        return till.api.post(f"/api/v1/receipts/{till.receipt['id']}/manual-discounts",
                             json=body, headers=headers)

    def test_within_the_limit_a_cashier_gives_it_alone(self, till):
        till.open_receipt()
        till.sell("OAT-MILK-1L")  # DAIRY: 10% allowed
        response = self.give(till, percent="10", line_no=1, reason="dented")
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert body["lines"][0]["discount"] == "14.99"
        assert body["manual_discounts"][0]["approved_by"] is None

    def test_above_the_limit_needs_a_manager_and_is_audited(self, till, db):
        till.open_receipt()
        till.sell("APPLE-KG", quantity="1.000", weight_source="scale")  # PRODUCE: 5%
        refused = self.give(till, percent="20", line_no=1)
        assert refused.status_code == 403 and refused.get_json()["code"] == "approval_required"
        approved = self.give(till, headers=MANAGER, percent="20", line_no=1)
        assert approved.status_code == 201, approved.get_json()
        assert approved.get_json()["lines"][0]["discount"] == "31.98"
        with db.read() as s:
            entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "manual_discount"))
        assert entry.approved_by_id is not None

    def test_the_refusal_says_which_limit_applies_and_what_was_asked(self, till):
        till.open_receipt()
        till.sell("APPLE-KG", quantity="1.000", weight_source="scale")  # PRODUCE: 5%
        till.sell("OAT-MILK-1L")  # DAIRY: 10%
        on_milk = self.give(till, percent="12.5", line_no=2).get_json()
        assert (on_milk["code"], on_milk["limit"], on_milk["percent"]) == (
            "approval_required", "10.00", "12.50")
        on_both = self.give(till, amount="30.00").get_json()  # 30.00 of 309.80: 9.68%
        assert (on_both["limit"], on_both["percent"]) == ("5.00", "9.68")

    def test_amount_above_the_line_and_closed_receipts_are_refused(self, till):
        till.open_receipt()
        till.sell("MILK-1L")
        too_much = self.give(till, headers=MANAGER, amount="100.00", line_no=1)
        assert too_much.status_code == 422
        assert too_much.get_json()["code"] == "manual_discount_exceeds_amount"
        till.pay_cash("100.00")
        till.close()
        closed = self.give(till, percent="1", line_no=1)
        assert closed.status_code == 409 and closed.get_json()["code"] == "receipt_closed"

    def test_a_receipt_discount_is_spread_and_can_be_withdrawn(self, till):
        till.open_receipt()
        till.sell("OAT-MILK-1L")
        till.sell("MILK-1L")
        given = self.give(till, amount="10.00", reason="loyal customer").get_json()
        assert given["discount"] == "10.00" and given["total"] == "229.80"
        mid = given["manual_discounts"][0]["id"]
        back = till.api.delete(f"/api/v1/receipts/{till.receipt['id']}/manual-discounts/{mid}")
        assert back.get_json()["total"] == "239.80"

    def test_percent_and_amount_together_are_refused(self, till):
        till.open_receipt()
        till.sell("MILK-1L")
        response = self.give(till, percent="1", amount="1.00")
        assert response.get_json()["code"] == "percent_or_amount"


def test_a_return_refunds_what_was_paid_after_discounts(api, till, shop):
    discount(api, name="Milk 10%", benefit=pct("10"), segment="MILK")
    till.open_receipt()
    till.sell("OAT-MILK-1L", quantity="3")  # 449.70 - 44.97 = 404.73
    till.pay_cash("404.73")
    sale = till.close()
    response = api.post("/api/v1/returns", json={
        "till_id": shop.till_id, "original_receipt_id": sale["id"],
        "lines": [{"line_no": 1, "quantity": "1"}]})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["total"] == "134.91"  # allocate(404.73, [1, 2])[0]


class TestSimulate:
    def test_a_draft_is_priced_beside_the_active_rules_and_not_saved(self, api, till, db):
        active = discount(api, name="Milk 10%", benefit=pct("10"), segment="MILK")
        body = {"basket": {"till_id": till.till_id, "lines": [{"sku": "MILK-1L"}]},
                "draft": {"deactivate": [active["id"]],
                          "discounts": [{"name": "Milk 20%", "benefit": pct("20"),
                                         "segment": "MILK"}]}}
        response = api.as_("manager").post("/api/v1/discounts/simulate", json=body)
        assert response.status_code == 200, response.get_json()
        result = response.get_json()
        assert result["current"]["total"] == "80.91"
        assert result["draft"]["total"] == "71.92"
        assert result["difference"] == "-8.99"
        assert quote(till, {"sku": "MILK-1L"})["total"] == "80.91"  # nothing activated

    def test_a_simulation_says_what_the_basket_lacks_under_the_draft(self, api, till):
        body = {"basket": {"till_id": till.till_id,
                           "lines": [{"sku": "OAT-MILK-1L", "quantity": "3"}]},  # 449.70
                "draft": {"discounts": [{
                    "name": "3% over 500", "scope": "document", "benefit": pct("3"),
                    "conditions": [{"type": "receipt_volume", "min_amount": "500.00"}]}]}}
        result = api.as_("manager").post("/api/v1/discounts/simulate", json=body).get_json()
        assert result["current"]["hints"] == []
        assert [hint["shortfall_minor"] for hint in result["draft"]["hints"]] == [5030]

    def test_a_stored_receipt_can_be_simulated(self, api, till):
        till.open_receipt()
        receipt = till.sell("OAT-MILK-1L")
        body = {"receipt_id": receipt["id"], "draft": {"discounts": [
            {"name": "Oat 50.00 off", "benefit": {"type": "amount_off", "amount": "50.00"},
             "item_ids": [till.shop.items["OAT-MILK-1L"]]}]}}
        result = api.as_("manager").post("/api/v1/discounts/simulate", json=body).get_json()
        assert result["draft"]["lines"][0]["discount"] == "50.00"

    def test_a_bad_draft_is_a_clear_problem(self, api, till):
        body = {"basket": {"till_id": till.till_id, "lines": [{"sku": "MILK-1L"}]},
                "draft": {"discounts": [{"name": "x", "benefit": pct("10"),
                                         "segment": "NOPE"}]}}
        response = api.as_("manager").post("/api/v1/discounts/simulate", json=body)
        assert response.status_code == 422 and response.get_json()["code"] == "unknown_segment"
        assert api.post("/api/v1/discounts/simulate", json=body).status_code == 403


def chocolate_bar_for_two_milks(api, shop):
    manager = api.as_("manager")
    gift = manager.post("/api/v1/items", json={"sku": "CHOC-BAR", "name": "Chocolate bar"})
    gift_id = gift.get_json()["id"]
    manager.post(f"/api/v1/items/{gift_id}/prices", json={
        "store_id": shop.store_id, "price_type": "retail", "price": "59.90",
        "valid_from": "2026-01-01"})
    discount(api, name="2 milks, a bar free", benefit={
        "type": "gift", "required_qty": 2, "required_segment": "MILK", "gift_item_id": gift_id})
    return gift_id


def test_a_gift_is_announced_by_quote_and_free_once_scanned(api, till, shop):
    gift_id = chocolate_bar_for_two_milks(api, shop)
    announced = quote(till, {"sku": "OAT-MILK-1L", "quantity": "2"})
    assert [g["item_id"] for g in announced["gift_lines"]] == [gift_id]
    till.open_receipt()
    till.sell("OAT-MILK-1L", quantity="2")
    receipt = till.sell("CHOC-BAR")
    bar = receipt["lines"][1]
    assert (bar["discount"], bar["amount"]) == ("59.90", "0.00")
    assert receipt["total"] == "299.80"


@pytest.mark.parametrize("benefit", [{"type": "markup", "percent": "5"}, pct("10")],
                         ids=["markup", "percent"])
def test_no_other_discount_lands_on_a_scanned_gift(api, till, shop, benefit):
    chocolate_bar_for_two_milks(api, shop)
    discount(api, name="Everything", benefit=benefit)
    group_id = api.as_("manager").get("/api/v1/discounts/tree").get_json()["id"]
    api.as_("manager").patch(f"/api/v1/discount-groups/{group_id}", json={"rule": "sum"})
    till.open_receipt()
    till.sell("OAT-MILK-1L", quantity="2")
    bar = till.sell("CHOC-BAR")["lines"][1]
    assert (bar["discount"], bar["amount"]) == ("59.90", "0.00")


def test_a_capped_offer_gives_one_free_item_per_receipt(api, till):
    discount(api, name="3 for 2, once", segment="MILK",
             benefit={"type": "cheapest_free", "set_size": 3, "max_per_receipt": 1})
    at_cap = quote(till, {"sku": "MILK-1L", "quantity": "3"})
    past_cap = quote(till, {"sku": "MILK-1L", "quantity": "6"})
    assert at_cap["discount"] == past_cap["discount"] == "89.90"


def test_a_line_scope_quantity_discount_goes_only_to_the_line_that_meets_it(api, till):
    discount(api, name="5 milks, 10% off", benefit=pct("10"), segment="MILK",
             conditions=[{"type": "segment_quantity", "segment": "MILK", "min_quantity": 5}])
    split = quote(till, {"sku": "MILK-1L", "quantity": "3"},
                  {"sku": "OAT-MILK-1L", "quantity": "3"})
    assert split["discount"] == "0.00"
    assert [(h["line_no"], h["shortfall_quantity"]) for h in split["hints"]] == [
        (1, "2.000"), (2, "2.000")]
    one_line = quote(till, {"sku": "MILK-1L", "quantity": "5"},
                     {"sku": "OAT-MILK-1L", "quantity": "3"})
    assert [line["discount"] for line in one_line["lines"]] == ["44.95", "0.00"]


class TestGiftLines:
    """The receipt adds the gift a rule gives away, and drops it when the rule no longer holds."""

    def test_the_receipt_adds_the_gift_line_itself(self, api, till, shop):
        gift_id = chocolate_bar_for_two_milks(api, shop)
        till.open_receipt()
        receipt = till.sell("OAT-MILK-1L", quantity="2")
        gift = receipt["lines"][1]
        assert (gift["item_id"], gift["is_gift"], gift["amount"]) == (gift_id, True, "0.00")
        assert receipt["total"] == "299.80"

    def test_the_gift_line_goes_when_a_qualifying_line_does(self, api, till, shop):
        chocolate_bar_for_two_milks(api, shop)
        till.open_receipt()
        till.sell("OAT-MILK-1L", quantity="2")
        changed = till.api.patch(f"/api/v1/receipts/{till.receipt['id']}/lines/1",
                                 json={"quantity": "1"}).get_json()
        assert [line["sku"] for line in changed["lines"]] == ["OAT-MILK-1L"]
        assert changed["total"] == "149.90"

    def test_a_gift_the_till_scans_itself_replaces_the_added_one(self, api, till, shop):
        chocolate_bar_for_two_milks(api, shop)
        till.open_receipt()
        till.sell("OAT-MILK-1L", quantity="2")
        receipt = till.sell("CHOC-BAR")
        bars = [line for line in receipt["lines"] if line["sku"] == "CHOC-BAR"]
        assert [(bar["is_gift"], bar["amount"]) for bar in bars] == [(False, "0.00")]
        assert receipt["total"] == "299.80"

    def test_a_markup_never_lands_on_the_added_gift(self, api, till, shop):
        chocolate_bar_for_two_milks(api, shop)
        discount(api, name="Everything", benefit={"type": "markup", "percent": "5"})
        group_id = api.as_("manager").get("/api/v1/discounts/tree").get_json()["id"]
        api.as_("manager").patch(f"/api/v1/discount-groups/{group_id}", json={"rule": "sum"})
        till.open_receipt()
        gift = till.sell("OAT-MILK-1L", quantity="2")["lines"][1]
        assert (gift["is_gift"], gift["amount"]) == (True, "0.00")

    def test_a_one_shot_upload_carries_its_gift_line_into_the_journal(self, api, till, shop,
                                                                      db, registry):
        from pos.journal.service import verify

        chocolate_bar_for_two_milks(api, shop)
        receipt = till.ok(till.checkout([{"sku": "OAT-MILK-1L", "quantity": "2"}],
                                        [{"type": "cash", "amount": "300.00"}], view="full"),
                          201)
        assert [line["is_gift"] for line in receipt["lines"]] == [False, True]
        assert (receipt["total"], receipt["change"]) == ("299.80", "0.20")
        assert verify(db, registry.journal_checks, till.till_id).is_intact
