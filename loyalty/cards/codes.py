"""One-time sign-in codes printed on receipts: a holder signs in without a PIN.

When a sale with a registered holder's card closes, a short code (10 letters and digits,
about 50 bits, no look-alike characters) is made, its SHA-256 stored with the holder, and the
code put in the receipt's answer for the till to print (``print_notes``). It signs in once,
within :data:`CODE_TTL`; wrong codes are slowed down by the kernel's throttle per address,
as PINs and staff logins are. The code itself is never stored.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, insert, update
from sqlalchemy.orm import Session

from loyalty.cards.holders import TOKEN_TTL, SignedIn
from loyalty.cards.model import HolderToken, SignInCode
from pos.core.db import Database
from pos.core.errors import UnauthorizedError
from pos.core.security import new_token, token_digest
from pos.core.throttle import check_throttle, clear_failures, record_failure

CODE_TTL = timedelta(days=30)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
LENGTH = 10
FREE_ADDRESS_FAILURES = 10
CODES = SignInCode.__table__


def normal(code: str) -> str:
    """Return a code as typed (any case, spaces or dashes) in its canonical form."""
    return "".join(ch for ch in code.upper() if ch not in " -")


def issue_code(session: Session, holder_id: int, receipt_id: int, now: datetime) -> str:
    """Make a receipt's one-time code for its card's holder; return it (as printed: XXXXX-XXXXX)."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    session.execute(insert(CODES), {"digest": token_digest(code), "holder_id": holder_id,
                                    "receipt_id": receipt_id, "created_at": now,
                                    "expires_at": now + CODE_TTL, "used_at": None})
    return f"{code[:5]}-{code[5:]}"


def sign_in_with_code(db: Database, code: str, *, client: str, now: datetime) -> SignedIn:
    """Spend a one-time code on a holder token; a wrong, used or expired one is 401."""
    address_key = f"holder-code-addr:{client}"
    with db.transaction() as session:
        check_throttle(session, [address_key], now)
        result = session.execute(
            update(CODES).where(CODES.c.digest == token_digest(normal(code)),
                                CODES.c.used_at.is_(None), CODES.c.expires_at > now)
            .values(used_at=now).returning(CODES.c.holder_id))
        assert isinstance(result, CursorResult)
        holder_id = result.scalar()
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
