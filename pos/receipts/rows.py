"""The one-shot upload's writer: a receipt built in memory, inserted as prepared rows.

The rows are taken before the write lock (or the till's numbering) is taken, so a writer
holds it only for three INSERTs; the ORM's unit of work would cost more than the rest of the
upload.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from pos.core.db import Base
from pos.receipts.draft import DraftReceipt
from pos.receipts.model import Receipt, ReceiptLine, ReceiptPayment


@dataclass
class NewRows:
    """A receipt built in memory as the rows to insert, ready before the write lock is taken."""

    receipt: DraftReceipt
    head: dict[str, Any]
    lines: list[dict[str, Any]]
    payments: list[dict[str, Any]]

    @classmethod
    def of(cls, receipt: DraftReceipt) -> NewRows:
        """Take the rows of an unsaved receipt, its lines and payments."""
        return cls(receipt, _row(receipt, Receipt),
                   [_row(line, ReceiptLine) for line in receipt.lines],
                   [_row(payment, ReceiptPayment) for payment in receipt.payments])

    def approve_manual_weight(self, approver: int | None) -> None:
        """Record who approved the typed-in weights, on the lines and on their rows."""
        for line, row in zip(self.receipt.lines, self.lines, strict=True):
            if line.is_manual_weight:
                line.manual_weight_approved_by_id = approver
                row["manual_weight_approved_by_id"] = approver

    def insert(self, session: Session, *, shift_id: int, number: int | None) -> None:
        """Write them in three INSERTs and give the receipt its shift, number and id.

        The objects stay unsaved: the ORM's unit of work would cost more than the rest of a
        one-shot upload.
        """
        table = Receipt.__table__
        receipt = self.receipt
        receipt.shift_id, receipt.number = shift_id, number
        # Values go in as execution parameters, not .values(): no per-value bind objects
        # to build, and the compiled statement is reused from the cache.
        receipt.id = session.execute(insert(table).returning(table.c.id), {
            **self.head, "shift_id": shift_id, "number": number}).scalar_one()
        for rows, kind in ((self.lines, ReceiptLine), (self.payments, ReceiptPayment)):
            if rows:
                session.execute(insert(kind.__table__),
                                [{**row, "receipt_id": receipt.id} for row in rows])
        # The lines' ids, in one query (a RETURNING would make SQLite insert row by row), so
        # features told of the close key what they keep by line as for a receipt closed at
        # the till.
        lines = ReceiptLine.__table__
        ids = session.scalars(select(lines.c.id).where(lines.c.receipt_id == receipt.id)
                              .order_by(lines.c.line_no)).all()
        for line, line_id in zip(sorted(receipt.lines, key=lambda x: x.line_no), ids,
                                 strict=True):
            line.id = line_id


def _row(obj: Any, model: type[Base]) -> dict[str, Any]:
    # A draft keeps every column's value in its __dict__ (None where not set).
    state = vars(obj)
    return {key: state.get(key) for key in _columns(model)}


@cache
def _columns(kind: type[Base]) -> tuple[str, ...]:
    return tuple(column.key for column in kind.__table__.columns if column.key != "id")
