"""The writer lock of a SQLite file: an ``flock`` of a file beside it, handed over at once.

Writers of a file database queue on an exclusive ``flock`` of ``<database>-writelock``, taken
just before ``BEGIN IMMEDIATE`` and dropped after ``COMMIT`` or ``ROLLBACK`` (see
:class:`pos.core.db.LockingConnection`). The kernel drops the lock of a process that dies, so
a crash never leaves the database locked.

``flock`` has no timed wait, and a waiter that merely polls finds the lock free only at its
next poll: with two workers writing in turn, the lock stood idle for up to a poll interval at
every hand-over. So each release also writes a byte into a FIFO beside the lock file
(``<database>-writelock.wake``), and a waiter sleeps in ``poll()`` on that FIFO: it wakes as
soon as the lock is let go, and still times out like SQLite's busy timeout (a writer that
never lets go gets "database is locked"). The poll's own timeout stays short enough that a
lock dropped without a byte (its process died) is noticed within :data:`MAX_PAUSE_S`.

Bytes nobody waits for pile up in the FIFO (64 KiB, then the release's write is refused and
ignored); a waiter drains them before it tries the lock, so they cost it one extra try at most.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import stat
import time

FIRST_PAUSE_S = 0.00005  # the first wait for a wake-up; doubled at each try, up to:
MAX_PAUSE_S = 0.005
_WAKE = b"."


class WriterLock:
    """One connection's hold on a database file's writer lock (``flock`` on its own open file).

    Each holder opens the lock file itself: ``flock`` locks belong to an open file, so threads
    of one process exclude each other as processes do. Not for sharing between threads.
    """

    __slots__ = ("path", "_fd", "_wake", "_poller", "held")

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._wake: int | None = None  # the FIFO, read and written (None: polling only)
        self._poller: select.poll | None = None
        self.held = False

    def try_acquire(self) -> bool:
        """Take the lock if it is free at once; tell whether it was taken."""
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._open_wake()
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self.held = True
        return True

    def acquire(self, timeout_s: float) -> bool:
        """Take the lock, waiting at most ``timeout_s`` for it; tell whether it was taken."""
        if self.held or self.try_acquire():
            return True
        deadline, pause = time.monotonic() + timeout_s, FIRST_PAUSE_S
        while True:
            self._sleep(pause)
            if self.try_acquire():
                return True
            if time.monotonic() > deadline:
                return False
            pause = min(pause * 2, MAX_PAUSE_S)

    def release(self) -> None:
        """Let the lock go and wake a writer waiting for it (no-op if not held)."""
        if not self.held or self._fd is None:
            return
        self.held = False
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        if self._wake is not None:
            with contextlib.suppress(OSError):  # full (nobody waited for a while): they see it
                os.write(self._wake, _WAKE)

    def close(self) -> None:
        """Let the lock go and close the files."""
        try:
            self.release()
        finally:
            for fd in (self._fd, self._wake):
                if fd is not None:
                    os.close(fd)
            self._fd = self._wake = self._poller = None

    def _sleep(self, pause: float) -> None:
        # Until a release writes into the FIFO, or ``pause`` has passed; then drain it.
        if self._poller is None or self._wake is None:
            time.sleep(pause)
            return
        if self._poller.poll(pause * 1000):
            with contextlib.suppress(BlockingIOError):
                os.read(self._wake, 65536)

    def _open_wake(self) -> None:
        # The FIFO beside the lock file, made by the first writer; without it, polling only.
        wake_path = self.path + ".wake"
        try:
            os.mkfifo(wake_path, 0o600)
        except FileExistsError:
            pass
        except OSError:  # a file system without FIFOs
            return
        try:
            # read-write: opening never blocks, and the FIFO always has a reader
            fd = os.open(wake_path, os.O_RDWR | os.O_NONBLOCK)
        except OSError:
            return
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):  # something else has the name
            os.close(fd)
            return
        self._wake, self._poller = fd, select.poll()
        self._poller.register(fd, select.POLLIN)


def is_busy(path: str) -> bool:
    """Tell whether a writer holds the lock at this moment (a hint: it may change at once).

    The probe takes the lock for an instant when it is free, so it wakes any writer that
    tried it meanwhile, as a release does.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        _wake_one(path)
        return False
    finally:
        os.close(fd)


def _wake_one(path: str) -> None:
    # A byte into the lock's FIFO, if there is one (it is made by the first writer).
    try:
        fd = os.open(path + ".wake", os.O_WRONLY | os.O_NONBLOCK)
    except OSError:  # no FIFO yet, or nobody has it open (then nobody waits)
        return
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            with contextlib.suppress(OSError):
                os.write(fd, _WAKE)
    finally:
        os.close(fd)
