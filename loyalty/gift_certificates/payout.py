"""Paying a small remainder out in cash: what a certificate's type allows below its threshold.

The till asks for it after a redemption leaves less than the type's ``cash_out_below`` on the
certificate. Loyalty empties the certificate (one guarded update and a ``payout`` ledger entry);
the drawer's cash out is the caller's (``pos.shifts.payouts``), in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from loyalty.gift_certificates.codes import CodeBook, masked
from loyalty.gift_certificates.ledger import Where, post
from loyalty.gift_certificates.lookup import (
    check_guesses,
    count_failure_after_rollback,
    not_found,
    parse_code,
)
from loyalty.gift_certificates.model import (
    ACTIVE,
    PAYOUT,
    CertificateType,
    GiftCertificate,
    status_of,
)
from pos.core.context import Context
from pos.core.errors import ConflictError


@dataclass(frozen=True)
class Payout:
    """What was paid out of a certificate: its id, the amount and its code's last letters."""

    certificate_id: int
    amount_minor: int
    shown: str


def pay_out_remainder(session: Session, ctx: Context, codes: CodeBook, text: str,
                      where: Where) -> Payout:
    """Empty a certificate whose balance is below its type's cash-out threshold, or refuse."""
    code = parse_code(text)
    check_guesses(session, ctx.actor, ctx.now)
    found = session.execute(
        select(GiftCertificate.id, GiftCertificate.state, GiftCertificate.balance_minor,
               GiftCertificate.expires_at, CertificateType.cash_out_below_minor)
        .join(CertificateType, CertificateType.id == GiftCertificate.type_id)
        .where(GiftCertificate.digest == codes.digest(code))).first()
    if found is None:
        count_failure_after_rollback(session, ctx.db, ctx.actor, ctx.now)
        raise not_found(masked(code), ctx.actor)
    certificate_id, state, balance, expires_at, threshold = found
    _check_payable(state, balance, expires_at, threshold, ctx.now)
    done = session.execute(
        update(GiftCertificate)
        .where(GiftCertificate.id == certificate_id, GiftCertificate.state == ACTIVE,
               GiftCertificate.balance_minor == balance)
        .values(balance_minor=0).execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError("The certificate changed meanwhile; look it up again",
                            code="certificate_changed")
    post(session, certificate_id, PAYOUT, -balance, where)
    return Payout(certificate_id, balance, masked(code))


def _check_payable(state: str, balance: int, expires_at: datetime | None, threshold: int,
                   now: datetime) -> None:
    status = status_of(state, balance, expires_at, now)
    if status != "active":
        raise ConflictError(f"The certificate is {status}", code="certificate_not_payable",
                            extra={"status": status})
    if balance >= threshold:
        raise ConflictError("Only a remainder below the type's threshold is paid in cash",
                            code="remainder_above_cash_threshold",
                            extra={"balance_minor": balance, "cash_out_below_minor": threshold})
