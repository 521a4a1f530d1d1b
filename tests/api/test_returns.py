"""Returns: with the receipt (split over payment types), without it (manager, cash only)."""

from __future__ import annotations

import pytest

from tests.helpers import MANAGER


def _code(response):
    return response.get_json()["code"]


@pytest.fixture
def sale(till):
    """A closed sale: 3 oat milk (449.70) paid 200.00 by card and 249.70 in cash."""
    till.open_shift()
    till.open_receipt()
    till.sell("OAT-MILK-1L", quantity="3")
    till.sell("APPLE-KG", quantity="0.750", weight_source="scale")  # 119.9250 -> 119.93
    till.pay_card("200.00")
    till.pay_cash("400.00")
    return till.close()


def _return(till, lines, original=None, headers=None):
    body = {"till_id": till.till_id, "lines": lines}
    if original is not None:
        body["original_receipt_id"] = original
    return till.api.post("/api/v1/returns", json=body, headers=headers)


class TestReturnWithReceipt:
    def test_partial_returns_refund_exactly_what_was_paid(self, till, sale):
        first = till.ok(_return(till, [{"line_no": 1, "quantity": "1"},
                                       {"line_no": 2, "quantity": "0.250"}], sale["id"]), 201)
        second = till.ok(_return(till, [{"line_no": 1, "quantity": "2"},
                                        {"line_no": 2, "quantity": "0.500"}], sale["id"]), 201)
        refunded = sum(int(r["total"].replace(".", "")) for r in (first, second))
        assert refunded == 44970 + 11993
        assert (first["kind"], first["number"], second["number"]) == ("return", 2, 3)

    def test_refund_goes_back_by_the_original_payment_types(self, till, sale):
        body = till.ok(_return(till, [{"line_no": 1, "quantity": "3"},
                                      {"line_no": 2, "quantity": "0.750"}], sale["id"]), 201)
        assert {p["type"]: p["amount"] for p in body["payments"]} == {
            "card": "200.00", "cash": "369.63"}
        card = next(p for p in body["payments"] if p["type"] == "card")
        assert card["card_last4"] == "4242"

    def test_never_more_than_sold_minus_returned(self, till, sale):
        till.ok(_return(till, [{"line_no": 1, "quantity": "2"}], sale["id"]), 201)
        response = _return(till, [{"line_no": 1, "quantity": "2"}], sale["id"])
        assert response.status_code == 422
        assert _code(response) == "return_exceeds_sold"

    def test_a_line_listed_twice_counts_twice(self, till, sale):
        response = _return(till, [{"line_no": 1, "quantity": "2"},
                                  {"line_no": 1, "quantity": "2"}], sale["id"])
        assert _code(response) == "return_exceeds_sold"

    def test_unknown_line_and_receipt_are_not_found(self, till, sale):
        assert _code(_return(till, [{"line_no": 9, "quantity": "1"}], sale["id"])) == \
            "line_not_found"
        assert _code(_return(till, [{"line_no": 1, "quantity": "1"}], 999999)) == \
            "receipt_not_found"

    def test_fractional_return_of_a_piece_item_is_refused(self, till, sale):
        response = _return(till, [{"line_no": 1, "quantity": "0.5"}], sale["id"])
        assert _code(response) == "fractional_quantity"

    def test_a_return_cannot_itself_be_returned(self, till, sale):
        refund = till.ok(_return(till, [{"line_no": 1, "quantity": "1"}], sale["id"]), 201)
        response = _return(till, [{"line_no": 1, "quantity": "1"}], refund["id"])
        assert _code(response) == "not_returnable"


class TestReturnWithoutReceipt:
    def test_cashier_needs_a_manager(self, till, sale):
        response = _return(till, [{"sku": "MILK-1L", "quantity": "1"}])
        assert response.status_code == 403
        assert _code(response) == "approval_required"

    def test_with_approval_it_refunds_cash_only(self, till, sale):
        body = till.ok(_return(till, [{"sku": "MILK-1L", "quantity": "1"}], headers=MANAGER),
                       201)
        assert [(p["type"], p["amount"]) for p in body["payments"]] == [("cash", "89.90")]

    def test_manager_returns_without_approval(self, till, sale):
        body = till.as_("manager").ok(_return(till.as_("manager"),
                                              [{"sku": "MILK-1L", "quantity": "1"}]), 201)
        assert body["total"] == "89.90"


class TestDrawerCash:
    @pytest.fixture
    def empty_drawer(self, till, sale):
        """The sale's shift is closed and the next one starts with no cash."""
        till.ok(till.api.post(f"/api/v1/shifts/{till.shift['id']}/close",
                              json={"counted_cash": "1369.63"}))
        till.open_shift("0.00")
        return till

    def test_a_cash_refund_never_exceeds_the_cash_in_the_drawer(self, empty_drawer, sale, db):
        till = empty_drawer
        before = _journal_size(db)
        refused = _return(till, [{"line_no": 1, "quantity": "3"}], sale["id"])
        assert refused.status_code == 409 and _code(refused) == "insufficient_cash"
        # 449.70 back over card 200.00 / cash 369.63 of the sale: 157.89 card, 291.81 cash
        assert refused.get_json()["cash_refund"] == "291.81"  # money in problems: a string
        assert _journal_size(db) == before
        till.ok(till.api.post(f"/api/v1/shifts/{till.shift['id']}/cash-in",
                              json={"amount": "300.00", "reason": "change for refunds"}), 201)
        body = till.ok(_return(till, [{"line_no": 1, "quantity": "3"}], sale["id"]), 201)
        assert {p["type"]: p["amount"] for p in body["payments"]} == {
            "card": "157.89", "cash": "291.81"}
        assert till.x_report()["cash"]["expected"] == "8.19"

    def test_a_return_without_receipt_needs_the_cash_too(self, empty_drawer):
        refused = _return(empty_drawer, [{"sku": "MILK-1L", "quantity": "1"}],
                          headers=MANAGER)
        assert refused.status_code == 409 and _code(refused) == "insufficient_cash"


def _journal_size(db):
    from sqlalchemy import func, select

    from pos.journal.model import JournalEntry

    with db.read() as session:
        return session.scalar(select(func.count()).select_from(JournalEntry))
