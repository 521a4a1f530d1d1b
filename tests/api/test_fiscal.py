"""The fiscal outbox: filled in the closing transaction, emptied by the worker, exactly once."""

from __future__ import annotations

from devices.errors import DeviceTimeout, PaperOut
from devices.fiscal.fake import FakeRegistrar
from pos.fiscal.worker import process


def _day(till):
    shift = till.open_shift("100.00")
    for _ in range(2):
        till.ok(till.checkout([{"sku": "MILK-1L"}], [{"type": "cash", "amount": "100.00"}]), 201)
    till.ok(till.api.post(f"/api/v1/shifts/{shift['id']}/cash-in",
                          json={"amount": "50.00", "reason": "float"}), 201)
    return shift


def _outbox(till, **query):
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return till.ok(till.api.as_("manager").get(f"/api/v1/fiscal/outbox?{params}"))


class TestOutbox:
    def test_closed_documents_wait_in_the_outbox(self, till):
        _day(till)
        page = _outbox(till, state="pending")
        assert sorted(e["kind"] for e in page["items"]) == ["cash_in", "sale", "sale",
                                                           "shift_open"]

    def test_worker_fiscalises_in_order_with_device_numbers(self, till, db, fixed_clock):
        _day(till)
        device = FakeRegistrar(clock=fixed_clock.now)
        report = process(db, lambda _till: device, fixed_clock.now)
        assert (report.fiscalised, report.failed) == (4, 0)
        assert len(device.receipts) == 2
        sales = [e for e in _outbox(till)["items"] if e["kind"] == "sale"]
        assert all(e["state"] == "fiscalised" and e["fiscal_sign"] for e in sales)
        assert process(db, lambda _till: device, fixed_clock.now).fiscalised == 0

    def test_a_device_failure_is_retried_and_blocks_later_documents(self, till, db,
                                                                    fixed_clock):
        _day(till)
        device = FakeRegistrar(clock=fixed_clock.now)
        device.fail_next(PaperOut())
        report = process(db, lambda _till: device, fixed_clock.now)
        assert (report.fiscalised, report.failed) == (0, 1)
        failed = _outbox(till, state="failed")["items"]
        assert (failed[0]["attempts"], failed[0]["last_error"][:8]) == (1, "PaperOut")
        assert process(db, lambda _till: device, fixed_clock.now).fiscalised == 4

    def test_a_lost_answer_does_not_print_the_receipt_twice(self, till, db, fixed_clock):
        _day(till)
        device = FakeRegistrar(clock=fixed_clock.now)
        real = device.register_receipt
        calls = {"n": 0}

        def signed_but_answer_lost(receipt, *, expected_number=None):
            calls["n"] += 1
            result = real(receipt, expected_number=expected_number)
            if calls["n"] == 1:
                raise DeviceTimeout()
            return result

        device.register_receipt = signed_but_answer_lost  # type: ignore[method-assign]
        process(db, lambda _till: device, fixed_clock.now)
        process(db, lambda _till: device, fixed_clock.now)
        assert len(device.receipts) == 2
        assert _outbox(till, state="fiscalised")["total"] == 4
