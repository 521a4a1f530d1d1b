"""Correction receipts: the fiscal correction of an earlier error (54-FZ art. 4.3).

A settlement that reached no fiscal receipt (the registrar was broken, a sale was rung up
wrong) is registered afterwards by a correction receipt, on a manager's word and with the
reason or the tax authority's order. It is a numbered, journaled fiscal document of the till
like a receipt, and the device service signs it on the registrar in journal order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, literal
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos.core.context import Context
from pos.core.db import Base, BigId, UTCDateTime
from pos.core.errors import ValidationError
from pos.core.registry import JournalChecks, NumberedDocuments
from pos.fiscal.service import record_document
from pos.journal.model import JournalEntry
from pos.journal.service import rebuild_differences
from pos.shifts.model import open_shift_id
from pos.stores.service import get_till

CORRECTION = "correction"
OPERATIONS = ("sale", "return")  # income not registered / refund not registered


class FiscalCorrection(Base):
    """A correction receipt of a till: what settlement it registers afterwards, and why."""

    __tablename__ = "fiscal_corrections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id"))
    number: Mapped[int] = mapped_column(BigInteger)
    operation: Mapped[str] = mapped_column(String(8))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    cash_minor: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def document(self) -> dict[str, Any]:
        """Return the canonical content journaled and sent to the registrar."""
        return {"kind": CORRECTION, "number": self.number, "store_id": self.store_id,
                "till_id": self.till_id, "shift_id": self.shift_id,
                "operation": self.operation, "amount_minor": self.amount_minor,
                "cash_minor": self.cash_minor, "reason": self.reason,
                "reference": self.reference, "user_id": self.user_id,
                "at": self.created_at.isoformat()}


@dataclass(frozen=True)
class NewCorrection:
    """A correction to register: settlement sign, amount (of which cash), reason, reference."""

    till_id: int
    operation: str
    amount_minor: int
    cash_minor: int
    reason: str
    reference: str = ""


def record_correction(ctx: Context, cmd: NewCorrection) -> FiscalCorrection:
    """Number and journal a correction receipt in the till's open shift, and queue it."""
    if cmd.amount_minor <= 0 or not 0 <= cmd.cash_minor <= cmd.amount_minor:
        raise ValidationError("The amount is above zero and the cash part within it",
                              code="invalid_amount", field="amount")
    with ctx.db.transaction() as session:
        till = get_till(session, cmd.till_id, ctx.actor.principal)
        shift_id = open_shift_id(session, till.id, ctx.now)
        row = FiscalCorrection(store_id=till.store_id, till_id=till.id, shift_id=shift_id,
                               number=0, operation=cmd.operation,
                               amount_minor=cmd.amount_minor, cash_minor=cmd.cash_minor,
                               reason=cmd.reason, reference=cmd.reference,
                               user_id=ctx.actor.user_id, created_at=ctx.now)
        session.add(row)
        session.flush()

        def build(number: int) -> dict[str, Any]:
            row.number = number
            return row.document()

        record_document(session, store_id=till.store_id, till_id=till.id, kind=CORRECTION,
                        document_id=row.id, build=build, now=ctx.now)
        return row


def correction_differences(session: Session, entries: list[JournalEntry]) -> dict[int, str]:
    """Compare journaled corrections with their rows."""
    return rebuild_differences(session, entries, FiscalCorrection,
                               lambda row, _: row.document())


def register_journal_checks(checks: JournalChecks) -> None:
    """Have journal verification rebuild and find correction receipts."""
    checks.register((CORRECTION,), correction_differences)
    checks.register_numbered(NumberedDocuments(
        (CORRECTION,), store_id=FiscalCorrection.store_id, till_id=FiscalCorrection.till_id,
        number=FiscalCorrection.number, kind=literal(CORRECTION),
        document_id=FiscalCorrection.id))
