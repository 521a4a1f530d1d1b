"""The SQLite writer lock's hand-over: a release wakes the writer waiting for it."""

import multiprocessing
import os
import threading

import pytest

from pos.core import writer_lock
from pos.core.writer_lock import WriterLock, is_busy


@pytest.fixture
def lock_path(tmp_path):
    return str(tmp_path / "pos.db-writelock")


@pytest.fixture
def sleepy_polls(monkeypatch):
    """Polls so far apart that a waiter gets the lock in time only if a release wakes it."""
    monkeypatch.setattr(writer_lock, "FIRST_PAUSE_S", 120.0)
    monkeypatch.setattr(writer_lock, "MAX_PAUSE_S", 120.0)


def _waiter(path: str, timeout_s: float = 300.0) -> tuple[threading.Thread, dict, threading.Event]:
    """Start a thread that waits for the lock; it records whether it got it, then lets go."""
    outcome: dict = {}
    started = threading.Event()

    def wait() -> None:
        lock = WriterLock(path)
        started.set()
        outcome["taken"] = lock.acquire(timeout_s)
        lock.close()

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    return thread, outcome, started


def _until_sleeping(started: threading.Event) -> None:
    # The waiter has tried the lock and gone to sleep on the FIFO (its first try is at once).
    assert started.wait(5)
    threading.Event().wait(0.3)


def test_a_release_wakes_the_waiting_writer_at_once(lock_path, sleepy_polls):
    holder = WriterLock(lock_path)
    assert holder.acquire(1)
    thread, outcome, started = _waiter(lock_path)
    _until_sleeping(started)
    assert "taken" not in outcome  # still waiting: the lock is held
    holder.release()
    thread.join(20)  # its next poll is two minutes away: only the release's byte wakes it
    assert outcome == {"taken": True}
    holder.close()


def test_wake_ups_nobody_waited_for_neither_fail_a_release_nor_wake_a_waiter_for_nothing(
        lock_path, sleepy_polls):
    holder = WriterLock(lock_path)
    assert holder.acquire(1)
    holder.release()
    fifo = os.open(lock_path + ".wake", os.O_WRONLY | os.O_NONBLOCK)
    with pytest.raises(BlockingIOError):  # fill it: releases with nobody waiting, for hours
        while True:
            os.write(fifo, b"." * 4096)
    os.close(fifo)
    for _ in range(3):  # a full FIFO refuses the byte: the release goes on
        assert holder.acquire(1)
        holder.release()
    assert holder.acquire(1)
    thread, outcome, started = _waiter(lock_path)
    _until_sleeping(started)  # it drained what piled up, found the lock held, and sleeps
    assert "taken" not in outcome
    holder.release()
    thread.join(20)
    assert outcome == {"taken": True}
    holder.close()


def test_without_its_fifo_the_lock_is_polled(lock_path):
    with open(lock_path + ".wake", "w") as taken:  # something else has the FIFO's name
        taken.write("not a fifo")
    holder = WriterLock(lock_path)
    assert holder.acquire(1)
    thread, outcome, started = _waiter(lock_path, timeout_s=30)
    _until_sleeping(started)
    holder.release()
    thread.join(20)
    assert outcome == {"taken": True}
    with open(lock_path + ".wake") as kept:
        assert kept.read() == "not a fifo"
    holder.close()


def _hold_and_die(path: str, held: multiprocessing.Event) -> None:
    lock = WriterLock(path)
    assert lock.acquire(5)
    held.set()
    threading.Event().wait(0.3)
    os._exit(0)  # no release, no byte: the kernel drops the flock


def test_a_writer_that_died_holding_the_lock_lets_the_next_in(lock_path):
    context = multiprocessing.get_context("fork")
    held = context.Event()
    process = context.Process(target=_hold_and_die, args=(lock_path, held))
    process.start()
    assert held.wait(10)
    waiter = WriterLock(lock_path)
    assert is_busy(lock_path)
    assert waiter.acquire(30)  # found by its polls, within MAX_PAUSE_S of the death
    process.join(10)
    waiter.close()


def test_a_waiter_gives_up_at_its_timeout(lock_path):
    holder, waiter = WriterLock(lock_path), WriterLock(lock_path)
    assert holder.acquire(1)
    assert not waiter.acquire(0.05)
    assert not waiter.held
    holder.close()
    assert waiter.acquire(1)
    assert is_busy(lock_path)  # as another process sees it
    waiter.close()
    assert not is_busy(lock_path)
