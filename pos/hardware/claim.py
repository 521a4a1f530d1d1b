"""Claim a till's fiscal queue and wait for work, without a broker.

On PostgreSQL a worker holds the till's fiscal device row ``FOR UPDATE SKIP LOCKED`` while it
works through the till's queue, so two device services never drive one till (per-till order
is the invariant: claim the till, not the document); it sleeps on ``LISTEN fiscal_outbox``
(the outbox notifies on commit) with a one-second poll as the fallback. On SQLite one device
service polls.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import Any

from sqlalchemy import text

from pos.core.db import Database

log = logging.getLogger(__name__)
CHANNEL = "fiscal_outbox"
_CLAIM = text("SELECT id FROM till_devices WHERE till_id = :till_id AND kind = 'fiscal' "
              "FOR UPDATE SKIP LOCKED")


@contextlib.contextmanager
def claimed(db: Database, till_id: int) -> Iterator[bool]:
    """Hold the till's queue for the block; yield False if another worker holds it."""
    if db.dialect != "postgresql":
        yield True
        return
    with db.engine.connect() as connection, connection.begin():
        yield connection.execute(_CLAIM, {"till_id": till_id}).first() is not None


class Wakeup:
    """Sleep until the outbox has news (PostgreSQL NOTIFY, a local nudge) or the poll is due."""

    def __init__(self, db: Database, poll_s: float = 1.0) -> None:
        self.db, self.poll_s = db, poll_s
        self.nudged = threading.Event()
        self._listener: Any = None

    def nudge(self) -> None:
        """Wake the waiting worker now."""
        self.nudged.set()

    def wait(self) -> None:
        """Return on a notification, a nudge, or after the poll interval."""
        if self.nudged.is_set():
            self.nudged.clear()
            return
        listener = self._listen()
        if listener is None:
            self.nudged.wait(self.poll_s)
        else:
            try:
                for _ in listener.notifies(timeout=self.poll_s, stop_after=1):
                    break
            except Exception:  # a lost connection: poll, and listen again next time
                log.warning("LISTEN connection lost; polling", exc_info=True)
                self.close()
        self.nudged.clear()

    def _listen(self) -> Any:
        if self.db.dialect != "postgresql" or self._listener is not None:
            return self._listener
        import psycopg

        url = self.db.engine.url.set(drivername="postgresql")
        try:
            self._listener = psycopg.connect(url.render_as_string(hide_password=False),
                                             autocommit=True)
            self._listener.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error:
            log.warning("cannot LISTEN; polling", exc_info=True)
            self._listener = None
        return self._listener

    def close(self) -> None:
        """Drop the LISTEN connection."""
        if self._listener is not None:
            with contextlib.suppress(Exception):
                self._listener.close()
            self._listener = None
