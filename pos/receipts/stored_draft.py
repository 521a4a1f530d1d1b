"""An open receipt read from its rows as a draft, and written back as the rows that changed.

Adding a line is the till's most frequent request, and a payment and the close come with every
sale. Loaded as ORM objects, the receipt, its lines, payments and shift cost four queries and
an instance per row, and the unit of work then compares every attribute to write the few that
changed; that was half of an add-line. Here the receipt is read in two statements (the receipt
with its shift's state, then its lines; its payments only if it has any) into a
:class:`~pos.receipts.draft.DraftReceipt`, which follows the same rules as the stored receipt,
and :class:`Written` writes back what differs from what was read: new lines and payments
inserted, dropped lines deleted, changed columns updated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, exists, insert, select, update
from sqlalchemy.orm import Session

from pos.core.direct import Direct
from pos.receipts.draft import DraftLine, DraftPayment, DraftReceipt
from pos.receipts.model import Receipt, ReceiptLine, ReceiptPayment
from pos.shifts.model import Shift

_RECEIPTS, _LINES, _PAYMENTS = (Receipt.__table__, ReceiptLine.__table__,
                                ReceiptPayment.__table__)
_SHIFTS = Shift.__table__


def load_draft(session: Session, receipt_id: int, *, for_update: bool
               ) -> tuple[DraftReceipt, Shift] | None:
    """Read a receipt, its lines and payments as a draft, with its shift's state (None: none).

    ``for_update`` locks the receipt's row on PostgreSQL (SQLite's writer holds the database).
    The shift is an unsaved :class:`Shift` holding what a change checks: its state and opener.
    """
    connection = session.connection()
    head = (_HEAD_FOR_UPDATE if for_update else _HEAD).first(connection,
                                                             {"receipt_id": receipt_id})
    if head is None:
        return None
    fields = head._asdict()
    shift = Shift(id=fields["shift_id"], state=fields.pop("shift_state"),
                  opened_by_id=fields.pop("shift_opened_by_id"))
    payments = []
    if fields.pop("has_payments"):
        payments = [DraftPayment.of_row(row._asdict())
                    for row in _PAYMENTS_OF.rows(connection, {"receipt_id": receipt_id})]
    lines = [DraftLine.of_row(row._asdict())
             for row in _LINES_OF.rows(connection, {"receipt_id": receipt_id})]
    return DraftReceipt.of_row(fields, lines=lines, payments=payments), shift


@dataclass
class Written:
    """The rows of a receipt as read, to write back only what a change made differ."""

    head: dict[str, Any]
    lines: dict[int, dict[str, Any]]  # by line id

    @classmethod
    def of(cls, receipt: DraftReceipt) -> Written:
        """Remember the receipt's rows as they are now (before the change).

        A change replaces values rather than editing them in place (pricing assigns new
        lists of discounts), so the values kept here stay as they were read.
        """
        return cls(receipt.row(), {line.id: line.row() for line in receipt.lines})

    def write(self, session: Session, receipt: DraftReceipt) -> None:
        """Insert the new lines and payments, delete dropped lines, update what changed.

        The changes drafts serve (adding a line, a payment, the close) never change or take
        away a payment: those stay the stored receipt's (``remove_payment``).
        """
        connection = session.connection()
        new_payments = [{**payment.row(), "receipt_id": receipt.id}
                        for payment in receipt.payments if payment.id is None]
        _INSERT_PAYMENT.many(connection, new_payments)
        kept = {line.id for line in receipt.lines if line.id is not None}
        dropped = [{"line_id": line_id} for line_id in self.lines.keys() - kept]
        _DELETE_LINE.many(connection, dropped)
        new = [{**line.row(), "receipt_id": receipt.id}
               for line in receipt.lines if line.id is None]
        _INSERT_LINE.many(connection, new)
        # Lines whose same columns changed (a receipt discount moves them all) go together.
        changes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for line in receipt.lines:
            if line.id is not None:
                changed = _changed(self.lines[line.id], line.row())
                if changed:
                    changes.setdefault(tuple(changed), []).append({**changed, "row_id": line.id})
        for rows in changes.values():
            _UPDATE_LINE.many(connection, rows)
        changed = _changed(self.head, receipt.row())
        if changed:
            _UPDATE_RECEIPT.count(connection, {**changed, "row_id": receipt.id})


def _changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in after.items() if before[key] != value}


_HEAD_QUERY = (
    select(*_RECEIPTS.c, _SHIFTS.c.state.label("shift_state"),
           _SHIFTS.c.opened_by_id.label("shift_opened_by_id"),
           exists().where(_PAYMENTS.c.receipt_id == _RECEIPTS.c.id).label("has_payments"))
    .join(_SHIFTS, _SHIFTS.c.id == _RECEIPTS.c.shift_id)
    .where(_RECEIPTS.c.id == bindparam("receipt_id")))
_HEAD = Direct(_HEAD_QUERY)
_HEAD_FOR_UPDATE = Direct(_HEAD_QUERY.with_for_update(of=_RECEIPTS))
_LINES_OF = Direct(select(*_LINES.c).where(_LINES.c.receipt_id == bindparam("receipt_id"))
                   .order_by(_LINES.c.line_no))
_PAYMENTS_OF = Direct(select(*_PAYMENTS.c).where(
    _PAYMENTS.c.receipt_id == bindparam("receipt_id")).order_by(_PAYMENTS.c.seq))
_INSERT_LINE = Direct(insert(_LINES))
_INSERT_PAYMENT = Direct(insert(_PAYMENTS))
# The columns set are those of the parameters (one compiled statement per set of columns).
_UPDATE_LINE = Direct(update(_LINES).where(_LINES.c.id == bindparam("row_id")))
_UPDATE_RECEIPT = Direct(update(_RECEIPTS).where(_RECEIPTS.c.id == bindparam("row_id")))
_DELETE_LINE = Direct(delete(_LINES).where(_LINES.c.id == bindparam("line_id")))
