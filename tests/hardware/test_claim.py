"""Claiming a till's fiscal queue and waking on new work, without a broker."""

from __future__ import annotations

import threading
import time

import pytest

from pos.hardware.claim import Wakeup, claimed
from tests.hardware.conftest import attach
from tests.hardware.fiscal_day import sell


@pytest.fixture
def registrar_row(api, shop):
    """Till 1 with a fiscal registrar configured (the row a worker claims)."""
    assert attach(api, shop.till_id, "fiscal", "fake", "unused").status_code == 201


def test_two_workers_never_hold_one_tills_queue_on_postgresql(db, shop, registrar_row):
    if db.dialect != "postgresql":
        pytest.skip("SQLite has one polling worker: nothing to claim against")
    with claimed(db, shop.till_id) as first:
        seen: list[bool] = []
        other = threading.Thread(target=lambda: seen.append(_claim(db, shop.till_id)))
        other.start()
        other.join(30)
        assert (first, seen) == (True, [False])  # skipped, not waited for
    assert _claim(db, shop.till_id) is True  # released with the first worker's transaction


def _claim(db, till_id):
    with claimed(db, till_id) as mine:
        return mine


def test_a_closed_sale_wakes_the_waiting_worker_on_postgresql(db, till, registrar_row):
    if db.dialect != "postgresql":
        pytest.skip("SQLite polls")
    till.open_shift("100.00")
    wakeup = Wakeup(db, poll_s=60.0)
    try:
        wakeup.wait_started = threading.Event()
        waited: list[float] = []

        def wait() -> None:
            wakeup._listen()  # subscribe before the sale commits
            wakeup.wait_started.set()
            start = time.monotonic()
            wakeup.wait()
            waited.append(time.monotonic() - start)

        waiter = threading.Thread(target=wait)
        waiter.start()
        assert wakeup.wait_started.wait(30)
        sell(till)
        waiter.join(50)
        assert waited and waited[0] < 50  # woken by NOTIFY, not the 60 s poll
    finally:
        wakeup.close()


def test_a_nudge_wakes_the_worker_at_once(db):
    wakeup = Wakeup(db, poll_s=60.0)
    wakeup.nudge()
    start = time.monotonic()
    wakeup.wait()
    assert time.monotonic() - start < 30
