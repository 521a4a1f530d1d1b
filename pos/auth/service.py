"""Use cases of signing in and out, user management, and resolving bearer tokens."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos.auth.model import AuthToken, AuthVersion, User
from pos.core import audit
from pos.core.barcode import is_digits
from pos.core.db import Database
from pos.core.direct import Direct
from pos.core.errors import (
    ConflictError,
    NotFoundError,
    UnauthorizedError,
    ValidationError,
)
from pos.core.security import (
    Principal,
    Right,
    Role,
    TokenCache,
    hash_secret,
    new_token,
    token_digest,
    verify_secret,
)
from pos.core.throttle import check_throttle, clear_failures, record_failure
from pos.stores.model import Store, Till

MIN_PASSWORD_LENGTH = 8
@dataclass(frozen=True)
class LoginResult:
    """A fresh bearer token and who it belongs to."""

    token: str
    expires_at: datetime
    principal: Principal


def principal_of(user: User) -> Principal:
    """Detach a user's identity and rights for the request."""
    return Principal(
        user_id=user.id, username=user.username, role=user.role, rights=user.rights,
        user_group=user.user_group, full_name=user.full_name,
        store_ids=None if user.role == Role.ADMIN else frozenset(user.store_ids),
        till_ids=frozenset(user.till_ids),
    )


def login(
    db: Database, username: str, password: str, *, client: str, now: datetime,
    ttl: timedelta, free_failures: int, free_address_failures: int,
    admit: Callable[[Session, Principal], None] | None = None,
) -> LoginResult:
    """Check credentials and issue a bearer token; slow down repeated failures.

    Failures count per user name (from any address: ``free_failures``) and per address (at
    any user name: ``free_address_failures``, larger), separately: guesses at the manager's
    password from the till PC block the manager, not the admin signing in at the same PC,
    while one machine spraying guesses over many users still gets blocked. A success clears
    the user name's count only, so a valid account cannot reset its address's. ``admit`` may
    refuse a user whose password is right, as :func:`sign_in` says (the office: managers only).
    """
    return sign_in(db, username, lambda user: verify_secret(password, user.password_hash),
                   keys=(f"user:{username.lower()}", f"addr:{client}"), wrong="password",
                   client=client, now=now, ttl=ttl, free_failures=free_failures,
                   free_address_failures=free_address_failures, admit=admit)


def sign_in(
    db: Database, username: str, secret_matches: Callable[[User], bool], *,
    keys: tuple[str, str], wrong: str, client: str, now: datetime, ttl: timedelta,
    free_failures: int, free_address_failures: int,
    admit: Callable[[Session, Principal], None] | None = None,
) -> LoginResult:
    """Check a user's secret, count failures under ``keys`` (user, address); issue a token.

    ``admit`` may refuse a user whose secret is right (raising rolls the sign-in back, the
    failure counts kept as they were). A failure is audited and raised after the commit, so
    its count is kept; the answer names only ``wrong`` ("password", "PIN").
    """
    user_key, address_key = keys
    with db.transaction() as session:
        check_throttle(session, [user_key, address_key], now)
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.is_active or not secret_matches(user):
            record_failure(session, {user_key: free_failures,
                                     address_key: free_address_failures}, now)
            audit.record(session, at=now, action="login_failed", user_id=None,
                         target=username[:200], client_address=client)
            failed = True
        else:
            failed = False
            clear_failures(session, [user_key])
            principal = principal_of(user)
            if admit is not None:
                admit(session, principal)
            token = new_token()
            session.add(AuthToken(user_id=user.id, token_hash=token_digest(token),
                                  created_at=now, expires_at=now + ttl))
            result = LoginResult(token, now + ttl, principal)
    if failed:
        raise UnauthorizedError(f"Wrong user name or {wrong}", code="invalid_credentials")
    return result


def logout(db: Database, tokens: TokenCache, token: str, now: datetime) -> None:
    """Revoke a bearer token (and forget it in this process's ``tokens`` cache)."""
    digest = token_digest(token)
    with db.transaction() as session:
        row = session.scalar(select(AuthToken).where(AuthToken.token_hash == digest))
        if row is not None and row.revoked_at is None:
            row.revoked_at = now
    tokens.evict(digest)


def resolve_token(db: Database, tokens: TokenCache, token: str, now: datetime
                  ) -> Principal | None:
    """Return the principal of a valid token, or None (cached: see ``TokenCache``)."""
    digest = token_digest(token)
    tokens.follow(lambda: auth_version(db))
    principal = tokens.get(digest, now)
    if principal is not None:
        return principal
    version = tokens.version  # before the look-up: a change racing it drops the entry
    with db.read() as session:
        row = session.scalar(select(AuthToken).where(AuthToken.token_hash == digest))
        if row is None or not row.is_valid_at(now) or not row.user.is_active:
            return None
        principal = principal_of(row.user)
        tokens.put(digest, principal, row.expires_at, version)
        return principal


_AUTH_VERSION = Direct(select(AuthVersion.token).where(AuthVersion.id == 1))


def auth_version(db: Database) -> str | None:
    """Return the current auth version (None until a user, place or token first changed)."""
    with db.read() as session:
        return _AUTH_VERSION.scalar(session.connection(), {})  # type: ignore[no-any-return]


@dataclass(frozen=True)
class NewUser:
    """What it takes to create a user."""

    username: str
    full_name: str
    role: str
    password: str
    pin: str | None = None
    user_group: str | None = None
    extra_rights: tuple[str, ...] = ()
    store_ids: tuple[int, ...] = ()  # where they work (admins work everywhere)
    till_ids: tuple[int, ...] = ()  # tills of those stores a cashier is assigned to


def validate_new_user(cmd: NewUser) -> None:
    """Refuse a role, right, password or PIN that cannot be accepted."""
    if cmd.role not in {r.value for r in Role}:
        raise ValidationError(f"Unknown role {cmd.role!r}", code="unknown_role", field="role")
    unknown = [r for r in cmd.extra_rights if r not in {x.value for x in Right}]
    if unknown:
        raise ValidationError(f"Unknown rights {unknown}", code="unknown_right",
                              field="extra_rights")
    check_password(cmd.password)
    if cmd.pin is not None and not (is_digits(cmd.pin) and 4 <= len(cmd.pin) <= 8):
        raise ValidationError("A PIN is 4 to 8 digits", code="weak_pin", field="pin")


def check_password(password: str) -> None:
    """Refuse passwords too short to resist guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"A password has at least {MIN_PASSWORD_LENGTH} characters",
                              code="weak_password", field="password")


def check_places(session: Session, store_ids: Sequence[int], till_ids: Sequence[int]) -> None:
    """Refuse stores that do not exist and tills that are not of those stores (422)."""
    found = set(session.scalars(select(Store.id).where(Store.id.in_(store_ids))))
    unknown = sorted(set(store_ids) - found)
    if unknown:
        raise ValidationError(f"No store {unknown[0]}", code="unknown_store", field="store_ids")
    tills = dict(session.execute(select(Till.id, Till.store_id).where(Till.id.in_(till_ids))).all())
    for till_id in till_ids:
        if till_id not in tills:
            raise ValidationError(f"No till {till_id}", code="unknown_till", field="till_ids")
        if tills[till_id] not in found:
            raise ValidationError(f"Till {till_id} is not in the user's stores",
                                  code="till_outside_stores", field="till_ids")


def create_user(db: Database, cmd: NewUser, *, now: datetime, actor_id: int | None) -> User:
    """Create a user with hashed password (and PIN), and the stores and tills they work at."""
    validate_new_user(cmd)
    try:
        with db.transaction() as session:
            check_places(session, cmd.store_ids, cmd.till_ids)
            user = User(
                username=cmd.username, full_name=cmd.full_name, role=cmd.role,
                password_hash=hash_secret(cmd.password),
                pin_hash=hash_secret(cmd.pin) if cmd.pin else None,
                user_group=cmd.user_group, extra_rights=list(cmd.extra_rights),
                is_active=True, created_at=now,
            )
            user.assign(list(cmd.store_ids), list(cmd.till_ids))
            session.add(user)
            session.flush()
            audit.record(session, at=now, action="user_created", user_id=actor_id,
                         target=f"user:{user.id}", details={
                             "role": cmd.role, "store_ids": user.store_ids,
                             "till_ids": user.till_ids})
    except IntegrityError:
        raise ConflictError(f"User {cmd.username!r} exists", code="username_taken",
                            field="username") from None
    return user


def set_password(db: Database, username: str, password: str, *, now: datetime,
                 actor_id: int | None, tokens: TokenCache) -> None:
    """Replace a user's password and revoke their tokens."""
    check_password(password)
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFoundError(f"No user {username!r}", code="user_not_found", field="username")
        user.password_hash = hash_secret(password)
        for token in session.scalars(select(AuthToken).where(
                AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))):
            token.revoked_at = now
        audit.record(session, at=now, action="password_set", user_id=actor_id,
                     target=f"user:{user.id}")
        user_id = user.id
    tokens.evict(user_id=user_id)


def assign_places(db: Database, username: str, store_ids: Sequence[int],
                  till_ids: Sequence[int], *, now: datetime, actor_id: int | None,
                  tokens: TokenCache) -> User:
    """Replace the stores a user works in and the tills they are assigned to (audited)."""
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFoundError(f"No user {username!r}", code="user_not_found", field="username")
        check_places(session, store_ids, till_ids)
        user.assign(list(store_ids), list(till_ids))
        session.flush()
        audit.record(session, at=now, action="user_assigned", user_id=actor_id,
                     target=f"user:{user.id}",
                     details={"store_ids": user.store_ids, "till_ids": user.till_ids})
    # This worker forgets the user's principals at once; others within AUTH_RECHECK_SECONDS.
    tokens.evict(user_id=user.id)
    return user


def list_users(db: Database) -> list[User]:
    """Return every user, by name."""
    with db.read() as session:
        return list(session.scalars(select(User).order_by(User.username)))
