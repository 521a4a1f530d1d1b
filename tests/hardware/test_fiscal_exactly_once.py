"""Fiscalisation through the device service: once per document, in journal order, whatever fails.

Every fault of devices.md §7.4 that can strike a receipt is injected on the Shtrih emulator;
each test ends with exactly one fiscal document per receipt on the emulator and every receipt
fiscalised with the emulator's number and sign.
"""

from __future__ import annotations

import pytest

from devices.fiscal.shtrih_tables import Cmd
from tests.hardware.conftest import DEVICE_TIMEOUT_MS
from tests.hardware.fiscal_day import drain, journal, one_pass, sell


@pytest.fixture
def day(till, device_service):
    """Till 1 with a shift open on the API and two cash sales closed."""
    till.open_shift("100.00")
    return [sell(till), sell(till, "OAT-MILK-1L", "2")]


def _assert_each_receipt_signed_once(db, till, registrar, sales):
    signed = registrar.receipts
    assert [d.amount_minor for d in signed] == [s["total_minor"] if "total_minor" in s else
                                                int(s["total"].replace(".", "")) for s in sales]
    for sale, document in zip(sales, signed, strict=True):
        body = till.ok(till.api.get(f"/api/v1/receipts/{sale['id']}"))
        assert (body["fiscal_document_number"], body["fiscal_sign"]) == (document.number,
                                                                         document.fiscal_sign)
        assert body["fiscal_shift_number"] == document.shift_number


class TestAHealthyDay:
    def test_each_receipt_is_signed_once_and_carries_the_devices_number(
            self, db, till, day, device_service, attached):
        drain(device_service, db, till.till_id)
        _assert_each_receipt_signed_once(db, till, attached["fiscal"], day)

    def test_device_order_is_journal_order_and_every_document_is_the_journals(
            self, db, till, day, device_service, attached):
        base = f"/api/v1/shifts/{till.shift['id']}"
        manager = till.api.as_("manager")
        till.ok(manager.post(f"{base}/cash-out", json={"amount": "20.00", "reason": "safe"}), 201)
        till.ok(till.api.post(f"{base}/cash-in", json={"amount": "5.00", "reason": "coins"}),
                201)
        expected = till.x_report()["cash"]["expected"]
        till.ok(till.api.post(f"{base}/close", json={"counted_cash": expected}))
        done = drain(device_service, db, till.till_id)
        documents = [r for r in done if r.kind != "shift_open"]
        assert [(r.kind, r.number) for r in documents] == [
            (e.kind, e.number) for e in journal(db, till.till_id)]
        running = [r.running_number for r in documents]
        assert running == sorted(running) and len(set(running)) == len(running)
        fd = [r.device_number for r in documents if r.device_number is not None]
        assert fd == sorted(fd) and len(set(fd)) == len(fd)
        # The registrar's storage holds the shift open, our receipts and our Z, nothing else.
        emulated = attached["fiscal"].model.documents
        assert [d.kind for d in emulated] == ["shift_open", "receipt", "receipt", "shift_close"]
        assert [d.number for d in emulated[1:]] == fd

    def test_the_queue_shows_nothing_once_all_is_signed(self, db, till, day, device_service):
        queue = till.ok(till.api.as_("manager").get("/api/v1/fiscal/queue"))
        assert [e["kind"] for e in queue["items"]] == ["shift_open", "sale", "sale"]
        drain(device_service, db, till.till_id)
        assert till.ok(till.api.as_("manager").get("/api/v1/fiscal/queue"))["total"] == 0


# (fault, command, options, needs a re-plug) — devices.md §7.4, the link faults on a receipt.
FAULTS = [
    ("nak", Cmd.CLOSE_RECEIPT, {}, False),
    ("garble", Cmd.CLOSE_RECEIPT, {"style": "lrc"}, False),
    ("garble", Cmd.CLOSE_RECEIPT, {"style": "truncate"}, False),
    ("garble", Cmd.SALE, {"style": "noise"}, False),
    ("busy", Cmd.CLOSE_RECEIPT, {"count": 3}, False),
    ("lost_answer", Cmd.CLOSE_RECEIPT, {}, False),
    ("swallow", Cmd.CLOSE_RECEIPT, {}, False),
    ("swallow", Cmd.SALE, {"count": 4}, False),
    ("disconnect_before", Cmd.CLOSE_RECEIPT, {}, True),
    ("disconnect_after", Cmd.CLOSE_RECEIPT, {}, True),
    ("disconnect_after", Cmd.SALE, {}, True),
    ("disconnect_after", Cmd.OPEN_RECEIPT, {}, True),
    # A starved registrar: executed, answered after the driver gave up and sent ENQ.
    ("slow", Cmd.OPEN_RECEIPT, {"delay_s": 1.6 * DEVICE_TIMEOUT_MS / 1000}, False),
    ("slow", Cmd.SALE, {"delay_s": 1.6 * DEVICE_TIMEOUT_MS / 1000}, False),
    ("slow", Cmd.SHORT_STATUS, {"delay_s": 1.6 * DEVICE_TIMEOUT_MS / 1000, "skip": 1}, False),
]


class TestTheFaultMatrix:
    # A link fault is the driver's and the emulator's business: the database sees the same
    # outbox pass whatever the fault, so these rows run on one database. The claim (SKIP
    # LOCKED) and the wake-up keep both in test_claim.py, the rest of this module and
    # test_service_crash.py.
    @pytest.mark.one_database
    @pytest.mark.parametrize(("kind", "command", "options", "replug"), FAULTS,
                             ids=[f"{f[0]}-{f[1].name}-{f[2].get('style', '')}" for f in FAULTS])
    def test_a_fault_during_a_receipt_still_ends_with_one_document_per_receipt(
            self, db, till, day, device_service, attached, kind, command, options, replug):
        registrar = attached["fiscal"]
        registrar.inject(kind, int(command), **options)
        one_pass(device_service, db, till.till_id)
        if replug:
            registrar.reconnect()
        drain(device_service, db, till.till_id)
        _assert_each_receipt_signed_once(db, till, registrar, day)

    def test_paper_running_out_mid_receipt_is_finished_after_loading_without_duplicates(
            self, db, till, device_service, attached):
        registrar = attached["fiscal"]
        till.open_shift("100.00")
        sale = till.ok(till.checkout([{"sku": "MILK-1L"}, {"sku": "OAT-MILK-1L"}],
                                     [{"type": "cash", "amount": "300.00"}]), 201)
        registrar.model.paper_out_after_items = 1
        failed = [r for r in one_pass(device_service, db, till.till_id) if r.kind == "sale"]
        assert (failed[0].state, failed[0].last_error.split(":")[0]) == ("failed", "PaperOut")
        queue = till.ok(till.api.as_("manager").get("/api/v1/fiscal/queue"))
        assert queue["items"][0]["last_error"].startswith("PaperOut")
        registrar.model.load_paper()
        drain(device_service, db, till.till_id)
        _assert_each_receipt_signed_once(db, till, registrar, [sale])

    def test_a_receipt_left_open_by_a_dead_service_is_cancelled_and_replayed(
            self, app, db, till, day, device_service, attached):
        from tests.hardware.conftest import start_service

        registrar = attached["fiscal"]
        registrar.inject("disconnect_after", int(Cmd.SALE), skip=0)
        one_pass(device_service, db, till.till_id)
        assert registrar.model.receipt is not None  # half a receipt on the device
        device_service.stop()  # the process that knew about it is gone
        registrar.reconnect()
        fresh = start_service(app, db)
        try:
            drain(fresh, db, till.till_id)
        finally:
            fresh.stop()
        assert "cancel" in registrar.model.events
        _assert_each_receipt_signed_once(db, till, registrar, day)

    def test_a_pulled_plug_holds_the_till_in_order_until_it_is_back(
            self, db, till, day, device_service, attached):
        registrar = attached["fiscal"]
        registrar.disconnect()
        held = one_pass(device_service, db, till.till_id)
        assert [r.state for r in held] == ["failed", "pending", "pending"]
        assert held[0].last_error
        registrar.reconnect()
        drain(device_service, db, till.till_id)
        _assert_each_receipt_signed_once(db, till, registrar, day)
