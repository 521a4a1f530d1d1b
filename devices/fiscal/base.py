"""Define the fiscal registrar interface and its device-neutral data model."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, runtime_checkable

_QTY_PLACES = Decimal("0.001")


class ReceiptKind(StrEnum):
    """Say whether a receipt sells or refunds (54-FZ settlement sign)."""

    SALE = "sale"
    RETURN = "return"


class PaymentKind(StrEnum):
    """Name a means of payment."""

    CASH = "cash"
    CARD = "card"
    OTHER = "other"


class Vat(StrEnum):
    """Name a VAT rate as the fiscal storage knows it."""

    VAT20 = "vat20"
    VAT10 = "vat10"
    VAT0 = "vat0"
    NONE = "none"
    VAT20_120 = "vat20_120"
    VAT10_110 = "vat10_110"


@dataclass(frozen=True)
class ReceiptLine:
    """Hold one item of a receipt: quantity to 3 places, money in minor units."""

    name: str
    quantity: Decimal
    price_minor: int
    amount_minor: int
    vat: Vat = Vat.NONE
    discount_minor: int = 0
    department: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.quantity, Decimal) or self.quantity <= 0:
            raise ValueError(f"quantity must be a positive Decimal, got {self.quantity!r}")
        if self.quantity != self.quantity.quantize(_QTY_PLACES):
            raise ValueError(f"quantity has more than 3 decimal places: {self.quantity}")
        if min(self.price_minor, self.amount_minor, self.discount_minor) < 0:
            raise ValueError("money fields must not be negative")
        if self.discount_minor > self.amount_minor:
            raise ValueError("line discount exceeds the line amount")

    @property
    def net_minor(self) -> int:
        """Return the line amount after its discount."""
        return self.amount_minor - self.discount_minor


@dataclass(frozen=True)
class Payment:
    """Hold one payment of a receipt."""

    kind: PaymentKind
    amount_minor: int

    def __post_init__(self) -> None:
        if self.amount_minor < 0:
            raise ValueError("payment amount must not be negative")


@dataclass(frozen=True)
class FiscalReceipt:
    """Hold everything the registrar needs to print and sign one receipt."""

    kind: ReceiptKind
    lines: tuple[ReceiptLine, ...]
    payments: tuple[Payment, ...]
    total_minor: int
    header: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()
    operator: str = ""

    def __post_init__(self) -> None:
        if not self.lines:
            raise ValueError("a receipt needs at least one line")
        if self.total_minor != sum(line.net_minor for line in self.lines):
            raise ValueError("total_minor differs from the sum of the lines")
        if self.paid_minor < self.total_minor:
            raise ValueError("payments do not cover the total")
        if self.paid_minor - self.cash_minor > self.total_minor:
            raise ValueError("non-cash payments exceed the total")

    @property
    def paid_minor(self) -> int:
        """Return the sum of all payments."""
        return sum(p.amount_minor for p in self.payments)

    @property
    def cash_minor(self) -> int:
        """Return the cash part of the payments."""
        return sum(p.amount_minor for p in self.payments if p.kind is PaymentKind.CASH)

    @property
    def change_minor(self) -> int:
        """Return the change due back in cash."""
        return self.paid_minor - self.total_minor


@dataclass(frozen=True)
class FiscalResult:
    """Report a signed fiscal document: its number, fiscal sign, shift and change."""

    document_number: int
    fiscal_sign: int
    change_minor: int
    shift_number: int
    datetime: dt.datetime


@dataclass(frozen=True)
class FiscalDocument:
    """Describe a document found in the fiscal storage."""

    number: int
    kind: str
    fiscal_sign: int
    datetime: dt.datetime
    amount_minor: int | None = None
    shift_number: int | None = None
    ofd_acknowledged: bool = False
    is_return: bool = False


@dataclass(frozen=True)
class FiscalStatus:
    """Report the registrar's state: shift, open document, paper, storage."""

    shift_open: bool
    shift_number: int
    shift_expired: bool
    document_open: bool
    paper_present: bool
    cover_open: bool
    last_document_number: int
    mode: int = 0
    submode: int = 0
    shift_opened_at: dt.datetime | None = None
    device_time: dt.datetime | None = None
    storage_warnings: tuple[str, ...] = field(default=())


@runtime_checkable
class FiscalRegistrar(Protocol):
    """Register fiscal documents on a device; every method may raise a DeviceError."""

    def status(self) -> FiscalStatus:
        """Return the device's current state."""
        ...

    def open_shift(self, operator: str) -> FiscalResult:
        """Open a shift and return the shift-open document."""
        ...

    def register_receipt(
        self, receipt: FiscalReceipt, *, expected_number: int | None = None
    ) -> FiscalResult:
        """Print and sign `receipt` exactly once; `expected_number` is the FD it should get."""
        ...

    def cancel_receipt(self) -> None:
        """Annul the document open on the device, if any."""
        ...

    def cash_in(self, amount_minor: int) -> int:
        """Register cash put into the drawer; return the running document number."""
        ...

    def cash_out(self, amount_minor: int) -> int:
        """Register cash taken from the drawer; return the running document number."""
        ...

    def x_report(self) -> None:
        """Print the shift totals without closing the shift."""
        ...

    def correction_receipt(self, kind: ReceiptKind, total_minor: int) -> FiscalResult:
        """Make a correction receipt (a fiscal correction of an earlier error)."""
        ...

    def unsent_documents(self) -> int:
        """Return how many documents wait to be sent to the tax authority's operator."""
        ...

    def z_report(self) -> FiscalResult:
        """Close the shift and return the shift-close document."""
        ...

    def last_document(self) -> FiscalDocument:
        """Return the last document written to the fiscal storage."""
        ...

    def running_document_number(self) -> int:
        """Return the device's through number of every document printed, fiscal or not."""
        ...

    def find_document(self, number: int) -> FiscalDocument:
        """Return the fiscal document with this number."""
        ...

    def cut(self, partial: bool = False) -> None:
        """Cut the receipt paper."""
        ...

    def open_drawer(self) -> None:
        """Kick the cash drawer open."""
        ...

    def close(self) -> None:
        """Release the port."""
        ...
