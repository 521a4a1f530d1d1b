"""Gift certificates over HTTP: the till's walkthrough, keyed retries, guessing, reports."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pos.receipts.model import ReceiptPayment
from tests.gift_helpers import CODES, add_certificate_item
from tests.helpers import MANAGER, Till, problem

UNKNOWN = CODES.code_of(b"\x02" * 16)  # well formed, never issued


@pytest.fixture
def gifts(api, db, fixed_clock):  # type: ignore[no-untyped-def]
    """The certificate item, and a free-amount and a fixed type made through the API."""
    add_certificate_item(db, fixed_clock.now())
    manager = api.as_("manager")
    free = manager.post("/api/v1/gift-certificate-types", json={
        "code": "GC-FREE", "name": "Any amount", "sku": "GIFT-CERT",
        "min_amount": "500.00", "max_amount": "10000.00", "valid_days": 365})
    fixed = manager.post("/api/v1/gift-certificate-types", json={
        "code": "GC-1000", "name": "One thousand", "sku": "GIFT-CERT", "face_value": "1000.00"})
    assert (free.status_code, fixed.status_code) == (201, 201), free.get_json()
    return {"free": free.get_json(), "fixed": fixed.get_json()}


def sell_certificate(till: Till, amount: str = "1500.00", key: str = "sale-1") -> str:
    """Sell a free-amount certificate on an open receipt; return its code."""
    till.open_receipt()
    till.sell(certificate={"type": "GC-FREE", "amount": amount})
    till.pay_cash(amount)
    receipt_id = till.receipt["id"]  # type: ignore[index]
    closed = till.api.post(f"/api/v1/receipts/{receipt_id}/close",
                           headers={"Idempotency-Key": key})
    assert closed.status_code == 200, closed.get_json()
    sold = till.ok(till.api.get(f"/api/v1/gift-certificates/sold/{receipt_id}"))
    assert len(sold) == 1
    return str(sold[0]["code"])


class TestWalkthrough:
    def test_sell_then_pay_part_of_a_later_receipt_then_see_the_balance(self, till, gifts, db):
        till.open_shift()
        code = sell_certificate(till)
        assert till.receipt["lines"][0]["certificate_type_id"] == gifts["free"]["id"]
        till.open_receipt()
        till.sell("OAT-MILK-1L", quantity="2")
        paid = till.ok(till.pay("gift_certificate", "200.00", details={"code": code}), 201)
        # the last letters only: the look-up digest stays with the payment's row
        assert paid["payments"][0]["details"] == {"certificate": f"…{code[-4:]}"}
        assert code not in str(paid)
        till.pay_cash("99.80")
        till.close()
        shown = till.ok(till.api.get(f"/api/v1/receipts/{till.receipt['id']}"))
        assert shown["payments"][0]["details"] == {"certificate": f"…{code[-4:]}"}
        with db.read() as session:
            stored = session.scalar(select(ReceiptPayment.details).where(
                ReceiptPayment.receipt_id == till.receipt["id"], ReceiptPayment.seq == 1))
        assert set(stored) == {"certificate", "digest"}
        status = till.ok(till.api.get(f"/api/v1/gift-certificates/{code}"))
        assert (status["status"], status["balance"]) == ("active", "1300.00")
        assert status["history"] is None  # a cashier sees no history
        managed = till.ok(till.api.as_("manager").get(f"/api/v1/gift-certificates/{code}"))
        assert [e["kind"] for e in managed["history"]] == ["issue", "activate", "redeem"]

    def test_a_closed_sale_retried_with_its_key_activates_once(self, till, gifts, db):
        till.open_shift()
        code = sell_certificate(till, key="close-once")
        again = till.api.post(f"/api/v1/receipts/{till.receipt['id']}/close",
                              headers={"Idempotency-Key": "close-once"})
        assert again.status_code == 200
        status = till.ok(till.api.get(f"/api/v1/gift-certificates/{code}"))
        assert status["balance"] == "1500.00"
        report = till.x_report()
        assert report["gift_certificates"]["sold"] == {"count": 1, "amount": "1500.00"}
        assert report["certificates"] == {"sold": "1500.00", "returned": "0.00"}
        assert (report["sales"]["total"], report["revenue"]) == ("1500.00", "0.00")

    def test_a_keyed_one_shot_sale_sent_twice_makes_one_certificate(self, till, gifts):
        till.open_shift()
        body = {"till_id": till.till_id, "client_uuid": "6f1d4c1e-8f0e-4c7e-9d34-7a1b2c3d4e5f",
                "lines": [{"certificate": {"type": "GC-1000"}}],
                "payments": [{"type": "cash", "amount": "1000.00"}]}
        first = till.api.post("/api/v1/receipts", json=body, headers={"Idempotency-Key": "k1"})
        second = till.api.post("/api/v1/receipts", json=body, headers={"Idempotency-Key": "k1"})
        assert first.get_json()["id"] == second.get_json()["id"]
        sold = till.ok(till.api.get(f"/api/v1/gift-certificates/sold/{first.get_json()['id']}"))
        assert len(sold) == 1
        assert till.x_report()["gift_certificates"]["sold"]["count"] == 1

    def test_taking_back_a_certificate_payment_restores_the_balance(self, till, gifts):
        till.open_shift()
        code = sell_certificate(till)
        till.open_receipt()
        till.sell("OAT-MILK-1L")
        till.ok(till.pay("gift_certificate", "149.90", details={"code": code}), 201)
        removed = till.api.delete(f"/api/v1/receipts/{till.receipt['id']}/payments/1")
        assert removed.status_code == 200, removed.get_json()
        status = till.ok(till.api.get(f"/api/v1/gift-certificates/{code}"))
        assert status["balance"] == "1500.00"


class TestAdjusting:
    def test_a_manager_corrects_a_balance_on_the_ledger_never_below_zero(self, till, gifts):
        till.open_shift()
        code = sell_certificate(till, "700.00")
        manager = till.api.as_("manager")
        path = "/api/v1/gift-certificates/adjustments"
        done = till.ok(manager.post(path, json={"code": code, "amount": "-50.00",
                                                "reason": "torn"}))
        assert done["balance"] == "650.00" and done["history"][-1]["kind"] == "adjust"
        too_much = manager.post(path, json={"code": code, "amount": "-651.00", "reason": "oops"})
        assert problem(too_much, 409)["code"] == "insufficient_balance"
        assert problem(till.api.post(path, json={"code": code, "amount": "1.00",
                                                 "reason": "x"}), 403)
        assert till.ok(till.api.get(f"/api/v1/gift-certificates/{code}"))["balance"] == "650.00"


class TestBadInput:
    def test_a_mistyped_code_is_422_and_an_unknown_one_404(self, till, gifts):
        typo = UNKNOWN[:-1] + ("A" if UNKNOWN[-1] != "A" else "B")
        assert problem(till.api.get(f"/api/v1/gift-certificates/{typo}"), 422)["code"] \
            == "invalid_certificate_code"
        assert problem(till.api.get(f"/api/v1/gift-certificates/{UNKNOWN}"), 404)["code"] \
            == "certificate_not_found"

    def test_certificate_lines_refuse_discounts_and_amounts_out_of_range(self, till, gifts):
        till.open_shift()
        till.open_receipt()
        low = till.sell_response(certificate={"type": "GC-FREE", "amount": "10.00"})
        assert problem(low, 422)["code"] == "certificate_amount_out_of_range"
        both = till.sell_response("OAT-MILK-1L", certificate={"type": "GC-FREE"})
        assert problem(both, 422)["code"] == "validation_failed"
        till.sell(certificate={"type": "GC-1000"})
        discount = till.api.post(f"/api/v1/receipts/{till.receipt['id']}/manual-discounts",
                                 json={"line_no": 1, "percent": "5"}, headers=MANAGER)
        assert problem(discount, 422)["code"] == "line_not_discountable"
        assert till.ok(till.api.get(f"/api/v1/receipts/{till.receipt['id']}"))["total"] \
            == "1000.00"


class TestLookUpInTheBody:
    def test_the_post_look_up_answers_as_the_get_and_no_log_line_holds_the_code(
            self, till, gifts, caplog):
        till.open_shift()
        code = sell_certificate(till)
        caplog.clear()
        status = till.ok(till.api.post("/api/v1/gift-certificates/look-up", json={"code": code}))
        assert (status["status"], status["balance"], status["code"]) \
            == ("active", "1500.00", f"…{code[-4:]}")
        typo = code[:-1] + ("A" if code[-1] != "A" else "B")
        refused = till.api.post("/api/v1/gift-certificates/look-up", json={"code": typo})
        assert problem(refused, 422)["code"] == "invalid_certificate_code"
        missing = till.api.post("/api/v1/gift-certificates/look-up", json={"code": UNKNOWN})
        assert problem(missing, 404)["code"] == "certificate_not_found"
        logged = " ".join(r.getMessage() for r in caplog.records)
        assert "not found" in logged and UNKNOWN[-4:] in logged
        assert all(c[:-4] not in logged and c[:-4].replace("-", "") not in logged
                   for c in (code, typo, UNKNOWN))

    def test_the_access_log_writes_a_code_in_a_path_with_its_last_four_letters_only(self):
        from datetime import timedelta
        from types import SimpleNamespace

        from gunicorn.config import Config

        from pos.server import MaskingLogger

        config = Config()
        config.set("accesslog", "-")
        path = f"/api/v1/gift-certificates/{UNKNOWN}"
        environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path,
                   "SERVER_PROTOCOL": "HTTP/1.1", "QUERY_STRING": ""}
        response = SimpleNamespace(status="404 NOT FOUND", headers=[], sent=10)
        atoms = MaskingLogger(config).atoms(response, SimpleNamespace(headers=[]), environ,
                                            timedelta(0))
        written = " ".join(str(v) for v in atoms.values())
        assert UNKNOWN[:-4] not in written and written.count(UNKNOWN[-4:]) >= 1
        assert atoms["U"].endswith("*" * (len(UNKNOWN) - 4) + UNKNOWN[-4:])


class TestGuessing:
    def test_ten_failed_look_ups_in_a_minute_get_429_with_retry_after(self, till, gifts):
        till.open_shift()
        code = sell_certificate(till)
        for _ in range(10):
            problem(till.api.get(f"/api/v1/gift-certificates/{UNKNOWN}"), 404)
        blocked = till.api.get(f"/api/v1/gift-certificates/{code}")
        assert problem(blocked, 429)["code"] == "too_many_attempts"
        assert 1 <= int(blocked.headers["Retry-After"]) <= 61
        till.open_receipt()
        till.sell("OAT-MILK-1L")
        paying = till.pay("gift_certificate", "10.00", details={"code": code})
        assert problem(paying, 429)["code"] == "too_many_attempts"


class TestReports:
    def test_liability_by_type_and_store_for_managers_of_the_store(self, till, gifts, shop):
        till.open_shift()
        sell_certificate(till, "700.00")
        rows = till.ok(till.api.as_("manager").get("/api/v1/gift-certificates/liability"))
        assert rows == [{"type_code": "GC-FREE", "store_id": shop.store_id, "sold": "700.00",
                         "redeemed": "0.00", "expired": "0.00", "cancelled": "0.00",
                         "outstanding": "700.00"}]
        other = till.api.as_("manager").get(
            f"/api/v1/gift-certificates/liability?store_id={shop.other_store_id}")
        assert till.ok(other) == []
        assert problem(till.api.get("/api/v1/gift-certificates/liability"), 403)["code"]

    def test_a_batch_is_issued_and_printed_by_managers_only(self, till, gifts):
        manager = till.api.as_("manager")
        batch = till.ok(manager.post("/api/v1/gift-certificate-batches", json={
            "type_id": gifts["fixed"]["id"], "count": 3}), 201)
        printed = till.ok(manager.get(f"/api/v1/gift-certificate-batches/{batch['id']}/codes"))
        assert [p["serial"] for p in printed] == [f"B{batch['id']}-00000{n}" for n in (1, 2, 3)]
        status = till.ok(till.api.get(f"/api/v1/gift-certificates/{printed[0]['code']}"))
        assert (status["status"], status["balance"]) == ("inactive", "0.00")
        assert problem(till.api.get(f"/api/v1/gift-certificate-batches/{batch['id']}/codes"),
                       403)


class TestDemo:
    def test_the_demo_has_both_types_and_three_sold_certificates(self, app, db, fixed_clock):
        from pos.demo import load_demo
        from tests.helpers import ApiClient

        with app.app_context():
            assert load_demo(db, fixed_clock.now(), item_count=30)
        manager = ApiClient(app.test_client()).as_("manager")  # the demo's manager-pass
        types = manager.get("/api/v1/gift-certificate-types").get_json()
        printed = manager.get("/api/v1/gift-certificate-batches/1/codes").get_json()
        balances = [manager.get(f"/api/v1/gift-certificates/{p['code']}").get_json()
                    ["balance"] for p in printed]
        assert [(t["code"], t["face_value"]) for t in types] == [("GC-1000", "1000.00"),
                                                                 ("GC-FREE", None)]
        assert balances == ["1000.00"] * 3 + ["0.00"] * 7
