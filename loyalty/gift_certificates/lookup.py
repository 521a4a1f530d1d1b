"""Finding a certificate by its code, slowed down for guessers.

A code with a wrong check letter is refused (422) before any look-up. A well-formed code that
finds nothing counts a failure against the client's address and the user; ten failures within
a minute on either key get 429 with ``Retry-After`` until the minute is over. Every failure is
logged with the code's last four letters only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, exists, select
from sqlalchemy.orm import Session

from loyalty.gift_certificates.balance import adjust
from loyalty.gift_certificates.codes import CodeBook, masked, normalize
from loyalty.gift_certificates.ledger import Where
from loyalty.gift_certificates.model import (
    CertificateType,
    GiftCertificate,
    LedgerEntry,
    status_of,
)
from pos.core import audit
from pos.core.context import Context
from pos.core.db import Database
from pos.core.errors import NotFoundError, TooManyAttemptsError, ValidationError
from pos.core.security import Actor
from pos.core.throttle import LoginThrottle, record_windowed_failure

GUESS_LIMIT = 10
GUESS_WINDOW = timedelta(minutes=1)
log = logging.getLogger(__name__)


def parse_code(text: Any, field: str = "code") -> str:
    """Return a typed code in canonical form, or refuse it (422) without looking it up."""
    code = normalize(text) if isinstance(text, str) else None
    if code is None:
        raise ValidationError("This is not a certificate code (check the letters)",
                              code="invalid_certificate_code", field=field)
    return code


def guess_keys(actor: Actor) -> list[str]:
    """Return the throttle keys of whoever types codes: their address and their user."""
    return [f"gift:addr:{actor.client_address or '-'}", f"gift:user:{actor.user_id}"]


def _blocks(actor: Actor, now: datetime) -> Any:
    return select(LoginThrottle.blocked_until).where(
        LoginThrottle.key.in_(guess_keys(actor)), LoginThrottle.blocked_until > now)


def not_blocked(actor: Actor, now: datetime) -> Any:
    """Return a condition true while neither the client's address nor user is blocked.

    A redemption's guarded update carries it, so a payment checks the throttle without a
    statement of its own; when the update changes nothing, :func:`check_guesses` says why.
    """
    return ~exists(_blocks(actor, now))


def check_guesses(session: Session, actor: Actor, now: datetime) -> None:
    """Refuse (429) while the client's address or user is blocked; one query for both keys."""
    until = session.scalar(_blocks(actor, now)
                           .order_by(LoginThrottle.blocked_until.desc()).limit(1))
    if until is not None:
        raise TooManyAttemptsError(int((until - now).total_seconds()) + 1,
                                   "Too many wrong codes; wait and try again")


def not_found(shown: str, actor: Actor) -> NotFoundError:
    """Log a failed look-up (``shown``: the last four letters) and return the 404 to raise."""
    log.warning("gift certificate not found: code %s, address %s, user %s", shown,
                actor.client_address, actor.user_id)
    return NotFoundError("No certificate has this code", code="certificate_not_found",
                         field="code")


def count_failure(db: Database, actor: Actor, now: datetime) -> None:
    """Count a failed look-up in a transaction of its own."""
    with db.transaction() as session:
        record_windowed_failure(session, guess_keys(actor), now, limit=GUESS_LIMIT,
                                window=GUESS_WINDOW)


def count_failure_after_rollback(session: Session, db: Database, actor: Actor,
                                 now: datetime) -> None:
    """Count a failed look-up once ``session``'s transaction (refused with it) is rolled back.

    The refusal rolls back the use case's transaction, so the count is written after it, in a
    transaction of its own (on SQLite the writer lock is free again by then).
    """
    def _count(_session: Session) -> None:
        count_failure(db, actor, now)

    callback: Callable[[Session], None] = _count
    event.listen(session, "after_rollback", callback, once=True)


def find(session: Session, codes: CodeBook, code: str) -> GiftCertificate | None:
    """Return the certificate a canonical code belongs to, or None."""
    return session.scalar(select(GiftCertificate).where(
        GiftCertificate.digest == codes.digest(code)))


@dataclass(frozen=True)
class Status:
    """What the till is told of a certificate: never its full code."""

    code: str
    type_code: str
    type_name: str
    status: str
    face_value_minor: int
    balance_minor: int
    expires_at: datetime | None
    is_partial_allowed: bool
    history: tuple[dict[str, Any], ...] | None = None


def look_up(ctx: Context, codes: CodeBook, text: str, with_history: bool = False) -> Status:
    """Return a certificate's status, balance and expiry (and history for managers)."""
    code = parse_code(text)
    with ctx.db.read() as session:
        # One round trip on the common path, only the columns shown: the throttle is asked
        # in the same query.
        found = session.execute(_STATUS.add_columns(not_blocked(ctx.actor, ctx.now)).where(
            GiftCertificate.digest == codes.digest(code))).first()
        if found is None or not found[-1]:
            check_guesses(session, ctx.actor, ctx.now)
        if found is not None:
            return _status(session, found, code, ctx.now, with_history)
    count_failure(ctx.db, ctx.actor, ctx.now)
    raise not_found(masked(code), ctx.actor)


_STATUS = select(GiftCertificate.id, GiftCertificate.state, GiftCertificate.balance_minor,
                 GiftCertificate.face_minor, GiftCertificate.expires_at, CertificateType.code,
                 CertificateType.name, CertificateType.is_partial_allowed).join(
    CertificateType, CertificateType.id == GiftCertificate.type_id)


def _status(session: Session, found: Any, code: str, now: datetime, with_history: bool
            ) -> Status:
    certificate_id, state, balance, face, expires_at, type_code, type_name, partial = found[:8]
    history = None
    if with_history:
        history = tuple({"kind": e.kind, "amount_minor": e.amount_minor, "at": e.at,
                         "receipt_id": e.receipt_id, "store_id": e.store_id,
                         "user_id": e.user_id, "note": e.note}
                        for e in session.scalars(select(LedgerEntry).where(
                            LedgerEntry.certificate_id == certificate_id)
                            .order_by(LedgerEntry.id)))
    return Status(code=masked(code), type_code=type_code, type_name=type_name,
                  status=status_of(state, balance, expires_at, now), face_value_minor=face,
                  balance_minor=balance, expires_at=expires_at, is_partial_allowed=partial,
                  history=history)


def adjust_balance(ctx: Context, codes: CodeBook, text: str, delta_minor: int,
                   reason: str) -> Status:
    """Correct a certificate's balance (a manager's action, audited, on the ledger)."""
    code = parse_code(text)
    if delta_minor == 0 or not reason.strip():
        raise ValidationError("Give a non-zero amount and a reason", code="invalid_adjustment",
                              field="amount")
    with ctx.db.transaction() as session:
        check_guesses(session, ctx.actor, ctx.now)
        certificate = find(session, codes, code)
        if certificate is None:
            count_failure_after_rollback(session, ctx.db, ctx.actor, ctx.now)
            raise not_found(masked(code), ctx.actor)
        adjust(session, certificate.id, delta_minor,
               Where(at=ctx.now, user_id=ctx.actor.user_id, note=reason))
        audit.record(session, at=ctx.now, action="gift_certificate_adjusted",
                     user_id=ctx.actor.user_id, target=f"gift_certificate:{certificate.id}",
                     store_id=certificate.store_id,
                     details={"amount_minor": delta_minor, "reason": reason[:200]},
                     client_address=ctx.actor.client_address)
        found = session.execute(_STATUS.where(GiftCertificate.id == certificate.id)).one()
        return _status(session, found, code, ctx.now, True)
