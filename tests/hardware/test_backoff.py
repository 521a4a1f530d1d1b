"""A failed fiscal document is retried with a growing back-off and keeps the till's order."""

from __future__ import annotations

from datetime import timedelta

from devices.errors import PaperOut
from devices.fiscal.fake import FakeRegistrar
from pos.fiscal.worker import MAX_BACKOFF_S, backoff, process
from tests.hardware.fiscal_day import rows, sell


def test_the_back_off_doubles_up_to_its_ceiling():
    assert [backoff(n, 1.0).total_seconds() for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(40, 1.0) == timedelta(seconds=MAX_BACKOFF_S)


def test_a_failed_document_waits_out_its_back_off_and_then_goes_first(db, till, fixed_clock):
    till.open_shift("100.00")
    sell(till)
    device = FakeRegistrar(clock=fixed_clock.now)
    device.fail_next(PaperOut())
    assert process(db, lambda _: device, fixed_clock.now, backoff_s=5.0).failed == 1
    assert process(db, lambda _: device, fixed_clock.now, backoff_s=5.0).fiscalised == 0
    assert [r.state for r in rows(db, till.till_id)] == ["failed", "pending"]
    later = fixed_clock.now() + timedelta(seconds=5)
    report = process(db, lambda _: device, lambda: later, backoff_s=5.0)
    assert (report.documents, report.shifts_opened) == (1, 1)
    assert [r.state for r in rows(db, till.till_id)] == ["fiscalised", "fiscalised"]
