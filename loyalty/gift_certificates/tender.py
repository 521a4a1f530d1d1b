"""Certificates in a sale: redeemed as the ``gift_certificate`` payment, activated at close.

:class:`GiftCertificates` is the tender receipts call for that payment type, and a listener
of every receipt's end: a sale's certificate lines become certificates (created, or a printed
one activated) when it closes; a return of such a line cancels its certificate while unused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

from loyalty.gift_certificates.balance import (
    activate,
    cancel_unused,
    redeem_by_digest,
    refusal,
    restore,
)
from loyalty.gift_certificates.codes import CodeBook, masked, new_seed
from loyalty.gift_certificates.ledger import Where, post
from loyalty.gift_certificates.lines import certificate_lines
from loyalty.gift_certificates.lookup import (
    check_guesses,
    count_failure_after_rollback,
    not_blocked,
    not_found,
    parse_code,
)
from loyalty.gift_certificates.model import (
    ACTIVATE,
    ACTIVE,
    CANCELLED,
    ISSUE,
    CertificateType,
    GiftCertificate,
)
from pos.core.context import Context
from pos.core.errors import ConflictError
from pos.core.extensions import PaymentView, ReceiptView

PAYMENT_TYPE = "gift_certificate"
CASH = "cash"  # receipts' own payment type, by name
# The sale's lines, by name only: loyalty imports nothing of receipts (a return line names
# the id of the line it returns; a certificate knows the number of the line that sold it).
_LINES = table("receipt_lines", column("id"), column("line_no"))


def _where(ctx: Context, receipt: ReceiptView, payment: PaymentView | None = None,
           note: str = "") -> Where:
    return Where(at=ctx.now, user_id=ctx.actor.user_id, store_id=receipt.store_id,
                 shift_id=receipt.shift_id, receipt_id=receipt.id,
                 payment_seq=payment.seq if payment is not None else None, note=note)


class GiftCertificates:
    """The tender and receipt listener of gift certificates."""

    def __init__(self, codes: CodeBook) -> None:
        self.codes = codes

    def prepare(self, details: Mapping[str, Any]) -> dict[str, Any]:
        """Refuse a mistyped code (422, no look-up); keep its last letters and its digest.

        The digest is what the certificate is found by; without the secret no code can be
        made from it, so the payment row and the journal may keep it.
        """
        code = parse_code(details.get("code"))
        return {"certificate": masked(code), "digest": self.codes.digest(code)}

    def take(self, session: Session, ctx: Context, receipt: ReceiptView,
             payment: PaymentView) -> None:
        """Spend the payment's amount from the certificate, or refuse (404, 409, 429)."""
        _refuse_paying_certificates(receipt, payment)
        where = _where(ctx, receipt, payment)
        digest = payment.details.get("digest", "")
        if redeem_by_digest(session, digest, payment.amount_minor, where,
                            not_blocked(ctx.actor, ctx.now)) is not None:
            return
        check_guesses(session, ctx.actor, ctx.now)
        certificate_id = _certificate_of(session, payment)
        if certificate_id is None:
            count_failure_after_rollback(session, ctx.db, ctx.actor, ctx.now)
            raise not_found(payment.details.get("certificate", ""), ctx.actor)
        raise refusal(session, certificate_id, payment.amount_minor, ctx.now)

    def give_back(self, session: Session, ctx: Context, receipt: ReceiptView,
                  payment: PaymentView) -> None:
        """Put back what a payment taken back (or a voided receipt's) had spent."""
        note = "receipt voided" if receipt.state == "voided" else "payment taken back"
        certificate_id = _certificate_of(session, payment)
        assert certificate_id is not None
        restore(session, certificate_id, payment.amount_minor,
                _where(ctx, receipt, payment, note))

    def refund(self, session: Session, ctx: Context, refund: ReceiptView,
               payment: PaymentView, original: PaymentView) -> None:
        """Put a return's refund back on the certificate; an expired one is opened again."""
        certificate_id = _certificate_of(session, original)
        assert certificate_id is not None
        kind = session.scalar(select(CertificateType).join(
            GiftCertificate, GiftCertificate.type_id == CertificateType.id).where(
            GiftCertificate.id == certificate_id))
        assert kind is not None
        if session.scalar(select(GiftCertificate.state).where(
                GiftCertificate.id == certificate_id)) == CANCELLED:
            raise ConflictError("The certificate that paid was cancelled: nothing can go back "
                                "on it", code="certificate_cancelled")
        restore(session, certificate_id, payment.amount_minor,
                _where(ctx, refund, payment, f"return of receipt {refund.original_receipt_id}"),
                reopen_days=kind.refund_grace_days)

    def refund_as(self, session: Session, ctx: Context, original: PaymentView) -> str:
        """Return how a return refunds a certificate payment: onto it, or in cash.

        Onto the certificate while it is valid; one no longer valid (expired or cancelled)
        is refunded in cash when its type allows, else opened again for the type's grace days.
        """
        state, expires_at, cash_allowed = session.execute(
            select(GiftCertificate.state, GiftCertificate.expires_at,
                   CertificateType.is_cash_refund_allowed)
            .join(CertificateType, CertificateType.id == GiftCertificate.type_id)
            .where(GiftCertificate.digest == original.details.get("digest"))).one()
        valid = state == ACTIVE and (expires_at is None or expires_at > ctx.now)
        return CASH if cash_allowed and not valid else PAYMENT_TYPE

    def closed(self, session: Session, ctx: Context, receipt: ReceiptView) -> None:
        """Activate what a sale sold; cancel what a return brings back (only while unused)."""
        if receipt.kind == "return":
            self._cancel_returned(session, ctx, receipt)
            return
        for line in certificate_lines(session, receipt):
            where = _where(ctx, receipt, note=f"sold on line {line.line_no}")
            if line.certificate_id is not None:
                activate(session, line.certificate_id, where, sold_line_no=line.line_no)
            else:
                self._create(session, line, where)

    def voided(self, session: Session, ctx: Context, receipt: ReceiptView) -> None:
        """Nothing to undo: a sale's certificates come to life only when it closes."""

    def _create(self, session: Session, line: Any, where: Where) -> None:
        kind = session.get(CertificateType, line.certificate_type_id)
        assert kind is not None
        seed = new_seed()
        code = self.codes.code_of(seed)
        certificate = GiftCertificate(
            type_id=kind.id, batch_id=None, serial=None, digest=self.codes.digest(code),
            last4=code[-4:], seed=seed, state=ACTIVE, face_minor=line.amount_minor,
            balance_minor=line.amount_minor, store_id=where.store_id,
            sold_receipt_id=where.receipt_id, sold_line_no=line.line_no, created_at=where.at,
            activated_at=where.at, expires_at=where.at + timedelta(days=kind.valid_days))
        session.add(certificate)
        session.flush()
        post(session, certificate.id, ISSUE, 0, where)
        post(session, certificate.id, ACTIVATE, line.amount_minor, where)

    def _cancel_returned(self, session: Session, ctx: Context, receipt: ReceiptView) -> None:
        returned = [line.original_line_id for line in receipt.lines
                    if line.certificate_type_id is not None]
        if not returned or receipt.original_receipt_id is None:
            return
        sold = session.scalars(select(GiftCertificate.id).where(
            GiftCertificate.sold_receipt_id == receipt.original_receipt_id,
            GiftCertificate.sold_line_no.in_(
                select(_LINES.c.line_no).where(_LINES.c.id.in_(returned))))
            .order_by(GiftCertificate.id)).all()
        for certificate_id in sold:
            cancel_unused(session, certificate_id,
                          _where(ctx, receipt, note=f"returned, receipt {receipt.id}"))


def _certificate_of(session: Session, payment: PaymentView) -> int | None:
    return session.scalar(select(GiftCertificate.id).where(
        GiftCertificate.digest == payment.details.get("digest")))


def _refuse_paying_certificates(receipt: ReceiptView, payment: PaymentView) -> None:
    goods = sum(line.amount_minor for line in receipt.lines if line.certificate_type_id is None)
    paid = sum(p.amount_minor for p in receipt.payments if p.kind == PAYMENT_TYPE)
    if paid > goods:
        raise ConflictError("A certificate cannot pay for another certificate",
                            code="certificate_pays_certificate",
                            extra={"payable_minor": max(goods - paid + payment.amount_minor, 0)})
