"""Demo certificates: a fixed and a free-amount type, a printed batch, three of it sold."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.gift_certificates.balance import activate
from loyalty.gift_certificates.codes import CodeBook
from loyalty.gift_certificates.ledger import Where
from loyalty.gift_certificates.model import CertificateType, GiftCertificate
from loyalty.gift_certificates.service import issue_batch_in

DEMO_SKU = "GIFT-CERT"
DEMO_TYPES = (
    CertificateType(code="GC-1000", name="Gift certificate 1000", sku=DEMO_SKU,
                    face_value_minor=100000, min_minor=0, max_minor=0, valid_days=365,
                    is_partial_allowed=True, cash_out_below_minor=0,
                    is_points_purchasable=False, refund_grace_days=30, is_active=True),
    CertificateType(code="GC-FREE", name="Gift certificate, any amount", sku=DEMO_SKU,
                    face_value_minor=None, min_minor=50000, max_minor=3000000, valid_days=365,
                    is_partial_allowed=True, cash_out_below_minor=10000,
                    is_points_purchasable=True, refund_grace_days=30, is_active=True),
)
BATCH_SIZE, SOLD = 10, 3


def load_demo_certificates(session: Session, codes: CodeBook, now: datetime, store_id: int,
                           user_id: int | None) -> None:
    """Add the demo types and a batch of ten 1000 certificates, the first three sold."""
    types = [CertificateType(**{column.key: getattr(kind, column.key)
                                for column in CertificateType.__table__.columns
                                if column.key != "id"}) for kind in DEMO_TYPES]
    session.add_all(types)
    session.flush()
    batch = issue_batch_in(session, codes, types[0], BATCH_SIZE, None,
                           Where(at=now, user_id=user_id))
    sold = session.scalars(select(GiftCertificate.id).where(
        GiftCertificate.batch_id == batch.id).order_by(GiftCertificate.id).limit(SOLD)).all()
    for certificate_id in sold:
        activate(session, certificate_id, Where(at=now, user_id=user_id, store_id=store_id,
                                                note="sold before the demo"), sold_line_no=None)
