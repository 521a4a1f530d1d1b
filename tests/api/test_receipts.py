"""Receipts through the API: lines, weights, payments, closing, voiding, one-shot, quote."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from pos.catalog.model import Item, Price
from pos.core.audit import AuditEntry
from pos.journal.model import JournalEntry
from pos.receipts.model import Receipt, ReceiptLine, ReceiptPayment
from tests.api.test_shifts import weight_ean
from tests.helpers import MANAGER, MILK_EAN, OAT_MILK_EAN


def _code(response):
    return response.get_json()["code"]


def _counts(db):
    with db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(t))
                     for t in (Receipt, ReceiptLine, ReceiptPayment, JournalEntry))


@pytest.fixture
def selling(till):
    """A till with an open shift and an open receipt."""
    till.open_shift()
    till.open_receipt()
    return till


class TestLines:
    def test_lines_by_sku_ean_and_weight_barcode_total_exactly(self, selling):
        selling.sell("OAT-MILK-1L", quantity="3")
        selling.sell(code=MILK_EAN)
        receipt = selling.sell(code=weight_ean(1, 455))  # 0.455 kg x 129.90 = 59.1045
        banana = receipt["lines"][2]
        assert (banana["quantity"], banana["amount"], banana["weight_source"]) == (
            "0.455", "59.10", "barcode")
        assert receipt["total"] == "598.70"  # 449.70 + 89.90 + 59.10
        assert all(line["discounts"] == [] for line in receipt["lines"])

    def test_weighed_item_by_sku_takes_kg_from_the_scale(self, selling):
        receipt = selling.sell("APPLE-KG", quantity="1.500", weight_source="scale")
        assert receipt["lines"][0]["amount"] == "239.85"
        assert receipt["lines"][0]["is_manual_weight"] is False

    def test_manual_weight_needs_the_right_or_a_manager(self, selling):
        refused = selling.sell_response("APPLE-KG", quantity="1.000", weight_source="manual")
        assert _code(refused) == "approval_required"
        receipt = selling.ok(selling.api.post(
            f"/api/v1/receipts/{selling.receipt['id']}/lines?view=full", headers=MANAGER,
            json={"sku": "APPLE-KG", "quantity": "1.000", "weight_source": "manual"}), 201)
        assert receipt["lines"][0]["is_manual_weight"] is True

    def test_a_weight_the_till_does_not_say_came_from_the_scale_is_typed_in(self, selling, db):
        before = _counts(db)
        refused = selling.sell_response("APPLE-KG", quantity="1.000")
        assert _code(refused) == "approval_required"
        assert _counts(db) == before
        receipt = selling.ok(selling.api.post(
            f"/api/v1/receipts/{selling.receipt['id']}/lines?view=full", headers=MANAGER,
            json={"sku": "APPLE-KG", "quantity": "1.000"}), 201)
        line = receipt["lines"][0]
        assert (line["weight_source"], line["is_manual_weight"]) == ("manual", True)

    def test_a_new_weight_without_a_source_is_typed_in_too(self, selling):
        selling.sell("APPLE-KG", quantity="1.000", weight_source="scale")
        path = f"/api/v1/receipts/{selling.receipt['id']}/lines/1"
        assert _code(selling.api.patch(path, json={"quantity": "2.000"})) == "approval_required"
        rescaled = selling.ok(selling.api.patch(path, json={"quantity": "2.000",
                                                            "weight_source": "scale"}))
        assert rescaled["lines"][0]["is_manual_weight"] is False

    def test_an_upload_of_a_weight_without_a_source_needs_the_right(self, till, db):
        till.open_shift()
        before = _counts(db)
        lines = [{"sku": "BANANA-KG", "quantity": "1.000"}]
        cash = [{"type": "cash", "amount": "200.00"}]
        assert _code(till.checkout(lines, cash)) == "approval_required"
        assert _counts(db) == before
        uploaded = till.ok(till.api.post("/api/v1/receipts", headers=MANAGER, json={
            "till_id": till.till_id, "client_uuid": str(uuid.uuid4()), "lines": lines,
            "payments": cash}, query_string={"view": "full"}), 201)
        assert uploaded["lines"][0]["is_manual_weight"] is True

    def test_change_quantity_and_remove_a_line(self, selling):
        selling.sell("OAT-MILK-1L")
        selling.sell("MILK-1L")
        rid = selling.receipt["id"]
        changed = selling.ok(selling.api.patch(f"/api/v1/receipts/{rid}/lines/1",
                                               json={"quantity": "4"}))
        assert changed["total"] == "689.50"
        removed = selling.ok(selling.api.delete(f"/api/v1/receipts/{rid}/lines/2"))
        assert [line["sku"] for line in removed["lines"]] == ["OAT-MILK-1L"]
        assert removed["total"] == "599.60"

    @pytest.mark.parametrize(("body", "code"), [
        ({"sku": "NO-SUCH-SKU"}, "item_not_found"),
        ({"code": "4600000000992"}, "barcode_not_found"),
        ({"sku": "OAT-MILK-1L", "quantity": "0"}, "invalid_quantity"),
        ({"sku": "OAT-MILK-1L", "quantity": "-1"}, "invalid_quantity"),
        ({"sku": "APPLE-KG", "quantity": "1.2345"}, "invalid_quantity"),
        ({"sku": "OAT-MILK-1L", "quantity": "1.5"}, "fractional_quantity"),
        ({"sku": "APPLE-KG", "quantity": "1", "weight_source": "guess"},
         "invalid_weight_source"),
        ({"sku": "APPLE-KG"}, "quantity_required"),
    ])
    def test_bad_lines_are_refused_and_nothing_is_written(self, selling, db, body, code):
        before = _counts(db)
        response = selling.sell_response(**body)
        assert response.status_code in (404, 409, 422)
        assert _code(response) == code
        assert _counts(db) == before

    def test_another_tills_receipt_is_refused(self, selling, shop):
        response = selling.api.post(f"/api/v1/receipts/{selling.receipt['id']}/lines",
                                    json={"sku": "MILK-1L"},
                                    headers={"X-Till-Id": str(shop.other_till_id)})
        assert response.status_code == 409
        assert _code(response) == "wrong_till"

    def test_another_cashiers_receipt_needs_a_manager(self, selling):
        other = selling.api.as_("admin")
        response = other.post(f"/api/v1/receipts/{selling.receipt['id']}/lines",
                              json={"sku": "MILK-1L"})
        assert response.status_code == 201  # admin manages others' shifts


class TestPayments:
    def test_mixed_payment_gives_change_from_cash_only(self, selling):
        selling.sell("OAT-MILK-1L")
        selling.pay_card("100.00")
        selling.pay_cash("100.00")
        receipt = selling.close()
        assert (receipt["change"], receipt["number"]) == ("50.10", 1)

    def test_an_open_receipt_shows_the_change_as_soon_as_cash_exceeds_the_due(self, selling):
        selling.sell("OAT-MILK-1L")  # 149.90
        by_card = selling.pay_card("100.00")
        assert (by_card["tendered"], by_card["change"], by_card["due"]) == (
            "0.00", "0.00", "49.90")
        with_cash = selling.pay_cash("100.00")
        assert (with_cash["state"], with_cash["tendered"], with_cash["change"]) == (
            "open", "100.00", "50.10")
        assert selling.ok(selling.api.get(f"/api/v1/receipts/{with_cash['id']}"))[
            "change"] == "50.10"
        closed = selling.close()
        assert (closed["tendered"], closed["change"], closed["paid"], closed["total"]) == (
            "100.00", "50.10", "200.00", "149.90")

    def test_a_card_paying_exactly_the_due_shows_no_change(self, selling):
        selling.sell("MILK-1L")
        paid = selling.pay("card", "89.90", card_brand="VISA", card_last4="4242")
        assert (paid.get_json()["tendered"], paid.get_json()["change"]) == ("0.00", "0.00")

    def test_taking_back_the_cash_takes_back_the_change(self, selling):
        selling.sell("MILK-1L")
        assert selling.pay_cash("100.00")["change"] == "10.10"
        back = selling.ok(selling.api.delete(
            f"/api/v1/receipts/{selling.receipt['id']}/payments/1"))
        assert (back["tendered"], back["change"]) == ("0.00", "0.00")

    def test_card_payment_above_due_is_refused(self, selling):
        selling.sell("MILK-1L")
        response = selling.pay("card", "90.00", card_brand="VISA", card_last4="1234")
        assert response.status_code == 422
        assert _code(response) == "payment_exceeds_due"

    @pytest.mark.parametrize("fields", [
        {"card_last4": "4111111111111111"},
        {"terminal_ref": "ref 4111 1111 1111 1111 ok"},
        {"card_brand": "5500-0000-0000-0004"},
        {"card_number": "4111111111111111"},
    ])
    def test_pan_looking_card_numbers_are_refused(self, selling, db, fields):
        selling.sell("MILK-1L")
        before = _counts(db)
        response = selling.pay("card", "89.90", **fields)
        assert response.status_code == 422
        assert _code(response) == "card_number_rejected"
        assert "4111" not in response.get_data(as_text=True)
        assert _counts(db) == before

    def test_receipt_closes_only_when_fully_paid(self, selling):
        selling.sell("OAT-MILK-1L")
        selling.pay_cash("100.00")
        response = selling.api.post(f"/api/v1/receipts/{selling.receipt['id']}/close")
        assert _code(response) == "not_fully_paid"

    def test_unknown_payment_type_is_refused(self, selling):
        selling.sell("MILK-1L")
        assert _code(selling.pay("barter", "89.90")) == "unknown_payment_type"

    def test_closed_receipt_is_never_edited(self, selling, db):
        selling.sell("MILK-1L")
        selling.pay_cash("89.90")
        selling.close()
        before = _counts(db)
        response = selling.sell_response("MILK-1L")
        assert response.status_code == 409
        assert _code(response) == "receipt_closed"
        assert _code(selling.pay("cash", "1.00")) == "receipt_closed"
        assert _counts(db) == before


class TestVoid:
    def test_empty_receipt_is_voided_by_the_cashier(self, selling):
        body = selling.ok(selling.api.post(f"/api/v1/receipts/{selling.receipt['id']}/void"))
        assert body["state"] == "voided"

    def test_void_with_lines_needs_a_manager(self, selling):
        selling.sell("MILK-1L")
        path = f"/api/v1/receipts/{selling.receipt['id']}/void"
        assert _code(selling.api.post(path)) == "approval_required"
        assert selling.ok(selling.api.post(path, headers=MANAGER))["state"] == "voided"

    def test_voided_receipt_takes_no_number(self, selling):
        selling.sell("MILK-1L")
        selling.ok(selling.api.post(f"/api/v1/receipts/{selling.receipt['id']}/void",
                                    headers=MANAGER))
        selling.open_receipt()
        selling.sell("MILK-1L")
        selling.pay_cash("89.90")
        assert selling.close()["number"] == 1


class TestOneShot:
    LINES = [{"sku": "OAT-MILK-1L", "quantity": "2"}, {"code": OAT_MILK_EAN}]

    def test_finished_receipt_is_priced_paid_and_closed_in_one_request(self, till):
        till.open_shift()
        body = till.ok(till.checkout(self.LINES, [{"type": "cash", "amount": "500.00"}]), 201)
        assert (body["state"], body["total"], body["change"]) == ("closed", "449.70", "50.30")

    def test_retries_apply_exactly_once(self, till, db):
        till.open_shift()
        payload = {"till_id": till.till_id, "client_uuid": str(uuid.uuid4()),
                   "lines": self.LINES, "payments": [{"type": "cash", "amount": "449.70"}]}
        key = {"Idempotency-Key": "upload-1"}
        first = till.ok(till.api.post("/api/v1/receipts", json=payload, headers=key), 201)
        replay = till.api.post("/api/v1/receipts", json=payload, headers=key)
        assert replay.headers.get("Idempotent-Replayed") == "true"
        again = till.ok(till.api.post("/api/v1/receipts", json=payload,
                                      headers={"Idempotency-Key": "upload-2"}), 200)
        assert first["id"] == replay.get_json()["id"] == again["id"]
        assert _counts(db) == (1, 2, 1, 1)

    def test_a_key_reused_with_another_body_is_refused_and_writes_nothing(self, till, db):
        till.open_shift()
        key = {"Idempotency-Key": "upload-3"}
        payload = {"till_id": till.till_id, "client_uuid": str(uuid.uuid4()),
                   "lines": self.LINES, "payments": [{"type": "cash", "amount": "449.70"}]}
        till.ok(till.api.post("/api/v1/receipts", json=payload, headers=key), 201)
        before = _counts(db)
        other = {**payload, "client_uuid": str(uuid.uuid4())}
        response = till.api.post("/api/v1/receipts", json=other, headers=key)
        assert _code(response) == "idempotency_key_reused"
        assert _counts(db) == before

    def test_a_refused_keyed_upload_is_not_remembered(self, till, db):
        till.open_shift()
        key = {"Idempotency-Key": "upload-4"}
        payload = {"till_id": till.till_id, "client_uuid": str(uuid.uuid4()),
                   "lines": self.LINES, "payments": [{"type": "card", "amount": "500.00"}]}
        for _ in range(2):  # the retry runs again, and is refused again
            response = till.api.post("/api/v1/receipts", json=payload, headers=key)
            assert _code(response) == "payment_exceeds_due"
            assert "Idempotent-Replayed" not in response.headers
        assert _counts(db) == (0, 0, 0, 0)

    def test_concurrent_twins_with_one_key_apply_once(self, app, till, db):
        till.open_shift()
        headers = till.api.headers({"Idempotency-Key": "upload-5"})
        payload = {"till_id": till.till_id, "client_uuid": str(uuid.uuid4()),
                   "lines": self.LINES, "payments": [{"type": "cash", "amount": "449.70"}]}
        answers = _four_at_once(app, payload, headers)
        assert len(answers) == 4
        assert len({receipt_id for _, receipt_id in answers}) == 1
        assert {status for status, _ in answers} <= {200, 201}
        assert _counts(db) == (1, 2, 1, 1)

    def test_concurrent_uploads_of_one_client_uuid_write_one_receipt(self, app, till, db):
        # No key: the receipt's unique client UUID decides, and the losers of the race answer
        # with the winner's receipt.
        till.open_shift()
        headers = till.api.headers({})
        payload = {"till_id": till.till_id, "client_uuid": str(uuid.uuid4()),
                   "lines": self.LINES, "payments": [{"type": "cash", "amount": "449.70"}]}
        answers = _four_at_once(app, payload, headers)
        assert len(answers) == 4
        assert len({receipt_id for _, receipt_id in answers}) == 1
        assert sorted(status for status, _ in answers) == [200, 200, 200, 201]
        assert _counts(db) == (1, 2, 1, 1)

    def test_payments_short_of_the_total_write_nothing(self, till, db):
        till.open_shift()
        before = _counts(db)
        response = till.checkout(self.LINES, [{"type": "cash", "amount": "100.00"}])
        assert _code(response) == "not_fully_paid"
        assert _counts(db) == before

    def test_without_an_open_shift_nothing_is_sold(self, till):
        response = till.checkout(self.LINES, [{"type": "cash", "amount": "500.00"}])
        assert _code(response) == "shift_not_open"


class TestKeyedTillSteps:
    """Adding a line, paying and closing store their answer with their effect."""

    def test_a_retried_line_is_added_once_and_answered_as_the_first_time(self, selling):
        path = f"/api/v1/receipts/{selling.receipt['id']}/lines"
        key = {"Idempotency-Key": "line-1"}
        first = selling.ok(selling.api.post(path, json={"sku": "MILK-1L"}, headers=key), 201)
        again = selling.api.post(path, json={"sku": "MILK-1L"}, headers=key)
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
        assert again.get_json() == first
        other = selling.api.post(path, json={"sku": "OAT-MILK-1L"}, headers=key)
        assert _code(other) == "idempotency_key_reused"
        receipt = selling.ok(selling.api.get(f"/api/v1/receipts/{selling.receipt['id']}"))
        assert [line["sku"] for line in receipt["lines"]] == ["MILK-1L"]

    def test_a_retried_payment_and_close_apply_once(self, selling, db):
        selling.sell("MILK-1L")
        rid = selling.receipt["id"]
        pay = {"type": "cash", "amount": "50.00"}
        for _ in range(2):
            paid = selling.ok(selling.api.post(f"/api/v1/receipts/{rid}/payments", json=pay,
                                               headers={"Idempotency-Key": "pay-1"}), 201)
        assert paid["paid"] == "50.00"
        selling.pay_cash("39.90")
        closes = [selling.api.post(f"/api/v1/receipts/{rid}/close",
                                   headers={"Idempotency-Key": "close-1"}) for _ in range(2)]
        assert [c.status_code for c in closes] == [200, 200]
        assert closes[0].get_json()["number"] == closes[1].get_json()["number"] == 1
        assert _counts(db)[3] == 1  # one journal entry


class TestTakingBackAPayment:
    def test_a_declined_card_is_taken_back_and_the_receipt_paid_otherwise(self, selling, db):
        selling.sell("MILK-1L")
        selling.pay_card("50.00")
        path = f"/api/v1/receipts/{selling.receipt['id']}/payments"
        body = selling.ok(selling.api.delete(f"{path}/1"))
        assert (body["payments"], body["paid"], body["due"]) == ([], "0.00", "89.90")
        selling.pay_card("40.00")
        paid = selling.pay_cash("49.90")
        assert [(p["seq"], p["type"]) for p in paid["payments"]] == [(1, "card"), (2, "cash")]
        assert selling.close()["state"] == "closed"
        with db.read() as session:
            entry = session.scalars(select(AuditEntry).where(
                AuditEntry.action == "payment_removed")).one()
        assert entry.details == {"seq": 1, "kind": "card", "amount_minor": 5000}

    def test_a_payment_after_one_taken_from_the_middle_gets_a_fresh_number(self, selling):
        selling.sell("MILK-1L")
        selling.pay_card("20.00")
        selling.pay_cash("10.00")
        selling.ok(selling.api.delete(f"/api/v1/receipts/{selling.receipt['id']}/payments/1"))
        paid = selling.pay_card("79.90")
        assert [(p["seq"], p["amount"]) for p in paid["payments"]] == [
            (2, "10.00"), (3, "79.90")]
        assert selling.close()["paid"] == "89.90"

    def test_an_unknown_payment_is_not_found_and_a_closed_receipt_keeps_its_own(self, selling):
        selling.sell("MILK-1L")
        path = f"/api/v1/receipts/{selling.receipt['id']}/payments"
        missing = selling.api.delete(f"{path}/7")
        assert missing.status_code == 404 and _code(missing) == "payment_not_found"
        selling.pay_cash("100.00")
        selling.close()
        closed = selling.api.delete(f"{path}/1")
        assert closed.status_code == 409 and _code(closed) == "receipt_closed"


class TestQuote:
    def test_quote_prices_without_saving(self, till, db):
        till.open_shift()
        before = _counts(db)
        body = till.ok(till.api.post("/api/v1/receipts/quote", json={
            "till_id": till.till_id, "lines": [{"sku": "APPLE-KG", "quantity": "0.333",
                                                "weight_source": "scale"},
                                               {"code": MILK_EAN}]}))
        assert body["total"] == "143.15"  # 53.2467 -> 53.25, + 89.90
        assert "pricing_trace" not in body  # compact: the trace only when asked for
        assert _counts(db) == before

    def test_a_full_quote_adds_the_trace_to_the_compact_answer(self, till):
        till.open_shift()
        basket = {"till_id": till.till_id, "lines": [{"sku": "MILK-1L", "quantity": "2"}]}
        compact = till.ok(till.api.post("/api/v1/receipts/quote", json=basket))
        full = till.ok(till.api.post("/api/v1/receipts/quote?view=full", json=basket))
        assert full.pop("pricing_trace") == []  # no rule: nothing applied or displaced
        assert full == compact
        refused = till.api.post("/api/v1/receipts/quote?view=everything", json=basket)
        assert refused.status_code == 422 and _code(refused) == "validation_failed"

    BASKET = [{"sku": "OAT-MILK-1L", "quantity": "2"},
              {"sku": "APPLE-KG", "quantity": "0.735", "weight_source": "scale"},
              {"code": MILK_EAN}, {"sku": "BANANA-KG", "quantity": "1.2", "weight_source": "scale"},
              {"sku": "OAT-MILK-1L"}]

    def test_a_quote_holds_the_lines_a_receipt_would_hold(self, till, api):
        made = api.as_("manager").post("/api/v1/discounts", json={
            "name": "Fruit 10%", "benefit": {"type": "percent_off", "percent": "10"},
            "segment": "FRUIT"})
        assert made.status_code == 201, made.get_json()
        till.open_shift()
        quoted = till.ok(till.api.post("/api/v1/receipts/quote", json={
            "till_id": till.till_id, "lines": self.BASKET}))
        till.open_receipt()
        for line in self.BASKET:
            receipt = till.sell(**line)
        assert quoted["lines"] == receipt["lines"]
        assert quoted["total"] == receipt["total"] and quoted["discount"] != "0.00"

    @pytest.mark.parametrize(("line", "status", "code"), [
        ({"sku": "NO-SUCH-SKU"}, 404, "item_not_found"),
        ({"sku": "APPLE-KG"}, 422, "quantity_required"),
        ({"sku": "MILK-1L", "quantity": "1.5"}, 422, "fractional_quantity"),
        ({"sku": "MILK-1L", "quantity": "0"}, 422, "invalid_quantity"),
        ({"sku": "APPLE-KG", "quantity": "1", "weight_source": "guess"}, 422,
         "invalid_weight_source"),
    ])
    def test_a_quote_refuses_a_line_as_a_receipt_does(self, till, line, status, code):
        till.open_shift()
        quoted = till.api.post("/api/v1/receipts/quote", json={
            "till_id": till.till_id, "lines": [{"sku": "MILK-1L"}, line]})
        till.open_receipt()
        sold = till.sell_response(**line)
        assert (quoted.status_code, _code(quoted)) == (sold.status_code, _code(sold))
        assert (quoted.status_code, _code(quoted)) == (status, code)

    def test_a_quote_refuses_an_item_without_a_price_or_no_longer_sold(self, till, db, shop):
        till.open_shift()
        with db.transaction() as session:
            session.execute(delete(Price).where(Price.item_id == shop.items["MILK-1L"]))
            session.get(Item, shop.items["OAT-MILK-1L"]).is_active = False
        for sku, code in (("MILK-1L", "price_not_set"), ("OAT-MILK-1L", "item_inactive")):
            quoted = till.api.post("/api/v1/receipts/quote", json={
                "till_id": till.till_id, "lines": [{"sku": sku}]})
            assert (quoted.status_code, _code(quoted)) == (409, code)


class TestReceiptList:
    """A store finds receipts: the open ones before closing a shift, one by number to reprint."""

    ITEM_KEYS = {"id", "number", "till_id", "shift_id", "state", "kind", "total", "opened_at",
                 "closed_at", "cashier_id"}

    def _find(self, driver, **query):
        return driver.ok(driver.api.get("/api/v1/receipts", query_string=query))

    def _sale(self, till):
        till.open_receipt()
        till.sell("MILK-1L")
        till.pay_cash("100.00")
        return till.close()

    def test_a_tills_open_receipts_are_found_newest_first_and_compact(self, till, api, shop):
        till.open_shift()
        self._sale(till)
        older = till.open_receipt()
        till.ok(till.api.post(f"/api/v1/receipts/{till.open_receipt()['id']}/void"))
        newer = till.open_receipt()
        other = {"till_id": shop.other_till_id}  # an open receipt of another till
        till.ok(api.post("/api/v1/shifts", json={**other, "opening_float": "0.00"}), 201)
        till.ok(api.post("/api/v1/receipts", json=other), 201)
        page = self._find(till, till=till.till_id, state="open")
        assert [r["id"] for r in page["items"]] == [newer["id"], older["id"]]
        assert page["total"] == 2
        assert set(page["items"][0]) == self.ITEM_KEYS
        assert {r["state"] for r in self._find(till, shift=till.shift["id"])["items"]} == {
            "open", "closed", "voided"}

    def test_a_receipt_is_looked_up_by_number_and_kind(self, till):
        till.open_shift()
        first, second = self._sale(till), self._sale(till)
        back = till.ok(till.api.post("/api/v1/returns", json={
            "till_id": till.till_id, "original_receipt_id": first["id"],
            "lines": [{"line_no": 1, "quantity": "1"}]}), 201)
        found = self._find(till, till=till.till_id, number=second["number"])["items"]
        assert [(r["id"], r["total"], r["kind"]) for r in found] == [
            (second["id"], "89.90", "sale")]
        returns = self._find(till, kind="return")["items"]
        assert [r["id"] for r in returns] == [back["id"]]
        full = till.ok(till.api.get(f"/api/v1/receipts/{second['id']}"))
        assert full["lines"][0]["sku"] == "MILK-1L"

    def test_from_and_to_match_the_opened_or_closed_time(self, till, fixed_clock):
        till.open_shift()
        start = fixed_clock.now()
        crossing = till.open_receipt()  # opened at start, closed two hours later
        till.sell("MILK-1L")
        till.pay_cash("100.00")
        fixed_clock.advance(hours=2)
        till.close()
        fixed_clock.advance(hours=1)
        later = till.open_receipt()  # opened at start + 3 h
        one_hour = (start + timedelta(hours=1)).isoformat()
        assert [r["id"] for r in self._find(till, **{"from": one_hour})["items"]] == [
            later["id"], crossing["id"]]
        assert [r["id"] for r in self._find(till, to=one_hour)["items"]] == [crossing["id"]]
        four = (start + timedelta(hours=4)).isoformat()
        assert self._find(till, **{"from": four})["total"] == 0

    def test_pages_are_slices_of_the_whole_list(self, till):
        till.open_shift()
        ids = [till.open_receipt()["id"] for _ in range(3)]
        page = self._find(till, page=2, page_size=2)
        assert (page["total"], [r["id"] for r in page["items"]]) == (3, [ids[0]])

    @pytest.mark.parametrize("query", [
        {"state": "parked"}, {"kind": "refund"}, {"number": "0"}, {"till": "x"},
        {"number": str(2**63)}, {"from": "2026-11-22T00:00:00"}, {"page_size": "501"},
    ])
    def test_bad_filters_are_refused_naming_the_field(self, till, query):
        response = till.api.get("/api/v1/receipts", query_string=query)
        assert response.status_code == 422
        assert _code(response) == "validation_failed"
        assert set(response.get_json()["errors"]) == set(query)


class TestRights:
    ROUTES = [
        ("post", "/api/v1/receipts", {"till_id": 1}),
        ("post", "/api/v1/receipts/quote", {"till_id": 1, "lines": [{"sku": "MILK-1L"}]}),
        ("get", "/api/v1/receipts/1", None),
        ("get", "/api/v1/receipts", None),
        ("post", "/api/v1/receipts/1/lines", {"sku": "MILK-1L"}),
        ("patch", "/api/v1/receipts/1/lines/1", {"quantity": "2"}),
        ("delete", "/api/v1/receipts/1/lines/1", None),
        ("post", "/api/v1/receipts/1/payments", {"type": "cash", "amount": "1.00"}),
        ("delete", "/api/v1/receipts/1/payments/1", None),
        ("post", "/api/v1/receipts/1/close", None),
        ("post", "/api/v1/receipts/1/void", None),
        ("post", "/api/v1/returns", {"till_id": 1, "lines": [{"sku": "MILK-1L",
                                                              "quantity": "1"}]}),
        ("post", "/api/v1/shifts", {"till_id": 1}),
        ("get", "/api/v1/shifts", None),
        ("get", "/api/v1/shifts/1", None),
        ("post", "/api/v1/shifts/1/cash-in", {"amount": "1.00", "reason": "x"}),
        ("post", "/api/v1/shifts/1/cash-out", {"amount": "1.00", "reason": "x"}),
        ("get", "/api/v1/shifts/1/x-report", None),
        ("post", "/api/v1/shifts/1/close", {"counted_cash": "1.00"}),
        ("get", "/api/v1/journal/verify", None),
        ("get", "/api/v1/fiscal/outbox", None),
    ]
    CASHIER_FORBIDDEN = {"/api/v1/shifts", "/api/v1/journal/verify", "/api/v1/fiscal/outbox"}

    @pytest.mark.parametrize(("method", "path", "body"), ROUTES)
    def test_card_holder_has_no_access(self, api, method, path, body):
        call = getattr(api.as_("holder"), method)
        response = call(path, json=body) if body is not None else call(path)
        assert response.status_code == 403

    @pytest.mark.parametrize(("method", "path", "body"), ROUTES)
    def test_anonymous_callers_are_refused(self, client, shop, method, path, body):
        response = getattr(client, method)(path, json=body)
        assert response.status_code == 401

    @pytest.mark.parametrize(("method", "path", "body"), ROUTES)
    def test_cashier_passes_the_guard_except_on_manager_routes(self, api, method, path, body):
        call = getattr(api, method)
        response = call(path, json=body) if body is not None else call(path)
        forbidden = method == "get" and path in self.CASHIER_FORBIDDEN
        assert (response.status_code == 403 and _code(response) == "forbidden") == forbidden

    @pytest.mark.parametrize(("method", "path", "body"), ROUTES)
    def test_manager_passes_every_guard(self, api, method, path, body):
        call = getattr(api.as_("manager"), method)
        response = call(path, json=body) if body is not None else call(path)
        assert response.status_code != 403 or _code(response) != "forbidden"


class TestOfflineUpload:
    """An offline till uploads finished sales with its own time of sale."""

    LINES = [{"sku": "MILK-1L"}]
    CASH = [{"type": "cash", "amount": "100.00"}]

    @pytest.fixture
    def late_shift(self, till, fixed_clock, shop, db):
        """A shift opened at 23:50 Moscow; the milk costs 99.90 from the next day on."""
        fixed_clock.set(datetime(2026, 11, 22, 20, 50, tzinfo=UTC))
        till.open_shift()
        with db.transaction() as session:
            old = session.scalars(select(Price).where(
                Price.item_id == shop.items["MILK-1L"])).one()
            session.add(Price(store_id=shop.store_id, item_id=old.item_id,
                              price_type_id=old.price_type_id, price_minor=9990,
                              valid_from=date(2026, 11, 23), valid_to=None))
        fixed_clock.set(datetime(2026, 11, 22, 21, 30, tzinfo=UTC))  # 00:30 on the 23rd
        return till

    def test_the_sale_is_priced_and_dated_at_its_own_time(self, late_shift):
        sold_at = "2026-11-22T20:55:00+00:00"
        offline = late_shift.ok(late_shift.checkout(self.LINES, self.CASH, sold_at=sold_at), 201)
        assert (offline["total"], offline["closed_at"], offline["opened_at"]) == (
            "89.90", sold_at, sold_at)
        online = late_shift.ok(late_shift.checkout(self.LINES, self.CASH), 201)
        assert online["total"] == "99.90"
        assert online["closed_at"] == "2026-11-22T21:30:00+00:00"

    def test_a_till_clock_a_little_behind_the_server_is_allowed_for(self, late_shift):
        sold_at = "2026-11-22T20:48:30+00:00"  # 90 s before the shift opened, by the till
        body = late_shift.ok(late_shift.checkout(self.LINES, self.CASH, sold_at=sold_at), 201)
        assert body["closed_at"] == sold_at

    def test_a_sale_before_the_shift_opened_writes_nothing(self, late_shift, db):
        before = _counts(db)
        response = late_shift.checkout(self.LINES, self.CASH,
                                       sold_at="2026-11-22T20:40:00+00:00")
        assert response.status_code == 409 and _code(response) == "sold_before_shift"
        assert _counts(db) == before

    @pytest.mark.parametrize(("sold_at", "payments", "code"), [
        ("2026-11-22T21:40:00+00:00", CASH, "sold_at_in_future"),
        ("2026-11-22T20:55:00+00:00", [], "sold_at_needs_payments"),
        ("2026-11-22T20:55:00", CASH, "validation_failed"),  # no time zone
    ])
    def test_bad_sale_times_are_refused(self, late_shift, sold_at, payments, code):
        response = late_shift.checkout(self.LINES, payments, sold_at=sold_at)
        assert response.status_code == 422
        body = response.get_json()
        assert body["code"] == code
        assert body.get("field") == "sold_at" or "sold_at" in body.get("errors", {})


def _four_at_once(app, payload, headers) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Upload ``payload`` from four clients released together; return (status, receipt id)s."""
    start = threading.Barrier(4)
    answers = []

    def upload() -> None:
        client = app.test_client()
        start.wait()
        response = client.post("/api/v1/receipts", json=payload, headers=headers)
        answers.append((response.status_code, response.get_json()["id"]))

    threads = [threading.Thread(target=upload) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers
