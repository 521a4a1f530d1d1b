"""Reports: outstanding liability by type and store, and a shift's certificates sold and spent.

Both are one aggregate query over the ledger, whatever the number of certificates.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from loyalty.gift_certificates.model import (
    ACTIVATE,
    CANCEL,
    EXPIRE,
    PAYOUT,
    REDEEM,
    RESTORE,
    CertificateType,
    GiftCertificate,
    LedgerEntry,
)
from pos.core.db import Database


def _sum_of(*kinds: str) -> Any:
    return func.coalesce(func.sum(case((LedgerEntry.kind.in_(kinds),
                                        LedgerEntry.amount_minor), else_=0)), 0)


def liability(db: Database, store_ids: frozenset[int] | None = None) -> list[dict[str, Any]]:
    """Return per type and selling store what was sold, redeemed, expired and is still owed.

    Redeemed is net of what was given back and includes remainders paid in cash;
    outstanding = sold - redeemed - expired - cancelled.
    """
    query = (select(CertificateType.code, GiftCertificate.store_id, _sum_of(ACTIVATE),
                    _sum_of(REDEEM, RESTORE, PAYOUT), _sum_of(EXPIRE), _sum_of(CANCEL),
                    func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
             .join(GiftCertificate, GiftCertificate.id == LedgerEntry.certificate_id)
             .join(CertificateType, CertificateType.id == GiftCertificate.type_id)
             .where(GiftCertificate.store_id.is_not(None))
             .group_by(CertificateType.code, GiftCertificate.store_id)
             .order_by(CertificateType.code, GiftCertificate.store_id))
    if store_ids is not None:
        query = query.where(GiftCertificate.store_id.in_(store_ids))
    with db.read() as session:
        rows = session.execute(query).all()
    return [{"type_code": code, "store_id": store, "sold_minor": int(sold),
             "redeemed_minor": -int(redeemed), "expired_minor": -int(expired),
             "cancelled_minor": -int(cancelled), "outstanding_minor": int(outstanding)}
            for code, store, sold, redeemed, expired, cancelled, outstanding in rows]


def shift_section(session: Session, shift_id: int) -> dict[str, Any]:
    """Return a shift's certificates sold, redeemed, given back, cancelled, paid out (one query)."""
    rows = session.execute(
        select(LedgerEntry.kind, func.count(), func.sum(LedgerEntry.amount_minor))
        .where(LedgerEntry.shift_id == shift_id,
               LedgerEntry.kind.in_((ACTIVATE, REDEEM, RESTORE, CANCEL, PAYOUT)))
        .group_by(LedgerEntry.kind)).all()
    found = {kind: (int(count), abs(int(total or 0))) for kind, count, total in rows}
    names = {ACTIVATE: "sold", REDEEM: "redeemed", RESTORE: "restored", CANCEL: "cancelled",
             PAYOUT: "paid_out"}
    return {name: {"count": found.get(kind, (0, 0))[0], "amount_minor": found.get(kind, (0, 0))[1]}
            for kind, name in names.items()}
