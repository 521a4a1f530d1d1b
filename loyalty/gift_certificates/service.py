"""Use cases of certificate types and batches: create a type, issue a numbered batch.

Selling and redeeming go through receipts (``tender``); looking codes up through ``lookup``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loyalty.gift_certificates.codes import CodeBook, new_seed
from loyalty.gift_certificates.ledger import Where, entry_row
from loyalty.gift_certificates.model import (
    ACTIVATE,
    INACTIVE,
    ISSUE,
    CertificateBatch,
    CertificateType,
    GiftCertificate,
    LedgerEntry,
)
from pos.core.context import Context
from pos.core.db import Database
from pos.core.errors import ConflictError, NotFoundError, ValidationError
from pos.core.scope import sees_store
from pos.core.security import Principal, Right

MAX_BATCH = 1_000_000
log = logging.getLogger(__name__)
_CERTIFICATES, _LEDGER = GiftCertificate.__table__, LedgerEntry.__table__
_CHUNK = 5000  # rows per insert statement: bounded memory whatever the batch size


@dataclass(frozen=True)
class NewType:
    """A certificate type as a manager describes it."""

    code: str
    name: str
    sku: str
    face_value_minor: int | None = None
    min_minor: int = 0
    max_minor: int = 0
    valid_days: int = 365
    is_partial_allowed: bool = True
    cash_out_below_minor: int = 0
    is_points_purchasable: bool = False
    refund_grace_days: int = 30
    is_cash_refund_allowed: bool = False


def create_type(ctx: Context, new: NewType) -> CertificateType:
    """Create a certificate type: a fixed face value, or a free amount between min and max."""
    _check_type(new)
    with ctx.db.transaction() as session:
        if session.scalar(select(CertificateType.id).where(CertificateType.code == new.code)):
            raise ConflictError(f"Certificate type {new.code} exists",
                                code="certificate_type_exists", field="code")
        kind = CertificateType(**new.__dict__, is_active=True)
        session.add(kind)
        session.flush()
        return kind


def _check_type(new: NewType) -> None:
    if new.face_value_minor is not None:
        if new.face_value_minor <= 0:
            raise ValidationError("A face value is above zero", code="invalid_amount",
                                  field="face_value")
    elif not 0 < new.min_minor <= new.max_minor:
        raise ValidationError("A free amount needs 0 < min <= max",
                              code="invalid_amount_range", field="min_amount")
    if new.valid_days <= 0 or new.refund_grace_days < 0:
        raise ValidationError("Validity is at least one day", code="invalid_validity",
                              field="valid_days")


def list_types(db: Database) -> list[CertificateType]:
    """Return every certificate type, by code."""
    with db.read() as session:
        return list(session.scalars(select(CertificateType).order_by(CertificateType.code)))


def get_type(session: Session, type_id: int) -> CertificateType:
    """Return a certificate type or raise ``certificate_type_not_found``."""
    kind = session.get(CertificateType, type_id)
    if kind is None:
        raise NotFoundError(f"No certificate type {type_id}", code="certificate_type_not_found")
    return kind


def issue_batch(ctx: Context, codes: CodeBook, type_id: int, count: int,
                face_value_minor: int | None = None) -> CertificateBatch:
    """Issue ``count`` physical certificates, inactive until sold, with printed serials."""
    if not 0 < count <= MAX_BATCH:
        raise ValidationError(f"A batch holds 1 to {MAX_BATCH} certificates",
                              code="invalid_batch_size", field="count")
    with ctx.db.transaction() as session:
        return issue_batch_in(session, codes, get_type(session, type_id), count,
                              face_value_minor, Where(at=ctx.now, user_id=ctx.actor.user_id))


def issue_batch_in(session: Session, codes: CodeBook, kind: CertificateType, count: int,
                   face_value_minor: int | None, where: Where) -> CertificateBatch:
    """Issue a batch in the caller's transaction (the use case above, the demo data)."""
    face = kind.amount_for(face_value_minor)
    batch = CertificateBatch(type_id=kind.id, count=count, face_value_minor=face,
                             created_at=where.at, created_by_id=where.user_id or 0)
    session.add(batch)
    session.flush()
    for start in range(0, count, _CHUNK):
        _issue_chunk(session, codes, batch, range(start + 1, min(start + _CHUNK, count) + 1),
                     where)
    # Their issue entries in one statement, the database reading the new ids itself.
    entry = entry_row(0, ISSUE, 0, Where(at=where.at, user_id=where.user_id,
                                         note=f"batch {batch.id}"))
    columns = [name for name in entry if name != "certificate_id"]
    session.execute(insert(_LEDGER).from_select(
        ["certificate_id", *columns],
        select(_CERTIFICATES.c.id, *(literal(entry[name], _LEDGER.c[name].type)
                                     for name in columns))
        .where(_CERTIFICATES.c.batch_id == batch.id)
        # In serial order, so the ledger's ids follow the certificates' on every database.
        .order_by(_CERTIFICATES.c.id)))
    return batch


def _issue_chunk(session: Session, codes: CodeBook, batch: CertificateBatch,
                 numbers: range, where: Where) -> None:
    rows = []
    for number in numbers:
        seed = new_seed()
        code = codes.code_of(seed)
        rows.append({"type_id": batch.type_id, "batch_id": batch.id,
                     "serial": serial_of(batch.id, number), "digest": codes.digest(code),
                     "last4": code[-4:], "seed": seed, "state": INACTIVE,
                     "face_minor": batch.face_value_minor, "balance_minor": 0,
                     "created_at": where.at})
    try:
        # A Core insert: the ORM's bulk path costs more than the HMACs at 100,000 rows.
        session.execute(insert(_CERTIFICATES), rows)
    except IntegrityError:  # two seeds gave one code: 2**-67 per pair; the batch is retried
        raise ConflictError("Code collision; issue the batch again",
                            code="certificate_code_collision") from None


def serial_of(batch_id: int, number: int) -> str:
    """Return the serial printed on a physical certificate: its batch and its number."""
    return f"B{batch_id}-{number:06d}"


@dataclass(frozen=True)
class PrintedCertificate:
    """A certificate as it is printed: serial, code and face value."""

    serial: str
    code: str
    face_value_minor: int


def batch_codes(db: Database, codes: CodeBook, batch_id: int) -> list[PrintedCertificate]:
    """Return a batch's serials with their codes, for the printer (derived, never stored)."""
    with db.read() as session:
        if session.get(CertificateBatch, batch_id) is None:
            raise NotFoundError(f"No batch {batch_id}", code="certificate_batch_not_found")
        rows = session.execute(select(GiftCertificate.serial, GiftCertificate.seed,
                                      GiftCertificate.face_minor)
                               .where(GiftCertificate.batch_id == batch_id)
                               .order_by(GiftCertificate.id))
        return [PrintedCertificate(serial or "", codes.code_of(seed), face)
                for serial, seed, face in rows]


def sold_on(db: Database, codes: CodeBook, receipt_id: int, viewer: Principal
            ) -> list[PrintedCertificate]:
    """Return the electronic certificates a sale created, with their codes, to hand over.

    Only the cashier who sold them, or a manager of the store, may see them: a code is the
    money itself. Anyone else finds none.
    """
    with db.read() as session:
        rows = session.execute(
            select(GiftCertificate.serial, GiftCertificate.seed, GiftCertificate.face_minor,
                   GiftCertificate.store_id, LedgerEntry.user_id)
            .join(LedgerEntry, (LedgerEntry.certificate_id == GiftCertificate.id)
                  & (LedgerEntry.kind == ACTIVATE))
            .where(GiftCertificate.sold_receipt_id == receipt_id,
                   GiftCertificate.batch_id.is_(None))
            .order_by(GiftCertificate.id)).all()
    log.info("codes of certificates sold on receipt %s shown to user %s", receipt_id,
             viewer.user_id)
    return [PrintedCertificate(serial or "", codes.code_of(seed), face)
            for serial, seed, face, store_id, seller_id in rows
            if seller_id == viewer.user_id
            or (store_id is not None and viewer.can(Right.VIEW_REPORTS)
                and sees_store(viewer, store_id))]

