"""One-time sign-in codes printed on receipts: a holder signs in without a PIN.

When a sale with a registered holder's card closes, the receipt's answer carries a code for the
till to print (``print_notes``). The code is derived, not stored: the receipt's id written in
letters, then ten letters and digits of HMAC(the installation's secret, that id), about 50
bits (``WBD-K7QXM-2PLRT``; no look-alike characters, and never 13 digits in a row, so the PAN
guard never takes it for a card number). A sale therefore writes nothing for its code, and a
replayed answer carries the same one.

The code signs in once, within :data:`CODE_TTL` of the sale, as the holder of the card the
sale was made with (the card that replaced it, if it was replaced). Its use is what is kept:
a row in ``loyalty_sign_in_codes`` (its SHA-256, never the code), inserted once per receipt,
so a second use finds it and is refused. Wrong codes are slowed down by the kernel's throttle
per address, as PINs and staff logins are.

Codes printed before they were derived (ten characters, their digests stored at the sale)
are still accepted until they expire.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, column, select, table, update
from sqlalchemy.orm import Session

from loyalty.cards.holders import TOKEN_TTL, SignedIn
from loyalty.cards.model import Card, HolderToken, SignInCode
from loyalty.cards.service import card_id_of
from pos.core.db import Database, UTCDateTime, insert_for
from pos.core.errors import UnauthorizedError
from pos.core.security import new_token, token_digest
from pos.core.throttle import check_throttle, clear_failures, record_failure

CODE_TTL = timedelta(days=30)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
LETTERS = ALPHABET[:24]  # the receipt's id: letters only
MAC_LENGTH = 10  # 32**10 = 2**50
MAX_ID_LETTERS = 14  # 24**14 > 2**63: any receipt id
MAX_RECEIPT_ID = 2**63 - 1  # the largest the databases' keys hold
STORED_LENGTH = 10  # a code of before, kept as its digest
FREE_ADDRESS_FAILURES = 10
CODES = SignInCode.__table__
_BLOCK = 64  # SHA-256's block, in bytes
_LETTER_BASE = len(LETTERS) ** 2
_LETTER_PAIRS = [a + b for a in LETTERS for b in LETTERS]
_PAIRS = [ALPHABET[bits & 31] + ALPHABET[bits >> 5] for bits in range(1024)]
# The sale a code names, as loyalty reads it (loyalty imports nothing of receipts).
_RECEIPTS = table("receipts", column("id"), column("kind"), column("state"),
                  column("card_code"), column("closed_at", UTCDateTime()))


def normal(code: str) -> str:
    """Return a code as typed (any case, spaces or dashes) in its canonical form."""
    return "".join(ch for ch in code.upper() if ch not in " -")


@dataclass(frozen=True)
class HolderCodes:
    """Derive a receipt's code, and find the receipt a code names, with the secret's key."""

    key: bytes
    # HMAC-SHA256's two keyed states, hashed once: ``hmac.digest`` fetches the algorithm from
    # OpenSSL at every call, which costs a sale several times the hashing (RFC 2104).
    _inner: Any = field(init=False, repr=False, compare=False)
    _outer: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        key = hashlib.sha256(self.key).digest() if len(self.key) > _BLOCK else self.key
        key = key.ljust(_BLOCK, b"\0")
        object.__setattr__(self, "_inner", hashlib.sha256(bytes(b ^ 0x36 for b in key)))
        object.__setattr__(self, "_outer", hashlib.sha256(bytes(b ^ 0x5C for b in key)))

    def code_for(self, receipt_id: int) -> str:
        """Return the code printed on a receipt (as printed: ``WBD-K7QXM-2PLRT``)."""
        mac = self._mac(receipt_id)
        return f"{_letters(receipt_id)}-{mac[:5]}-{mac[5:]}"

    def receipt_of(self, code: str) -> int | None:
        """Return the id of the receipt a (canonical) code names, or None if it names none."""
        head, mac = code[:-MAC_LENGTH], code[-MAC_LENGTH:]
        if not 1 <= len(head) <= MAX_ID_LETTERS or any(ch not in LETTERS for ch in head) \
                or any(ch not in ALPHABET for ch in mac):
            return None
        receipt_id = 0
        for ch in head:
            receipt_id = receipt_id * len(LETTERS) + LETTERS.index(ch)
        if _letters(receipt_id) != head or receipt_id > MAX_RECEIPT_ID:  # (no leading "A")
            return None
        return receipt_id if hmac.compare_digest(self._mac(receipt_id), mac) else None

    def _mac(self, receipt_id: int) -> str:
        # The lowest 50 bits of the digest's first eight bytes, five at a time from the lowest
        # (two characters per ten bits, looked up: every sale with a holder prints one).
        inner, outer = self._inner.copy(), self._outer.copy()
        inner.update(b"receipt\0%d" % receipt_id)
        outer.update(inner.digest())
        digest = outer.digest()  # = hmac.digest(self.key, b"receipt\0%d" % receipt_id, "sha256")
        number, pairs = int.from_bytes(digest[:8], "big"), _PAIRS
        return pairs[number & 1023] + pairs[number >> 10 & 1023] + pairs[number >> 20 & 1023] \
            + pairs[number >> 30 & 1023] + pairs[number >> 40 & 1023]  # (MAC_LENGTH letters)


def _letters(number: int) -> str:
    # Two letters at a time; the first never "A" (a zero), unless the number is 0.
    letters = ""
    while number >= _LETTER_BASE:
        number, pair = divmod(number, _LETTER_BASE)
        letters = _LETTER_PAIRS[pair] + letters
    return (LETTERS[number] if number < len(LETTERS) else _LETTER_PAIRS[number]) + letters


@functools.lru_cache(maxsize=16)
def holder_codes(secret_key: str) -> HolderCodes:
    """Return the codes of an installation, keyed by its secret key."""
    return HolderCodes(hashlib.sha256(b"holder-codes\0" + secret_key.encode()).digest())


def sign_in_with_code(db: Database, codes: HolderCodes, code: str, *, client: str,
                      now: datetime) -> SignedIn:
    """Spend a one-time code on a holder token; a wrong, used or expired one is 401."""
    address_key = f"holder-code-addr:{client}"
    canonical = normal(code)
    with db.transaction() as session:
        check_throttle(session, [address_key], now)
        if len(canonical) == STORED_LENGTH:
            holder_id = _spend_stored(session, canonical, now)
        else:
            receipt_id = codes.receipt_of(canonical)
            holder_id = _spend_derived(session, canonical, receipt_id, now) \
                if receipt_id is not None else None
        if holder_id is None:
            record_failure(session, {address_key: FREE_ADDRESS_FAILURES}, now)
            signed = None
        else:
            clear_failures(session, [address_key])
            token = new_token()
            session.add(HolderToken(digest=token_digest(token), holder_id=holder_id,
                                    created_at=now, expires_at=now + TOKEN_TTL))
            signed = SignedIn(token, now + TOKEN_TTL)
    if signed is None:  # raised after the commit, so the failure is counted
        raise UnauthorizedError("The code is wrong, used or expired", code="invalid_code")
    return signed


def _spend_derived(session: Session, code: str, receipt_id: int, now: datetime) -> int | None:
    # The holder of the card the sale was made with, if the sale is recent enough; its use
    # recorded, once (a second use, even a concurrent one, inserts nothing).
    sale = session.execute(select(_RECEIPTS.c.card_code, _RECEIPTS.c.closed_at).where(
        _RECEIPTS.c.id == receipt_id, _RECEIPTS.c.kind == "sale",
        _RECEIPTS.c.state == "closed")).first()
    if sale is None or sale.card_code is None or sale.closed_at is None \
            or sale.closed_at + CODE_TTL <= now:
        return None
    sold_at: datetime = sale.closed_at
    card_id = card_id_of(session, sale.card_code)
    holder_id = session.scalar(select(Card.holder_id).where(Card.id == card_id)) \
        if card_id is not None else None
    if holder_id is None:
        return None
    insert = insert_for(session.get_bind().dialect.name)
    used = session.execute(insert(CODES).values(
        digest=token_digest(code), holder_id=holder_id, receipt_id=receipt_id,
        created_at=sold_at, expires_at=sold_at + CODE_TTL, used_at=now)
        .on_conflict_do_nothing().returning(CODES.c.receipt_id)).first()
    return holder_id if used is not None else None


def _spend_stored(session: Session, code: str, now: datetime) -> int | None:
    # A code whose digest was stored when its sale closed: spent by marking it used.
    result = session.execute(
        update(CODES).where(CODES.c.digest == token_digest(code), CODES.c.used_at.is_(None),
                            CODES.c.expires_at > now)
        .values(used_at=now).returning(CODES.c.holder_id))
    assert isinstance(result, CursorResult)
    holder_id: int | None = result.scalar()
    return holder_id
