"""The answer to an added line: compact by default, the whole receipt on ``?view=full``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.helpers import problem


@pytest.fixture(autouse=True)
def open_shift(till):
    """Every test here sells on till 1 with its shift already open."""
    till.open_shift()


def add(till, view: str | None = None, headers=None, **line):  # type: ignore[no-untyped-def]
    query = f"?view={view}" if view else ""
    return till.api.post(f"/api/v1/receipts/{till.receipt['id']}/lines{query}", json=line,
                         headers=headers)


class TestCompactAnswer:
    def test_it_carries_the_line_and_the_totals_not_the_receipt(self, till):
        till.open_receipt()
        till.sell("OAT-MILK-1L")  # 149.90
        response = add(till, sku="MILK-1L", quantity="2")  # 2 x 89.90
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert set(body) == {"receipt_id", "line", "changed_lines", "removed_line_nos",
                             "total", "discount", "paid", "due"}
        assert (body["receipt_id"], body["line"]["line_no"], body["line"]["sku"]) == (
            till.receipt["id"], 2, "MILK-1L")
        assert (body["line"]["amount"], body["total"], body["due"]) == (
            "179.80", "329.70", "329.70")
        assert body["changed_lines"] == [] and body["removed_line_nos"] == []
        full = till.api.get(f"/api/v1/receipts/{till.receipt['id']}").get_json()
        assert full["total"] == body["total"] and full["lines"][1] == body["line"]

    def test_a_document_discount_the_line_brings_shows_on_the_lines_it_changed(
            self, api, till):
        api.as_("manager").post("/api/v1/discounts", json={
            "name": "3% over 300", "scope": "document",
            "benefit": {"type": "percent_off", "percent": "3"},
            "conditions": [{"type": "receipt_volume", "min_amount": "300.00"}]})
        till.open_receipt()
        till.sell("OAT-MILK-1L")  # 149.90: below 300, no discount yet
        body = add(till, sku="OAT-MILK-1L", quantity="2").get_json()  # 449.70 in all
        assert [line["line_no"] for line in body["changed_lines"]] == [1]
        full = till.api.get(f"/api/v1/receipts/{till.receipt['id']}").get_json()
        assert body["changed_lines"][0] == full["lines"][0]
        assert full["lines"][0]["discount"] != "0.00"
        assert (body["total"], body["discount"]) == (full["total"], full["discount"])

    def test_a_keyed_retry_replays_the_compact_answer(self, till):
        till.open_receipt()
        key = {"Idempotency-Key": "compact-line-1"}
        first = add(till, headers=key, sku="MILK-1L")
        again = add(till, headers=key, sku="MILK-1L")
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.get_json() == first.get_json()
        full = till.api.get(f"/api/v1/receipts/{till.receipt['id']}").get_json()
        assert len(full["lines"]) == 1


class TestFullView:
    def test_view_full_answers_the_whole_receipt_as_before(self, till):
        till.open_receipt()
        till.sell("OAT-MILK-1L")
        body = add(till, view="full", sku="MILK-1L").get_json()
        assert body == till.api.get(f"/api/v1/receipts/{till.receipt['id']}").get_json()
        assert [line["sku"] for line in body["lines"]] == ["OAT-MILK-1L", "MILK-1L"]

    def test_view_full_with_a_key_replays_the_receipt(self, till):
        till.open_receipt()
        key = {"Idempotency-Key": "full-line-1"}
        first = add(till, view="full", headers=key, sku="MILK-1L").get_json()
        again = add(till, view="full", headers=key, sku="MILK-1L")
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.get_json() == first and first["lines"][0]["sku"] == "MILK-1L"

    def test_an_unknown_view_is_refused(self, till):
        till.open_receipt()
        body = problem(add(till, view="tiny", sku="MILK-1L"), 422)
        assert "view" in body["errors"]


def test_the_openapi_document_names_both_views(client):
    spec = client.get("/api/openapi.json").get_json()
    add_line = spec["paths"]["/api/v1/receipts/{receipt_id}/lines"]["post"]
    view = next(p for p in add_line["parameters"] if p["name"] == "view")
    assert view["in"] == "query" and view["schema"]["enum"] == ["compact", "full"]
    answer = add_line["responses"]["201"]
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/LineAdded")
    assert "view=full" in answer["description"]


def test_what_an_added_line_changed_is_what_is_stored(api, till, shop):
    """Lines priced anew, a gift added, then dropped for the one the till scans: all stored."""
    manager = api.as_("manager")
    bar = manager.post("/api/v1/items", json={"sku": "CHOC-BAR", "name": "Chocolate bar"})
    manager.post(f"/api/v1/items/{bar.get_json()['id']}/prices", json={
        "store_id": shop.store_id, "price_type": "retail", "price": "59.90",
        "valid_from": "2026-01-01"})
    for body in ({"name": "2 milks, a bar free", "benefit": {
                     "type": "gift", "required_qty": 2, "required_segment": "MILK",
                     "gift_item_id": bar.get_json()["id"]}},
                 {"name": "3% over 300", "scope": "document",
                  "benefit": {"type": "percent_off", "percent": "3"},
                  "conditions": [{"type": "receipt_volume", "min_amount": "300.00"}]}):
        assert manager.post("/api/v1/discounts", json=body).status_code == 201
    till.open_receipt()
    path = f"/api/v1/receipts/{till.receipt['id']}"
    answers = [add(till, view="full", sku=sku, quantity=quantity).get_json()
               for sku, quantity in (("OAT-MILK-1L", "1"), ("OAT-MILK-1L", "1"),
                                     ("CHOC-BAR", "1"), ("MILK-1L", "3"))]
    assert [[(line["sku"], line["is_gift"]) for line in answer["lines"]]
            for answer in answers[1:3]] == [
        [("OAT-MILK-1L", False), ("OAT-MILK-1L", False), ("CHOC-BAR", True)],
        [("OAT-MILK-1L", False), ("OAT-MILK-1L", False), ("CHOC-BAR", False)]]
    stored = till.api.get(path).get_json()
    assert answers[-1] == stored
    assert stored["discount"] != "0.00" and all(
        line["discount"] != "0.00" for line in stored["lines"])
    assert stored["total"] == str(sum(map(Decimal, (line["amount"] for line in stored["lines"]))))


def test_a_payment_and_the_close_store_what_they_answer(api, till, db, registry):
    """The first payment prices the lines anew (its form's discount); the close numbers them."""
    from pos.journal.service import verify

    assert api.as_("manager").post("/api/v1/discounts", json={
        "name": "Card payers 2%", "benefit": {"type": "percent_off", "percent": "2"},
        "conditions": [{"type": "payment_form", "forms": ["card"]}]}).status_code == 201
    till.open_receipt()
    till.sell("MILK-1L")
    till.sell("OAT-MILK-1L", quantity="2")
    path = f"/api/v1/receipts/{till.receipt['id']}"
    paid = till.pay_card("100.00")
    assert paid == till.api.get(path).get_json()
    assert all(line["discount"] != "0.00" for line in paid["lines"])
    assert [(p["type"], p["amount"], p["card_last4"]) for p in paid["payments"]] == [
        ("card", "100.00", "4242")]
    till.pay_cash("500.00")
    closed = till.close()
    assert closed == till.api.get(path).get_json()
    assert (closed["state"], closed["number"] is not None) == ("closed", True)
    assert closed["change"] == str(Decimal("600.00") - Decimal(closed["total"]))
    assert verify(db, registry.journal_checks, till.till_id).is_intact
