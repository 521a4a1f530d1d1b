"""The ledger: every change to a balance is an entry, and the balance always equals their sum.

Balances move only by a guarded update (``UPDATE ... WHERE balance >= :x``, its row count
checked) in the same transaction as the entry that explains it: no read-modify-write race on
either database, and ``pos gift-certificates verify`` finds any balance the ledger disagrees with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from loyalty.gift_certificates.model import GiftCertificate, LedgerEntry


@dataclass(frozen=True)
class Where:
    """What an entry is recorded against: when, by whom, and the receipt that caused it."""

    at: datetime
    user_id: int | None = None
    store_id: int | None = None
    shift_id: int | None = None
    receipt_id: int | None = None
    payment_seq: int | None = None
    note: str = ""


def post(session: Session, certificate_id: int, kind: str, amount_minor: int,
         where: Where) -> None:
    """Record one change to a certificate's balance (``amount_minor`` signed)."""
    session.execute(insert(LedgerEntry), [entry_row(certificate_id, kind, amount_minor, where)])


def entry_row(certificate_id: int, kind: str, amount_minor: int, where: Where
              ) -> dict[str, object]:
    """Return the row of a ledger entry, for a bulk insert."""
    return {"certificate_id": certificate_id, "kind": kind, "amount_minor": amount_minor,
            "receipt_id": where.receipt_id, "payment_seq": where.payment_seq,
            "store_id": where.store_id, "shift_id": where.shift_id,
            "user_id": where.user_id, "at": where.at, "note": where.note[:200]}


@dataclass(frozen=True)
class Mismatch:
    """A certificate whose balance is not what its ledger adds up to (or is negative)."""

    certificate_id: int
    balance_minor: int
    ledger_minor: int


def verify(session: Session) -> list[Mismatch]:
    """Return every certificate whose balance differs from its ledger's sum or is below zero."""
    sums = (select(LedgerEntry.certificate_id.label("id"),
                   func.sum(LedgerEntry.amount_minor).label("total"))
            .group_by(LedgerEntry.certificate_id).subquery())
    total = func.coalesce(sums.c.total, 0)
    rows = session.execute(
        select(GiftCertificate.id, GiftCertificate.balance_minor, total)
        .outerjoin(sums, sums.c.id == GiftCertificate.id)
        .where((GiftCertificate.balance_minor != total) | (GiftCertificate.balance_minor < 0))
        .order_by(GiftCertificate.id))
    return [Mismatch(int(i), int(balance), int(summed)) for i, balance, summed in rows]
