"""Who is calling and what they may do: principals, approvals, rights, secrets and tokens.

Pure functions; the auth feature stores what these produce and the web layer enforces them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

# scrypt cost: n=2**14, r=8 takes ~16 MiB and ~40 ms per hash here, memory-hard as asked;
# tests may lower it through ``set_scrypt_cost``.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_SALT_BYTES = 16
TOKEN_BYTES = 32


class Role(StrEnum):
    """Who a user is at the till."""

    CASHIER = "cashier"
    MANAGER = "manager"
    ADMIN = "admin"
    CARD_HOLDER = "card_holder"


class Right(StrEnum):
    """One permission; roles grant sets of them and users may get extra ones."""

    SELL = "sell"
    RETURN_WITH_RECEIPT = "return_with_receipt"
    RETURN_WITHOUT_RECEIPT = "return_without_receipt"
    CASH_IN = "cash_in"
    CASH_OUT = "cash_out"
    OPEN_SHIFT = "open_shift"
    MANAGE_OTHERS_SHIFTS = "manage_others_shifts"
    VOID_RECEIPT = "void_receipt"
    MANUAL_WEIGHT = "manual_weight"
    APPROVE = "approve"
    VIEW_REPORTS = "view_reports"
    VIEW_AUDIT = "view_audit"
    MANAGE_CATALOG = "manage_catalog"
    MANAGE_STORES = "manage_stores"
    MANAGE_USERS = "manage_users"
    MANAGE_DISCOUNTS = "manage_discounts"
    MANAGE_DEVICES = "manage_devices"
    VIEW_CATALOG = "view_catalog"
    OWN_CARDS = "own_cards"
    MANAGE_LOYALTY = "manage_loyalty"


_CASHIER = {
    Right.SELL, Right.RETURN_WITH_RECEIPT, Right.CASH_IN, Right.OPEN_SHIFT, Right.VIEW_CATALOG,
}
_MANAGER = _CASHIER | {
    Right.RETURN_WITHOUT_RECEIPT, Right.CASH_OUT, Right.MANAGE_OTHERS_SHIFTS, Right.VOID_RECEIPT,
    Right.MANUAL_WEIGHT, Right.APPROVE, Right.VIEW_REPORTS, Right.VIEW_AUDIT,
    Right.MANAGE_CATALOG, Right.MANAGE_DISCOUNTS, Right.MANAGE_LOYALTY,
    Right.MANAGE_DEVICES,
}
ROLE_RIGHTS: dict[Role, frozenset[Right]] = {
    Role.CASHIER: frozenset(_CASHIER),
    Role.MANAGER: frozenset(_MANAGER),
    Role.ADMIN: frozenset(_MANAGER | {Right.MANAGE_STORES, Right.MANAGE_USERS}),
    Role.CARD_HOLDER: frozenset({Right.OWN_CARDS}),
}


def rights_of(role: Role | str, extra: list[str] | tuple[str, ...] = ()) -> frozenset[Right]:
    """Return the rights a role grants plus a user's extra ones."""
    return ROLE_RIGHTS[Role(role)] | {Right(r) for r in extra}


def set_scrypt_cost(n: int) -> None:
    """Change the scrypt work factor (tests lower it; production keeps the default)."""
    _SCRYPT["n"] = n


def hash_secret(secret: str) -> str:
    """Hash a password or PIN with scrypt and a random salt, self-describing."""
    salt = secrets.token_bytes(_SALT_BYTES)
    n, r, p = _SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"]
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 2**20)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    """Check a password or PIN against its stored hash in constant time."""
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(
        secret.encode(), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p),
        maxmem=64 * 2**20,
    )
    return hmac.compare_digest(digest.hex(), digest_hex)


def new_token() -> str:
    """Make an opaque, unguessable bearer token or one-time code."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_approval_code() -> str:
    """Make a short one-time approval code a manager can read out to a cashier."""
    return f"{secrets.randbelow(10**8):08d}"


def token_digest(token: str) -> str:
    """Return the SHA-256 of a token: only this is stored, so a leaked table grants nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: a signed-in user's identity and rights, detached from any session."""

    user_id: int
    username: str
    role: str
    rights: frozenset[Right]
    user_group: str | None = None
    full_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # Where the principal works (see pos.core.scope): None means every store (admins).
    store_ids: frozenset[int] | None = frozenset()
    till_ids: frozenset[int] = frozenset()  # tills a cashier is assigned to

    @property
    def id(self) -> int:
        """Return the user's id (so a principal serialises like a user)."""
        return self.user_id

    def can(self, right: Right) -> bool:
        """Tell whether the principal holds ``right``."""
        return right in self.rights


@dataclass(frozen=True)
class Approval:
    """A manager's approval as the request carried it."""

    code: str | None = None
    username: str | None = None
    secret: str | None = None

    @classmethod
    def from_headers(cls, code: str | None, credentials: str | None) -> Approval | None:
        """Read the approval headers; None when the request carries none."""
        if code:
            return cls(code=code.strip())
        if credentials and ":" in credentials:
            username, _, secret = credentials.partition(":")
            return cls(username=username.strip(), secret=secret)
        return None


@dataclass(frozen=True)
class Actor:
    """Who performs a use case: the signed-in principal, and a manager's approval if sent."""

    principal: Principal
    approval: Approval | None = None
    client_address: str | None = None

    @property
    def user_id(self) -> int:
        """Return the acting user's id."""
        return self.principal.user_id


# How long a worker trusts a token it has already looked up, and how often it asks whether any
# token was revoked or any user changed since (the auth version, changed by database triggers
# in the writing transaction, whoever writes): a logout, a password change or new store
# assignments reach every worker within a second, for one tiny query a second per worker.
TOKEN_CACHE_SECONDS = 30.0
AUTH_RECHECK_SECONDS = 1.0
TOKEN_CACHE_MAX = 10_000


class TokenCache:
    """Per-process, per-database: token digest -> (principal, expires_at, looked up at, version).

    An entry is served only under the auth version it was looked up under: once
    :meth:`follow` sees the version move, every entry from before is gone, including one whose
    look-up raced the change.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[Principal, datetime, float, object]] = {}
        self.version: object = None  # the auth version last read (see follow)
        self._checked_at = -float("inf")

    def follow(self, read_version: Callable[[], object]) -> None:
        """Read the auth version if not read within the last second; forget all if it moved."""
        now = time.monotonic()
        if 0 <= now - self._checked_at < AUTH_RECHECK_SECONDS:
            return
        version = read_version()
        with self._lock:
            if now < self._checked_at:
                return  # a later read (another thread's) is already in: keep it
            self._checked_at = now
            if version != self.version:
                self._entries.clear()
                self.version = version

    def get(self, digest: str, now: datetime) -> Principal | None:
        """Return a fresh, unexpired cached principal of the current version, or None."""
        entry = self._entries.get(digest)
        if entry is None:
            return None
        principal, expires_at, cached_at, version = entry
        if (now < expires_at and 0 <= time.monotonic() - cached_at < TOKEN_CACHE_SECONDS
                and version == self.version):
            return principal
        self._entries.pop(digest, None)
        return None

    def put(self, digest: str, principal: Principal, expires_at: datetime,
            version: object) -> None:
        """Remember a valid token's principal, looked up under the auth ``version``."""
        with self._lock:
            if len(self._entries) >= TOKEN_CACHE_MAX:
                self._entries.clear()
            self._entries[digest] = (principal, expires_at, time.monotonic(), version)

    def evict(self, digest: str | None = None, user_id: int | None = None) -> None:
        """Forget a token, or every token of a user."""
        with self._lock:
            if digest is not None:
                self._entries.pop(digest, None)
            if user_id is not None:
                for key in [k for k, v in self._entries.items() if v[0].user_id == user_id]:
                    del self._entries[key]
