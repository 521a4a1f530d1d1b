"""The one-shot upload's writer: a receipt built in memory, inserted as prepared rows.

The rows are taken before the write lock (or the till's numbering) is taken, so a writer
holds it only for three INSERTs; the ORM's unit of work would cost more than the rest of the
upload.
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, text
from sqlalchemy.orm import Session

from pos.core.direct import Direct
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
        return cls(receipt, receipt.row(), [line.row() for line in receipt.lines],
                   [payment.row() for payment in receipt.payments])

    def approve_manual_weight(self, approver: int | None) -> None:
        """Record who approved the typed-in weights, on the lines and on their rows."""
        for line, row in zip(self.receipt.lines, self.lines, strict=True):
            if line.is_manual_weight:
                line.manual_weight_approved_by_id = approver
                row["manual_weight_approved_by_id"] = approver

    def insert(self, session: Session, *, shift_id: int, number: int | None) -> None:
        """Write them in three INSERTs and give the receipt its shift, number and id.

        The draft is written as rows on the session's connection: there is nothing for the
        ORM to track. The lines' ids come back with their numbers, so features told of the
        close key what they keep by line as for a receipt closed at the till.
        """
        connection = session.connection()
        receipt = self.receipt
        receipt.shift_id, receipt.number = shift_id, number
        receipt.id = _RECEIPT.scalar(connection, {
            **self.head, "shift_id": shift_id, "number": number})
        if self.lines:
            rows = [{**row, "receipt_id": receipt.id} for row in self.lines]
            ids = _insert_lines(connection, rows)
            for line in receipt.lines:
                line.id = ids[line.line_no]
        if self.payments:
            _insert_payments(connection, [{**row, "receipt_id": receipt.id}
                                          for row in self.payments])


def _insert_lines(connection: Connection, rows: list[dict[str, Any]]) -> dict[int, int]:
    # Returns each line's id by its number. On SQLite one multi-row INSERT ... RETURNING
    # (the rows come back in no promised order, hence the numbers), one statement per count of
    # lines. psycopg caches the parsing of short statements only, and would split a 20-row
    # VALUES list of 400 placeholders in Python on every upload: there the rows go in as one
    # JSON document the server unpacks into rows of the table's own type, a short statement
    # with one parameter that PostgreSQL prepares once per connection.
    if connection.dialect.name == "sqlite":
        statement, numbered = _numbered(ReceiptLine.__table__, rows, ("line_no", "id"))
        return dict(statement.rows(connection, numbered))
    return dict(_LINES_FROM_JSON.rows(connection, {"rows": json.dumps(rows)}))


MAX_PAYMENTS_AT_ONCE = 4  # (10 columns each: psycopg keeps the conversion up to 50 parameters)


def _insert_payments(connection: Connection, rows: list[dict[str, Any]]) -> None:
    # A split payment (points or a bank card beside cash) in one multi-row INSERT: a batch of
    # two would be two statements for the server (a pipeline on PostgreSQL).
    if len(rows) == 1:
        _PAYMENTS.count(connection, rows[0])
    elif len(rows) > MAX_PAYMENTS_AT_ONCE:
        _PAYMENTS.many(connection, rows)
    else:
        statement, numbered = _numbered(ReceiptPayment.__table__, rows)
        statement.count(connection, numbered)


def _numbered(table: Table, rows: list[dict[str, Any]], returning: tuple[str, ...] = ()
              ) -> tuple[Direct, dict[str, Any]]:
    # One multi-row INSERT of rows naming the same columns (every column but the id: a draft's
    # rows), returning ``returning`` of each, and its parameters.
    keys = tuple(rows[0])
    statement, names, values = _rows_of(table, len(rows), keys, returning)
    # (each row's values taken in C, then named: a 20-line receipt has 400 of them)
    return statement, dict(zip(names, chain.from_iterable(map(values, rows)), strict=True))


@functools.lru_cache(maxsize=64)
def _rows_of(table: Table, count: int, keys: tuple[str, ...], returning: tuple[str, ...]
             ) -> tuple[Direct, list[str], Callable[[dict[str, Any]], tuple[Any, ...]]]:
    # Parameters are named by row (``sku_0``, ``sku_1``...) and typed by their columns; the
    # names of all rows in order, and what takes a row's values in that order.
    names = [[f"{key}_{n}" for key in keys] for n in range(count)]
    statement = insert(table).values([
        {key: bindparam(name, type_=table.c[key].type) for key, name in zip(keys, row, strict=True)}
        for row in names])
    if returning:
        statement = statement.returning(*(table.c[name] for name in returning))
    values = operator.itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
    return Direct(statement), [name for row in names for name in row], values


_RECEIPT = Direct(insert(Receipt.__table__).returning(Receipt.__table__.c.id))
_LINE_COLUMNS = ", ".join(column.name for column in ReceiptLine.__table__.columns
                          if column.name != "id")
_LINES_FROM_JSON = Direct(text(
    f"INSERT INTO receipt_lines ({_LINE_COLUMNS}) SELECT {_LINE_COLUMNS}"
    " FROM jsonb_populate_recordset(NULL::receipt_lines, CAST(:rows AS jsonb))"
    " RETURNING line_no, id"))
_PAYMENTS = Direct(insert(ReceiptPayment.__table__))
