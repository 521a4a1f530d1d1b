"""Receipts dump through the compiled plan exactly as marshmallow dumps them."""

from __future__ import annotations

from typing import Any, cast

from marshmallow import Schema
from sqlalchemy import select

from pos.journal.service import verify
from pos.receipts import quote as quoting
from pos.receipts.model import Receipt
from pos.receipts.schemas import QuoteResultSchema, ReceiptSchema
from tests.api.test_receipt_discounts import discount, group, pct
from tests.helpers import MANAGER, issue_card


def test_every_kind_of_receipt_dumps_as_marshmallow_dumps_it(registry, app, api, db, till):
    gid = group(api, "Campaigns", "priority")
    discount(api, name="Dairy 5%", benefit=pct("5"), group_id=gid)
    till.open_shift()
    till.open_receipt()  # left open: no number, no payments
    sale = till.open_receipt()
    till.sell("OAT-MILK-1L", quantity="2")
    till.sell("APPLE-KG", quantity="0.735", weight_source="scale")
    manual = till.api.post(f"/api/v1/receipts/{sale['id']}/manual-discounts",
                           json={"percent": "3", "line_no": 2, "reason": "bruised"},
                           headers=MANAGER)
    assert manual.status_code == 201, manual.get_json()
    till.pay_card("100.00")
    till.pay_cash("500.00")
    closed = till.close()
    back = till.api.post("/api/v1/returns", json={
        "till_id": till.till_id, "original_receipt_id": closed["id"],
        "lines": [{"line_no": 1, "quantity": "1"}]})
    assert back.status_code == 201, back.get_json()
    one_shot = till.checkout([{"sku": "MILK-1L"}], [{"type": "cash", "amount": "100.00"}],
                             card_code=issue_card(till.api))
    assert one_shot.status_code == 201, one_shot.get_json()

    schema = ReceiptSchema()
    with app.app_context(), db.read() as session:
        receipts = list(session.scalars(select(Receipt).order_by(Receipt.id)))
        assert len(receipts) == 4
        for receipt in receipts:
            assert schema.dump(receipt) == Schema.dump(schema, receipt)
        many = ReceiptSchema(many=True)
        assert many.dump(receipts) == Schema.dump(many, receipts)
        dumped = schema.dump(receipts[1])
    assert dumped["manual_discounts"][0]["reason"] == "bruised"
    assert dumped["lines"][0]["discounts"][0]["name"] == "Dairy 5%"
    assert {p["type"] for p in dumped["payments"]} == {"card", "cash"}
    # every kind of receipt rebuilds from its live rows to exactly its journaled document
    verdict = verify(db, registry.journal_checks, till.till_id)
    assert verdict.is_intact and verdict.tills[0].entries == 3, verdict


def test_a_quote_dumps_as_marshmallow_dumps_it(app, api, till, monkeypatch):
    discount(api, name="3% over 100", scope="document", benefit=pct("3"),
             conditions=[{"type": "receipt_volume", "min_amount": "100.00"}])
    till.open_shift()
    results = []

    def keep(*args, **kwargs):
        results.append(quote(*args, **kwargs))
        return results[-1]

    quote = quoting.quote
    monkeypatch.setattr(quoting, "quote", keep)
    response = api.post("/api/v1/receipts/quote", json={
        "till_id": till.till_id, "lines": [{"sku": "OAT-MILK-1L", "quantity": "2"}]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["discount"] == "8.99"  # 3% of 299.80
    schema = QuoteResultSchema()
    with app.app_context():
        assert response.get_json() == schema.dump(results[0]) == Schema.dump(schema, results[0])


def _upload_with_discounts_card_and_two_payments(api: Any, till: Any, view: str | None
                                                 ) -> dict[str, Any]:
    discount(api, name="Dairy 5%", benefit=pct("5"), group_id=group(api, "Dairy", "priority"))
    till.open_shift()
    return cast(dict[str, Any], till.ok(till.checkout(
        [{"sku": "OAT-MILK-1L", "quantity": "2"}, {"sku": "APPLE-KG", "quantity": "0.735",
                                                   "weight_source": "scale"},
         {"sku": "MILK-1L"}],
        [{"type": "card", "amount": "100.00", "card_brand": "VISA", "card_last4": "4242",
          "terminal_ref": "T-9"}, {"type": "cash", "amount": "500.00"}],
        view=view, card_code=issue_card(till.api), customer_ref="C-42"), 201))


def test_a_one_shot_upload_answers_its_stored_receipts_head_by_default(api, till):
    # The compact answer is the head of what GET reads: every field but the lists.
    answer = _upload_with_discounts_card_and_two_payments(api, till, None)
    stored = till.ok(till.api.get(f"/api/v1/receipts/{answer['id']}"))
    assert answer.pop("print_notes") and stored.pop("print_notes") == []
    lists = {"lines", "payments", "manual_discounts", "pricing_trace"}
    assert answer == {key: value for key, value in stored.items() if key not in lists}
    assert (answer["state"], answer["total"], answer["paid"]) == ("closed", stored["total"],
                                                                  "600.00")
    assert float(answer["change"]) > 0 and answer["number"] is not None


def test_a_one_shot_upload_answers_what_its_stored_receipt_reads(api, till):
    # The upload is built and answered as a draft (pos.receipts.draft), never loaded back:
    # its full answer must be what the written rows read as, field for field.
    answer = _upload_with_discounts_card_and_two_payments(api, till, "full")
    stored = till.ok(till.api.get(f"/api/v1/receipts/{answer['id']}"))
    # what features ask the till to print goes with this answer only (a holder's code)
    assert answer.pop("print_notes") and stored.pop("print_notes") == []
    assert answer == stored
    assert answer["state"] == "closed" and answer["number"] is not None
    assert [line["line_no"] for line in answer["lines"]] == [1, 2, 3]
    assert any(line["discounts"] for line in answer["lines"])
    assert float(answer["change"]) > 0
