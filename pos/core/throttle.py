"""Slowing down guessing: failed attempts counted per key, a doubling block past the free ones.

Staff logins and manager approvals use it (``pos.auth``), and so may any feature that looks up
a secret a client could guess (a card holder's PIN, a certificate's code): a key names who or
where the guesses come from (``user:anna``, ``addr:10.0.0.7``), and each key has its own
allowance of free failures. A refused attempt's failure must be committed even though the
request fails, so callers record it in a transaction of its own, or commit before raising.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos.core.db import Base, UTCDateTime
from pos.core.errors import TooManyAttemptsError

# A failure is forgotten after this long without another: the till PC's typos of last week
# do not add up to a block today. An attacker is slowed down to one guess per block (at most
# 15 min), well within it, so the count never lapses while guessing goes on.
FAILURE_MEMORY = timedelta(hours=1)


class LoginThrottle(Base):
    """Count recent failed attempts under one key (a user name, an address, an approver)."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def record_failure(self, now: datetime, free_failures: int) -> None:
        """Count a failure; past the free ones, block for a doubling delay (max 15 min)."""
        if now - self.last_failure_at > FAILURE_MEMORY:
            self.failures = 0
        self.failures += 1
        self.last_failure_at = now
        over = self.failures - free_failures
        if over >= 0:
            self.blocked_until = now + timedelta(seconds=min(2**over, 900))


    def record_windowed_failure(self, now: datetime, limit: int, window: timedelta) -> None:
        """Count a failure in a fixed window; the ``limit``-th blocks until the window ends.

        For keys counted this way ``last_failure_at`` holds the start of the current window.
        """
        if now - self.last_failure_at >= window:
            self.failures, self.last_failure_at = 0, now
        self.failures += 1
        if self.failures >= limit:
            self.blocked_until = max(self.last_failure_at + window, now + timedelta(seconds=1))


def check_throttle(session: Session, keys: list[str], now: datetime) -> None:
    """Refuse with 429 while any of ``keys`` is blocked by earlier failures."""
    for key in keys:
        throttle = session.get(LoginThrottle, key)
        if throttle is not None and throttle.blocked_until and throttle.blocked_until > now:
            wait = int((throttle.blocked_until - now).total_seconds()) + 1
            raise TooManyAttemptsError(wait, "Too many failed attempts; wait and try again")


def record_failure(session: Session, free_failures: dict[str, int], now: datetime) -> None:
    """Count a failed attempt against each key, each with its own allowance of free failures."""
    for key, free in free_failures.items():
        throttle = session.get(LoginThrottle, key)
        if throttle is None:
            throttle = LoginThrottle(key=key, failures=0, last_failure_at=now)
            session.add(throttle)
        throttle.record_failure(now, free)


def clear_failures(session: Session, keys: list[str]) -> None:
    """Forget failures after a success."""
    for key in keys:
        throttle = session.get(LoginThrottle, key)
        if throttle is not None:
            session.delete(throttle)


def record_windowed_failure(session: Session, keys: list[str], now: datetime, *, limit: int,
                            window: timedelta) -> None:
    """Count a failure against each key: ``limit`` failures within ``window`` block the rest.

    Unlike :func:`record_failure` (free failures, then a doubling delay) this is a plain rate:
    a code guesser gets ``limit`` tries a window, and then waits for the window to end.
    """
    for key in keys:
        throttle = session.get(LoginThrottle, key)
        if throttle is None:
            throttle = LoginThrottle(key=key, failures=0, last_failure_at=now)
            session.add(throttle)
        throttle.record_windowed_failure(now, limit, window)
