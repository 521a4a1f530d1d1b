"""A receipt built in memory by the one-shot upload: the receipt's rules, no ORM bookkeeping.

An upload is resolved, priced and paid before a row is written (:mod:`pos.receipts.opening`);
built as ORM instances, its lines cost about a quarter of the request in attribute events that
nothing listens to. A draft follows the same rules (:mod:`pos.receipts.rules`), reads like the
stored receipt to everything told of the sale (journal, fiscal queue, features, the answer),
and is written as rows by :mod:`pos.receipts.rows`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pos.core.db import Base
from pos.receipts.model import Receipt, ReceiptLine, ReceiptPayment
from pos.receipts.rules import LineRules, PaymentRules, ReceiptRules


class _Fields:
    # Every column of the stored row, None unless given, as an unsaved ORM object reads.
    _columns: ClassVar[frozenset[str]]

    def __init__(self, **fields: Any) -> None:
        unknown = fields.keys() - self._columns
        if unknown:
            raise TypeError(f"{type(self).__name__} has no {sorted(unknown)[0]}")
        self.__dict__.update(dict.fromkeys(self._columns))
        self.__dict__.update(fields)


def _columns_of(model: type[Base], *more: str) -> frozenset[str]:
    return frozenset(column.key for column in model.__table__.columns) | set(more)


class DraftLine(LineRules, _Fields):
    """A line of a draft receipt."""

    _columns = _columns_of(ReceiptLine)


class DraftPayment(PaymentRules, _Fields):
    """A payment of a draft receipt."""

    _columns = _columns_of(ReceiptPayment)


class DraftReceipt(ReceiptRules, _Fields):
    """A sale built in memory, to be written as rows in one go."""

    _columns = _columns_of(Receipt, "lines", "payments")
    lines: list[DraftLine]
    payments: list[DraftPayment]

    def new_line(self, **fields: Any) -> DraftLine:
        """Return a line of this receipt's kind (not yet added)."""
        return DraftLine(**fields)
