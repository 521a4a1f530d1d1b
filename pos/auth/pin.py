"""Sign-in at a till by user name and PIN: the screens' way in, throttled like passwords.

A PIN is short (4 to 8 digits), so guesses are counted per user name (PIN sign-ins only) and
per address, as :func:`pos.auth.service.login` counts password guesses; the till must be one
the user may work at, checked only once the PIN is right so the answer reveals nothing else.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.auth.service import LoginResult, sign_in
from pos.core.db import Database
from pos.core.errors import ForbiddenError
from pos.core.scope import Place, may_open_shift, works_at
from pos.core.security import Principal, verify_secret
from pos.shifts.model import Shift
from pos.stores.model import Till


def login_at_till(
    db: Database, username: str, pin: str, till_id: int, *, client: str, now: datetime,
    ttl: timedelta, free_failures: int, free_address_failures: int,
) -> LoginResult:
    """Check a user's PIN and that they may work at ``till_id``; issue a bearer token."""
    return sign_in(db, username,
                   lambda user: user.pin_hash is not None and verify_secret(pin, user.pin_hash),
                   keys=(f"pin:{username.lower()}", f"addr:{client}"), wrong="PIN",
                   client=client, now=now, ttl=ttl, free_failures=free_failures,
                   free_address_failures=free_address_failures,
                   admit=lambda session, principal: _check_till(session, principal, till_id))


def _check_till(session: Session, principal: Principal, till_id: int) -> None:
    till = session.get(Till, till_id)
    if till is None or not till.is_active:
        raise ForbiddenError(f"Till {till_id} is not in service", code="till_not_allowed")
    opener = session.scalar(select(Shift.opened_by_id).where(Shift.open_till_id == till_id))
    place = Place(till.store_id, till.id, opener)
    if not (works_at(principal, place) or may_open_shift(principal, till.store_id, till.id)):
        raise ForbiddenError(f"You do not work at till {till_id}", code="till_not_allowed")
