"""Define the receipt printer interface and the device-neutral receipt document."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol, runtime_checkable

from devices.errors import CoverOpen, PaperOut, PrinterStall


class PaperState(enum.Enum):
    """Name what the paper sensors report."""

    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PrinterStatus:
    """Hold one status snapshot of a receipt printer and its cash drawer."""

    online: bool
    paper: PaperState = PaperState.UNKNOWN
    cover_open: bool = False
    drawer_open: bool | None = None
    has_error: bool = False

    @property
    def can_print(self) -> bool:
        """Tell whether a job sent now would be printed."""
        return (
            self.online
            and not self.cover_open
            and not self.has_error
            and self.paper in (PaperState.OK, PaperState.NEAR_END)
        )


@dataclass(frozen=True)
class ReceiptLine:
    """Describe one sold line: name, quantity, unit price and line amount."""

    name: str
    qty: Decimal
    price_minor: int
    amount_minor: int
    unit: str = ""
    # A weight typed by hand must be labelled on print (Measurement Canada lab manual §9).
    is_manual_weight: bool = False


@dataclass(frozen=True)
class Adjustment:
    """Describe a labelled amount such as a discount or a payment."""

    label: str
    amount_minor: int


@dataclass(frozen=True)
class Barcode:
    """Describe a 1-D barcode to print: payload and symbology as python-escpos names it."""

    payload: str
    symbology: str = "CODE128"


@dataclass(frozen=True)
class ReceiptLabels:
    """Hold the fixed words printed on a receipt, so one layout serves every language."""

    total: str = "TOTAL"
    discount: str = "Discount"
    change: str = "CHANGE"
    manual_weight: str = "MAN WT"


RUSSIAN_LABELS = ReceiptLabels(
    total="ИТОГ", discount="Скидка", change="СДАЧА", manual_weight="РУЧН. ВЕС"
)


@dataclass(frozen=True)
class ReceiptDocument:
    """Describe a printable receipt independently of any printer language."""

    lines: tuple[ReceiptLine, ...]
    total_minor: int
    header: tuple[str, ...] = ()
    discounts: tuple[Adjustment, ...] = ()
    payments: tuple[Adjustment, ...] = ()
    change_minor: int = 0
    footer: tuple[str, ...] = ()
    barcode: Barcode | None = None
    qr_payload: str | None = None
    labels: ReceiptLabels = field(default_factory=ReceiptLabels)
    open_drawer: bool = False


@runtime_checkable
class ReceiptPrinter(Protocol):
    """Print receipts, cut paper, kick the cash drawer and report status."""

    def print_document(self, doc: ReceiptDocument) -> None:
        """Print a whole receipt and cut it; raise a DeviceError if it cannot be printed."""
        ...

    def print_text(self, lines: Sequence[str]) -> None:
        """Print plain text lines without cutting."""
        ...

    def cut(self) -> None:
        """Feed and cut the paper."""
        ...

    def open_drawer(self) -> None:
        """Kick the cash drawer connected to the printer."""
        ...

    def status(self) -> PrinterStatus:
        """Ask the printer for its current status; never guess."""
        ...

    def close(self) -> None:
        """Release the connection; safe to call twice."""
        ...


def raise_for_status(status: PrinterStatus) -> None:
    """Raise the DeviceError that stops a job on a printer in this state; near end only warns."""
    if status.cover_open:
        raise CoverOpen()
    if status.paper is PaperState.OUT:
        raise PaperOut()
    if not status.online or status.has_error:
        raise PrinterStall("printer is offline")
