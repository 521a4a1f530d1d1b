"""Sign-in at a till by user name and PIN: the screens' way in, throttled like passwords.

A PIN is short (4 to 8 digits), so guesses are counted per user name (PIN sign-ins only) and
per address, as :func:`pos.auth.service.login` counts password guesses; the till must be one
the user may work at, checked only once the PIN is right so the answer reveals nothing else.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.auth.model import AuthToken, User
from pos.auth.service import LoginResult, principal_of
from pos.core import audit
from pos.core.db import Database
from pos.core.errors import ForbiddenError, UnauthorizedError
from pos.core.scope import Place, may_open_shift, works_at
from pos.core.security import Principal, new_token, token_digest, verify_secret
from pos.core.throttle import check_throttle, clear_failures, record_failure
from pos.shifts.model import Shift
from pos.stores.model import Till


def login_at_till(
    db: Database, username: str, pin: str, till_id: int, *, client: str, now: datetime,
    ttl: timedelta, free_failures: int, free_address_failures: int,
) -> LoginResult:
    """Check a user's PIN and that they may work at ``till_id``; issue a bearer token."""
    user_key, address_key = f"pin:{username.lower()}", f"addr:{client}"
    with db.transaction() as session:
        check_throttle(session, [user_key, address_key], now)
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.is_active or user.pin_hash is None \
                or not verify_secret(pin, user.pin_hash):
            record_failure(session, {user_key: free_failures,
                                     address_key: free_address_failures}, now)
            audit.record(session, at=now, action="login_failed", user_id=None,
                         target=username[:200], client_address=client)
            failed = True
        else:
            failed = False
            clear_failures(session, [user_key])
            principal = principal_of(user)
            _check_till(session, principal, till_id)
            token = new_token()
            session.add(AuthToken(user_id=user.id, token_hash=token_digest(token),
                                  created_at=now, expires_at=now + ttl))
            result = LoginResult(token, now + ttl, principal)
    if failed:  # raised after commit so the failure count is kept
        raise UnauthorizedError("Wrong user name or PIN", code="invalid_credentials")
    return result


def _check_till(session: Session, principal: Principal, till_id: int) -> None:
    till = session.get(Till, till_id)
    if till is None or not till.is_active:
        raise ForbiddenError(f"Till {till_id} is not in service", code="till_not_allowed")
    opener = session.scalar(select(Shift.opened_by_id).where(Shift.open_till_id == till_id))
    place = Place(till.store_id, till.id, opener)
    if not (works_at(principal, place) or may_open_shift(principal, till.store_id, till.id)):
        raise ForbiddenError(f"You do not work at till {till_id}", code="till_not_allowed")
