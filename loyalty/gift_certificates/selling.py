"""What a receipt line selling a certificate is: a type and an amount, or a printed one's serial.

Receipts call :func:`resolve_sale` when the till asks for such a line; the certificate itself
is created (electronic) or activated (printed) only when the sale closes (``tender``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.gift_certificates.model import INACTIVE, CertificateType, GiftCertificate
from pos.core.errors import ConflictError, NotFoundError, ValidationError


@dataclass(frozen=True)
class SaleRequest:
    """A certificate the till sells: a type with an amount (free types), or a serial."""

    type: str | None = None
    amount_minor: int | None = None
    serial: str | None = None


@dataclass(frozen=True)
class Sale:
    """What the line is made of: the type's catalog item, the amount, the certificate."""

    type_id: int
    sku: str
    amount_minor: int
    certificate_id: int | None = None


def resolve_sale(session: Session, request: SaleRequest) -> Sale:
    """Check what the till asks to sell and return what its line is made of."""
    if (request.type is None) == (request.serial is None):
        raise ValidationError("Name a certificate type or a printed certificate's serial",
                              code="certificate_type_or_serial", field="certificate")
    if request.serial is not None:
        return _printed(session, request)
    kind = session.scalar(select(CertificateType).where(CertificateType.code == request.type))
    if kind is None or not kind.is_active:
        raise NotFoundError(f"No certificate type {request.type}",
                            code="certificate_type_not_found", field="certificate")
    return Sale(kind.id, kind.sku, kind.amount_for(request.amount_minor))


def _printed(session: Session, request: SaleRequest) -> Sale:
    found = session.execute(
        select(GiftCertificate.id, GiftCertificate.state, GiftCertificate.face_minor,
               CertificateType.id, CertificateType.sku)
        .join(CertificateType, CertificateType.id == GiftCertificate.type_id)
        .where(GiftCertificate.serial == request.serial)).first()
    if found is None:
        raise NotFoundError(f"No certificate {request.serial}", code="certificate_not_found",
                            field="certificate")
    certificate_id, state, face, type_id, sku = found
    if state != INACTIVE:
        raise ConflictError("This certificate has been sold already",
                            code="certificate_not_inactive", field="certificate")
    if request.amount_minor not in (None, face):
        raise ValidationError("A printed certificate sells for its face value",
                              code="certificate_amount_fixed", field="amount")
    return Sale(type_id, sku, face, certificate_id)
