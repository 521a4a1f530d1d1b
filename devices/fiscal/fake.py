"""Provide an in-memory fiscal registrar for business tests and the demo."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devices.config import DeviceConfig
from devices.errors import (
    CommandRejected,
    DeviceError,
    NeedsReconciliation,
    PaperOut,
    ShiftAlreadyOpen,
    ShiftExpired,
    ShiftNotOpen,
)
from devices.fiscal.base import (
    FiscalDocument,
    FiscalReceipt,
    FiscalResult,
    FiscalStatus,
    PaymentKind,
    ReceiptKind,
)

SHIFT_LIMIT = dt.timedelta(hours=24)  # 54-FZ shift length, as the real device enforces


@dataclass(frozen=True)
class Call:
    """Record one call made on the fake."""

    method: str
    args: tuple[Any, ...] = ()


class FakeRegistrar:
    """Keep fiscal state in memory, record calls and raise scripted faults."""

    def __init__(self, clock: Callable[[], dt.datetime] | None = None) -> None:
        self.clock = clock or dt.datetime.now
        self.calls: list[Call] = []
        self.documents: list[FiscalDocument] = []
        self.receipts: list[FiscalReceipt] = []
        self.cash_minor = 0
        self.running_number = 0
        self.shift_number = 0
        self.shift_opened_at: dt.datetime | None = None
        self.paper_present = True
        self.cover_open = False
        self.is_closed = False
        self.unsent = 0
        self._faults: list[DeviceError] = []

    @classmethod
    def from_config(cls, config: DeviceConfig) -> FakeRegistrar:
        """Build a fake; the config carries nothing it needs."""
        return cls()

    def fail_next(self, error: DeviceError, times: int = 1) -> None:
        """Make the next `times` calls raise `error` before doing anything."""
        self._faults.extend([error] * times)

    def _enter(self, method: str, *args: Any) -> None:
        self.calls.append(Call(method, args))
        if self._faults:
            raise self._faults.pop(0)

    # -- state ---------------------------------------------------------------------
    @property
    def shift_open(self) -> bool:
        """Tell whether a shift is open."""
        return self.shift_opened_at is not None

    def _shift_expired(self) -> bool:
        opened = self.shift_opened_at
        return opened is not None and self.clock() - opened > SHIFT_LIMIT

    def status(self) -> FiscalStatus:
        """Return the in-memory state."""
        self._enter("status")
        return FiscalStatus(
            shift_open=self.shift_open,
            shift_number=self.shift_number,
            shift_expired=self._shift_expired(),
            document_open=False,
            paper_present=self.paper_present,
            cover_open=self.cover_open,
            last_document_number=len(self.documents),
            shift_opened_at=self.shift_opened_at,
            device_time=self.clock(),
        )

    def last_document(self) -> FiscalDocument:
        """Return the last signed document."""
        self._enter("last_document")
        if not self.documents:
            raise NeedsReconciliation("no documents yet")
        return self.documents[-1]

    def find_document(self, number: int) -> FiscalDocument:
        """Return document `number`."""
        self._enter("find_document", number)
        if not 1 <= number <= len(self.documents):
            raise NeedsReconciliation(f"no document {number}")
        return self.documents[number - 1]

    # -- documents -----------------------------------------------------------------
    def running_document_number(self) -> int:
        """Return the through number of every document made."""
        self._enter("running_document_number")
        return self.running_number

    def _sign(self, kind: str, amount: int | None = None, is_return: bool = False
              ) -> FiscalDocument:
        number = len(self.documents) + 1
        digest = hashlib.sha256(f"{number}|{kind}|{amount}".encode()).digest()
        document = FiscalDocument(
            number=number,
            kind=kind,
            fiscal_sign=int.from_bytes(digest[:4], "little"),
            datetime=self.clock(),
            amount_minor=amount,
            shift_number=self.shift_number,
            is_return=is_return,
        )
        self.documents.append(document)
        self.running_number += 1
        return document

    def _require_shift(self) -> None:
        if not self.shift_open:
            raise ShiftNotOpen()
        if self._shift_expired():
            raise ShiftExpired()

    def _result(self, document: FiscalDocument, change_minor: int = 0) -> FiscalResult:
        return FiscalResult(
            document_number=document.number,
            fiscal_sign=document.fiscal_sign,
            change_minor=change_minor,
            shift_number=self.shift_number,
            datetime=document.datetime,
        )

    def open_shift(self, operator: str) -> FiscalResult:
        """Open a shift."""
        self._enter("open_shift", operator)
        if self.shift_open:
            raise ShiftAlreadyOpen()
        self.shift_number += 1
        self.shift_opened_at = self.clock()
        return self._result(self._sign("shift_open"))

    def register_receipt(
        self, receipt: FiscalReceipt, *, expected_number: int | None = None
    ) -> FiscalResult:
        """Sign `receipt`, or return the document `expected_number` if it already exists."""
        self._enter("register_receipt", receipt)
        if expected_number is not None and expected_number <= len(self.documents):
            return self._result(self.documents[expected_number - 1], receipt.change_minor)
        self._require_shift()
        if not self.paper_present:
            raise PaperOut()
        self.receipts.append(receipt)
        sign = 1 if receipt.kind is ReceiptKind.SALE else -1
        cash = sum(p.amount_minor for p in receipt.payments if p.kind is PaymentKind.CASH)
        self.cash_minor += sign * (cash - receipt.change_minor)
        document = self._sign("receipt", receipt.total_minor, sign < 0)
        return self._result(document, receipt.change_minor)

    def cancel_receipt(self) -> None:
        """Nothing is ever left open in the fake."""
        self._enter("cancel_receipt")

    def cash_in(self, amount_minor: int) -> int:
        """Add cash to the drawer."""
        self._enter("cash_in", amount_minor)
        self._require_shift()
        self.cash_minor += amount_minor
        self.running_number += 1
        return self.running_number

    def cash_out(self, amount_minor: int) -> int:
        """Take cash from the drawer."""
        self._enter("cash_out", amount_minor)
        self._require_shift()
        if amount_minor > self.cash_minor:
            raise CommandRejected("not enough cash in the drawer", device_code=0x46)
        self.cash_minor -= amount_minor
        self.running_number += 1
        return self.running_number

    def correction_receipt(self, kind: ReceiptKind, total_minor: int) -> FiscalResult:
        """Sign a correction receipt."""
        self._enter("correction_receipt", kind, total_minor)
        self._require_shift()
        sign = 1 if kind is ReceiptKind.SALE else -1
        self.cash_minor += sign * total_minor
        return self._result(self._sign("correction", total_minor, sign < 0))

    def unsent_documents(self) -> int:
        """Return the documents not yet sent to the OFD (set ``unsent`` to simulate a backlog)."""
        self._enter("unsent_documents")
        return self.unsent

    def x_report(self) -> None:
        """Record an X report."""
        self._enter("x_report")
        self._require_shift()

    def z_report(self) -> FiscalResult:
        """Close the shift."""
        self._enter("z_report")
        if not self.shift_open:
            raise ShiftNotOpen()
        result = self._result(self._sign("shift_close"))
        self.shift_opened_at = None
        return result

    def cut(self, partial: bool = False) -> None:
        """Record a cut."""
        self._enter("cut", partial)

    def open_drawer(self) -> None:
        """Record a drawer kick."""
        self._enter("open_drawer")

    def close(self) -> None:
        """Mark the fake closed."""
        self.calls.append(Call("close"))
        self.is_closed = True
