"""A receipt built in memory by the one-shot upload: the receipt's rules, no ORM bookkeeping.

An upload is resolved, priced and paid before a row is written (:mod:`pos.receipts.opening`);
built as ORM instances, its lines cost about a quarter of the request in attribute events that
nothing listens to. A draft follows the same rules (:mod:`pos.receipts.rules`), reads like the
stored receipt to everything told of the sale (journal, fiscal queue, features, the answer),
and is written as rows by :mod:`pos.receipts.rows`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from pos.core.db import Base
from pos.receipts.model import Receipt, ReceiptLine, ReceiptPayment
from pos.receipts.rules import LineRules, PaymentRules, ReceiptRules

_F = TypeVar("_F", bound="_Fields")


class _Fields:
    # Every column of the stored row, None unless given, as an unsaved ORM object reads.
    _row_keys: ClassVar[tuple[str, ...]]  # the columns written (all but the id)
    _fields: ClassVar[frozenset[str]]  # what the constructor takes

    def __init__(self, **fields: Any) -> None:
        unknown = fields.keys() - self._fields
        if unknown:
            raise TypeError(f"{type(self).__name__} has no {sorted(unknown)[0]}")
        self.__dict__.update(dict.fromkeys(self._fields))
        self.__dict__.update(fields)

    @classmethod
    def of_row(cls: type[_F], row: Mapping[str, Any], **more: Any) -> _F:
        """Return the object of a stored row (a mapping of every column), and ``more``."""
        made = cls.__new__(cls)
        made.__dict__.update(row, **more)
        return made

    def row(self) -> dict[str, Any]:
        """Return the row to insert: every column but the id."""
        state = self.__dict__
        return {key: state[key] for key in self._row_keys}

    def __init_subclass__(cls, model: type[Base], more: tuple[str, ...] = ()) -> None:
        columns = [column.key for column in model.__table__.columns]
        cls._row_keys = tuple(key for key in columns if key != "id")
        cls._fields = frozenset(columns) | set(more)


class DraftLine(LineRules, _Fields, model=ReceiptLine):
    """A line of a draft receipt."""


class DraftPayment(PaymentRules, _Fields, model=ReceiptPayment):
    """A payment of a draft receipt."""


class DraftReceipt(ReceiptRules, _Fields, model=Receipt, more=("lines", "payments")):
    """A sale built in memory, to be written as rows in one go."""

    lines: list[DraftLine]
    payments: list[DraftPayment]

    def new_line(self, **fields: Any) -> DraftLine:
        """Return a line of this receipt's kind (not yet added)."""
        return DraftLine(**fields)
