"""What a named buyer costs a sale: history and card reads only when a rule needs them."""

from __future__ import annotations

import uuid

import pytest

from tests.helpers import issue_card, statements


@pytest.fixture(autouse=True)
def open_shift(till):
    """Every test here sells on till 1 with its shift already open."""
    till.open_shift()



def upload(till, **buyer) -> dict:  # type: ignore[no-untyped-def]
    response = till.api.post("/api/v1/receipts", json={
        "till_id": till.till_id, "client_uuid": str(uuid.uuid4()), "lines": [{"sku": "MILK-1L"}],
        "payments": [{"type": "cash", "amount": "100.00"}], **buyer})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def history_reads(sent: list[str]) -> int:
    return sum(s.startswith("SELECT") and ("purchase_days" in s or "purchase_segments" in s)
               for s in sent)


class TestPurchaseHistoryReads:
    def test_no_rule_needs_the_history_so_a_customer_sale_reads_none(self, till, db):
        with statements(db) as sent:
            upload(till, customer_ref="CUSTOMER-1")
        assert history_reads(sent) == 0
        assert any(s.startswith("UPDATE purchase_days") for s in sent)  # still kept

    def test_a_first_purchase_rule_reads_a_customers_history_and_sees_the_earlier_sale(
            self, api, till, db):
        welcome(api)
        with statements(db) as sent:
            first = upload(till, customer_ref="CUSTOMER-1")
        assert history_reads(sent) > 0
        assert first["discount"] == "8.99"
        assert upload(till, customer_ref="CUSTOMER-1")["discount"] == "0.00"

    def test_a_card_knows_its_first_purchase_itself_and_keeps_no_days(self, api, till, db):
        card = issue_card(api)
        welcome(api)
        with statements(db) as sent:
            first = upload(till, card_code=card)
        assert history_reads(sent) == 0
        assert not any("purchase_days" in s for s in sent)  # its spend is on the card
        assert first["discount"] == "8.99"
        assert upload(till, card_code=card)["discount"] == "0.00"


def welcome(api) -> None:  # type: ignore[no-untyped-def]
    response = api.as_("manager").post("/api/v1/discounts", json={
        "name": "Welcome 10%", "benefit": {"type": "percent_off", "percent": "10"},
        "conditions": [{"type": "first_purchase"}]})
    assert response.status_code == 201, response.get_json()


def version_reads(sent: list[str]) -> int:
    return sum(s.startswith("SELECT") and "catalog_version" in s for s in sent)


class TestVersionTokenReads:
    def test_an_upload_reads_the_tokens_once_and_writes_with_what_it_priced(self, till, db):
        with statements(db) as sent:
            upload(till)
        assert version_reads(sent) == 1
        assert any(s.startswith("INSERT INTO fiscal_outbox") for s in sent)

    def test_an_added_line_reads_the_receipt_in_two_statements(self, till, db):
        receipt = till.open_receipt()
        till.sell("MILK-1L")
        with statements(db) as sent:
            till.sell("MILK-1L")  # its item and price are in the worker's catalog copy now
        reads = [s for s in sent if s.startswith("SELECT") and "version" not in s]
        assert len(reads) == 2, reads  # the receipt with its shift, then its lines
        writes = [s for s in sent if s.startswith(("INSERT", "UPDATE", "DELETE"))]
        assert writes[0].startswith("INSERT INTO receipt_lines ")
        assert writes[1].startswith("UPDATE receipts SET total_minor=")
        assert receipt["id"] == till.receipt["id"]


class TestPaymentWrites:
    @pytest.mark.parametrize("count", [1, 2, 4, 6])
    def test_an_uploads_payments_are_one_insert_up_to_four_and_all_kept_in_order(
            self, till, db, count):
        # Cash last, the rest by bank card: each payment its own row, in the order sent.
        cards = [{"type": "card", "amount": f"{n + 1}.00", "card_brand": "VISA",
                  "card_last4": f"{n + 1:04d}"} for n in range(count - 1)]
        paid = sum(n + 1 for n in range(count - 1))
        payments = [*cards, {"type": "cash", "amount": f"{100 - paid}.00"}]
        with statements(db) as sent:  # (seen: sent through Core)
            upload(till, payments=payments)
        (insert,) = [s for s in sent if s.startswith("INSERT INTO receipt_payments")]
        # (more than four go as a batch of one-row statements)
        assert insert.count("), (") == (count - 1 if count <= 4 else 0)
        answer = upload(till, payments=payments)  # unseen: sent by the driver directly
        kept = till.ok(till.api.get(f"/api/v1/receipts/{answer['id']}"))["payments"]
        assert [(p["seq"], p["type"], p["amount"], p.get("card_last4")) for p in kept] == [
            (n + 1, "card", f"{n + 1}.00", f"{n + 1:04d}") for n in range(count - 1)] + [
            (count, "cash", f"{100 - paid}.00", None)]
