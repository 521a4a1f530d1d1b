"""Moving a certificate's value: each move one guarded update plus its ledger entry.

A guarded update re-checks state, expiry and balance in the database at the moment it writes,
so 64 tills spending the same certificate at once can never take it below zero: on PostgreSQL
the row lock makes the losers re-read the balance, on SQLite writes are serialised. A loser's
update changes no row, and the certificate is read again only to say why it was refused.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select, true, update
from sqlalchemy.orm import Session

from loyalty.gift_certificates.ledger import Where, post
from loyalty.gift_certificates.model import (
    ACTIVATE,
    ACTIVE,
    ADJUST,
    CANCEL,
    CANCELLED,
    EXPIRE,
    INACTIVE,
    REDEEM,
    RESTORE,
    CertificateType,
    GiftCertificate,
    LedgerEntry,
)
from pos.core.errors import ConflictError

_ID = GiftCertificate.id
_BALANCE = GiftCertificate.balance_minor


def redeem_by_digest(session: Session, digest: str, amount_minor: int, where: Where,
                     allowed: Any = None) -> int | None:
    """Spend from the certificate of ``digest`` in one statement; return its id, or None.

    ``allowed`` is a further condition of the update (the caller's throttle). None says
    nothing was spent: the caller finds out why (blocked, no such code, or a refusal).
    """
    partial = exists().where(CertificateType.id == GiftCertificate.type_id,
                             CertificateType.is_partial_allowed.is_(True))
    certificate_id = session.scalar(
        update(GiftCertificate)
        .where(GiftCertificate.digest == digest, GiftCertificate.state == ACTIVE,
               _BALANCE >= amount_minor, or_(_BALANCE == amount_minor, partial),
               or_(GiftCertificate.expires_at.is_(None), GiftCertificate.expires_at > where.at),
               allowed if allowed is not None else true())
        .values(balance_minor=_BALANCE - amount_minor)
        .returning(GiftCertificate.id)
        .execution_options(synchronize_session=False))
    if certificate_id is not None:
        post(session, certificate_id, REDEEM, -amount_minor, where)
    return certificate_id


def refusal(session: Session, certificate_id: int, amount_minor: int, now: datetime
            ) -> ConflictError:
    """Return why ``amount_minor`` could not be spent from a certificate."""
    return _refusal(session, certificate_id, amount_minor, now,
                    _type_of(session, certificate_id))


def restore(session: Session, certificate_id: int, amount_minor: int, where: Where,
            reopen_days: int | None = None) -> None:
    """Put ``amount_minor`` back (a payment taken back, a refund); reopen an expired one."""
    values: dict[str, object] = {"balance_minor": _BALANCE + amount_minor}
    if reopen_days is not None:
        certificate = session.get(GiftCertificate, certificate_id)
        assert certificate is not None
        if certificate.expires_at is not None and certificate.expires_at <= where.at:
            values["expires_at"] = where.at + timedelta(days=reopen_days)
    session.execute(update(GiftCertificate).where(_ID == certificate_id).values(**values)
                    .execution_options(synchronize_session=False))
    post(session, certificate_id, RESTORE, amount_minor, where)


def activate(session: Session, certificate_id: int, where: Where, sold_line_no: int | None
             ) -> None:
    """Activate a sold physical certificate, once: a second activation is refused."""
    certificate = session.get(GiftCertificate, certificate_id)
    assert certificate is not None
    kind = _type_of(session, certificate_id)
    done = session.execute(
        update(GiftCertificate)
        .where(_ID == certificate_id, GiftCertificate.state == INACTIVE)
        .values(state=ACTIVE, balance_minor=GiftCertificate.face_minor,
                activated_at=where.at, expires_at=where.at + timedelta(days=kind.valid_days),
                store_id=where.store_id, sold_receipt_id=where.receipt_id,
                sold_line_no=sold_line_no)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError("This certificate has been sold already",
                            code="certificate_not_inactive")
    post(session, certificate_id, ACTIVATE, certificate.face_minor, where)


def cancel_unused(session: Session, certificate_id: int, where: Where) -> None:
    """Cancel a sold certificate nothing was spent from (its sale returned), or refuse.

    Unused means its full value is on it and every payment it made has been given back:
    a balance topped up to its face value by an adjustment still has receipts paid with
    it, whose returns must find the certificate alive.
    """
    certificate = session.get(GiftCertificate, certificate_id)
    assert certificate is not None
    spent = (select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
             .where(LedgerEntry.certificate_id == certificate_id,
                    LedgerEntry.kind.in_((REDEEM, RESTORE))).scalar_subquery())
    done = session.execute(
        update(GiftCertificate)
        .where(_ID == certificate_id, GiftCertificate.state == ACTIVE,
               _BALANCE == GiftCertificate.face_minor, spent == 0)
        .values(state=CANCELLED, balance_minor=0)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError("The certificate has been used: it cannot be returned",
                            code="certificate_in_use")
    post(session, certificate_id, CANCEL, -certificate.face_minor, where)


def expire_due(session: Session, where: Where) -> int:
    """Write off what is left on every certificate past its expiry; return how many."""
    rows = session.execute(select(_ID, _BALANCE).where(
        GiftCertificate.state == ACTIVE, _BALANCE > 0,
        GiftCertificate.expires_at <= where.at)).all()
    count = 0
    for certificate_id, balance in rows:
        done = session.execute(update(GiftCertificate).where(
            _ID == certificate_id, _BALANCE == balance).values(balance_minor=0)
            .execution_options(synchronize_session=False))
        if done.rowcount == 1:  # type: ignore[attr-defined]
            post(session, certificate_id, EXPIRE, -int(balance), where)
            count += 1
    return count


def _type_of(session: Session, certificate_id: int) -> CertificateType:
    kind = session.scalar(select(CertificateType).join(
        GiftCertificate, GiftCertificate.type_id == CertificateType.id).where(
        _ID == certificate_id))
    assert kind is not None
    return kind


def _refusal(session: Session, certificate_id: int, amount_minor: int, now: datetime,
             kind: CertificateType) -> ConflictError:
    certificate = session.execute(select(GiftCertificate).where(_ID == certificate_id)
                                  .execution_options(populate_existing=True)).scalar_one()
    status = certificate.status_at(now)
    if status in ("inactive", "cancelled", "expired"):
        return ConflictError(f"The certificate is {status}", code=f"certificate_{status}"
                             if status != "inactive" else "certificate_not_active")
    balance = {"balance_minor": certificate.balance_minor}
    if not kind.is_partial_allowed and certificate.balance_minor > amount_minor:
        return ConflictError("This certificate is spent whole, in one payment",
                             code="partial_redemption_not_allowed", extra=balance)
    return ConflictError("Not enough on the certificate", code="insufficient_balance",
                         extra=balance)


def adjust(session: Session, certificate_id: int, delta_minor: int, where: Where) -> int:
    """Correct an active certificate's balance by ``delta_minor``; never below zero.

    Returns the new balance; refuses ``certificate_not_active`` or ``insufficient_balance``.
    """
    balance = session.scalar(
        update(GiftCertificate)
        .where(_ID == certificate_id, GiftCertificate.state == ACTIVE,
               _BALANCE + delta_minor >= 0)
        .values(balance_minor=_BALANCE + delta_minor)
        .returning(_BALANCE)
        .execution_options(synchronize_session=False))
    if balance is None:
        state = session.scalar(select(GiftCertificate.state).where(_ID == certificate_id))
        if state != ACTIVE:
            raise ConflictError("Only an active certificate is adjusted",
                                code="certificate_not_active")
        raise ConflictError("The balance would go below zero", code="insufficient_balance")
    post(session, certificate_id, ADJUST, delta_minor, where)
    return int(balance)
