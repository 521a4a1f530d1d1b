"""Which money may buy a certificate: a type not sold for bonus points refuses a points payment.

Checked at the moment of payment (a payment guard, :mod:`pos.core.extensions`): points may
still pay for the rest of the receipt, never for the lines of such a type.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.gift_certificates.lines import certificate_lines
from loyalty.gift_certificates.model import CertificateType
from loyalty.points.tender import POINTS
from pos.core.context import Context
from pos.core.errors import ConflictError
from pos.core.extensions import PaymentView, ReceiptView


class PointsGuard:
    """Refuse points paying for certificates of types that are not sold for points."""

    def check(self, session: Session, ctx: Context, receipt: ReceiptView,
              payment: PaymentView) -> None:
        """Refuse a points payment that would reach a line of such a type (409)."""
        if payment.kind != POINTS:
            return
        lines = certificate_lines(session, receipt)
        if not lines:
            return
        kinds = {line.certificate_type_id for line in lines}
        not_for_points = set(session.scalars(select(CertificateType.id).where(
            CertificateType.id.in_(kinds), CertificateType.is_points_purchasable.is_(False))))
        reserved = sum(line.amount_minor for line in lines
                       if line.certificate_type_id in not_for_points)
        paid = sum(p.amount_minor for p in receipt.payments if p.kind == POINTS)
        if reserved and paid > receipt.total_minor - reserved:
            raise ConflictError("This certificate is not sold for bonus points",
                                code="certificate_not_for_points",
                                extra={"payable_minor": max(
                                    receipt.total_minor - reserved - paid
                                    + payment.amount_minor, 0)})
