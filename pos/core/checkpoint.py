"""SQLite's WAL copied back to the database by a thread of its own, not by a sale's commit.

SQLite checkpoints when a commit leaves the write-ahead log past ``wal_autocheckpoint`` pages
(1,000 by default): that commit then copies and syncs a thousand pages, 3-5 ms, and its
request is the 99th percentile of a busy till's add-lines. Here each process checkpoints in a
daemon thread a moment after its commits (``PASSIVE``: it never waits for a reader or a
writer, and they never wait for it), on a connection of its own. The connections keep a
threshold of :data:`BACKSTOP_PAGES` in case the thread cannot keep up.

It also narrows what a power cut can take: with ``synchronous=NORMAL`` a commit is on disk
once a checkpoint has synced the log, which now follows within a second, where a quiet till
used to wait for a thousand pages.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path

BACKSTOP_PAGES = 10_000
QUIET_S = 0.2  # after a commit, the wait for more before checkpointing them all at once

_log = logging.getLogger(__name__)
_LOCK = threading.Lock()
_RUNNING: dict[str, Checkpointer] = {}  # by database file, in this process


class Checkpointer:
    """Checkpoint one database file's WAL after commits, from a daemon thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.checkpoints = 0
        self._committed, self._stopped = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"checkpoint {path}",
                                        daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """Note a commit: its pages are checkpointed a moment later."""
        self._committed.set()

    def stop(self) -> None:
        """Stop the thread (after the checkpoint under way, if any)."""
        self._stopped.set()
        self._committed.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stopped.is_set():
            self._committed.wait()
            if self._stopped.wait(QUIET_S):  # let a burst of commits finish first
                return
            self._committed.clear()
            self._checkpoint()

    def _checkpoint(self) -> None:
        try:
            # read-write, never create: the file may be gone (a test's folder, say)
            connection = sqlite3.connect(f"{Path(self.path).as_uri()}?mode=rw", uri=True,
                                         timeout=0, isolation_level=None)
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
                self.checkpoints += 1
            finally:
                connection.close()
        except sqlite3.Error as error:  # busy with another process's, or the file is gone
            _log.debug("checkpoint of %s skipped: %s", self.path, error)


def checkpointer(path: str) -> Checkpointer:
    """Return this process's checkpointer of a database file, started on first use."""
    key = f"{os.getpid()}:{path}"  # a forked worker starts its own thread
    found = _RUNNING.get(key)
    if found is None:
        with _LOCK:
            found = _RUNNING.get(key)
            if found is None:
                found = _RUNNING[key] = Checkpointer(path)
    return found

