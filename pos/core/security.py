"""Secrets and rights: scrypt password hashes, opaque tokens, and the role -> rights table.

Pure functions; the auth feature stores what these produce and the web layer enforces them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from enum import StrEnum

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
    VIEW_CATALOG = "view_catalog"
    OWN_CARDS = "own_cards"


_CASHIER = {
    Right.SELL, Right.RETURN_WITH_RECEIPT, Right.CASH_IN, Right.OPEN_SHIFT, Right.VIEW_CATALOG,
}
_MANAGER = _CASHIER | {
    Right.RETURN_WITHOUT_RECEIPT, Right.CASH_OUT, Right.MANAGE_OTHERS_SHIFTS, Right.VOID_RECEIPT,
    Right.MANUAL_WEIGHT, Right.APPROVE, Right.VIEW_REPORTS, Right.VIEW_AUDIT,
    Right.MANAGE_CATALOG, Right.MANAGE_DISCOUNTS,
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
