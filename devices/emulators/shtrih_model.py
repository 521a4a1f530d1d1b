"""Model a Shtrih-M registrar's state and command semantics; the emulator's brain, no I/O.

Command layouts mirror `devices.fiscal.shtrih_messages`; error codes are those of
`devices.fiscal.shtrih_tables`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from devices.emulators import shtrih_fn as fn
from devices.fiscal.shtrih_codec import (
    Request,
    fn_datetime,
    fr_date,
    fr_time,
    money,
    read_quantity,
    read_text,
    read_uint,
    uint,
)
from devices.fiscal.shtrih_tables import (
    FLAG_COVER_OPEN,
    FLAG_RECEIPT_LEVER,
    FLAG_RECEIPT_OPTICAL,
    FLAG_RECEIPT_ROLL,
    FLAG_TWO_DECIMALS,
    RECEIPT_TYPE_RETURN_SALE,
    RECEIPT_TYPE_SALE,
    Cmd,
    Mode,
    Submode,
)

Result = tuple[int, bytes]
OPERATOR = 30
SHIFT_LIMIT = dt.timedelta(hours=24)  # 54-FZ: a shift lasts at most 24 h (devices.md §5.1)
DOC_TYPE_CODES = {"shift_open": 2, "receipt": 3, "shift_close": 5, "correction": 31}
E_NO_DATA, E_ARCHIVE_FULL, E_UNSUPPORTED = 0x08, 0x06, 0x37
E_SHIFT_OPEN, E_SHIFT_CLOSED, E_UNDERPAID, E_NO_CASH = 0x3C, 0x3D, 0x45, 0x46
E_WRONG_TYPE, E_RECEIPT_OPEN, E_NONCASH_OVER, E_SHIFT_24H = 0x49, 0x4A, 0x4D, 0x4E
E_PASSWORD, E_RECEIPT_CLOSED, E_WAIT_CONTINUE, E_DISCOUNT_OVER = 0x4F, 0x55, 0x58, 0x5A
E_NO_PAPER, E_SENSORS, E_ZERO_TOTAL = 0x6B, 0x77, 0x8E


@dataclass(frozen=True)
class Document:
    """Record one signed fiscal document."""

    number: int
    kind: str
    fiscal_sign: int
    datetime: dt.datetime
    shift_number: int
    amount_minor: int = 0
    receipt_type: int = RECEIPT_TYPE_SALE
    lines: tuple[tuple[str, Decimal, int], ...] = ()


@dataclass
class OpenReceipt:
    """Hold the document being built on the device."""

    receipt_type: int
    lines: list[tuple[str, Decimal, int, int]] = field(default_factory=list)
    discount_minor: int = 0
    operations: int = 0

    @property
    def total_minor(self) -> int:
        """Return lines minus discounts."""
        return sum(line[3] for line in self.lines) - self.discount_minor


class ShtrihModel:
    """Execute decoded requests against registrar state and return (error, data)."""

    def __init__(self, *, password: int = OPERATOR, clock: Callable[[], dt.datetime] | None = None):
        self.password = password
        self.clock = clock or dt.datetime.now
        self.clock_offset = dt.timedelta()
        self.shift_open = False
        self.shift_number = 0
        self.shift_opened_at: dt.datetime | None = None
        self.receipt_number = 0
        self.running_number = 0
        self.cash_minor = 0
        self.receipt: OpenReceipt | None = None
        self.documents: list[Document] = []
        self.cashier = ""
        self.submode = Submode.PAPER_PRESENT
        self.cover_open = False
        self.storage_full = False
        self.paper_out_after_items: int | None = None
        self.events: list[str] = []  # cuts, drawer kicks, reports, cancellations
        # The OFD acknowledged every document up to this number; offline, new ones wait.
        self.ofd_acknowledged = 0
        self.ofd_offline = False

    # -- state views -----------------------------------------------------------------
    def now(self) -> dt.datetime:
        """Return the device clock."""
        return self.clock() + self.clock_offset

    @property
    def mode(self) -> Mode:
        """Return the FR mode the status commands report."""
        if self.receipt is not None:
            return Mode.DOCUMENT_OPEN
        if not self.shift_open:
            return Mode.SHIFT_CLOSED
        assert self.shift_opened_at is not None
        expired = self.now() - self.shift_opened_at > SHIFT_LIMIT
        return Mode.SHIFT_EXPIRED if expired else Mode.SHIFT_OPEN

    @property
    def receipts(self) -> list[Document]:
        """Return the signed receipts."""
        return [d for d in self.documents if d.kind == "receipt"]

    def flags(self) -> int:
        """Return the FR flags word."""
        flags = FLAG_TWO_DECIMALS | FLAG_RECEIPT_LEVER
        if self.submode not in (Submode.PAPER_OUT_PASSIVE, Submode.PAPER_OUT_ACTIVE):
            flags |= FLAG_RECEIPT_ROLL | FLAG_RECEIPT_OPTICAL
        return flags | (FLAG_COVER_OPEN if self.cover_open else 0)

    def take_paper(self) -> None:
        """Run out of paper: passive outside a document, active inside one."""
        active = self.receipt is not None
        self.submode = Submode.PAPER_OUT_ACTIVE if active else Submode.PAPER_OUT_PASSIVE

    def load_paper(self) -> None:
        """Load paper; an interrupted document then waits for 0xB0."""
        active = self.submode == Submode.PAPER_OUT_ACTIVE
        self.submode = Submode.WAIT_CONTINUE if active else Submode.PAPER_PRESENT

    # -- dispatch --------------------------------------------------------------------
    def execute(self, request: Request) -> Result:
        """Run one command."""
        if request.password != self.password:
            return E_PASSWORD, b""
        handler = self._handlers().get(request.command)
        if handler is None:
            return E_UNSUPPORTED, b""
        return handler(request.data)

    def _handlers(self) -> dict[int, Callable[[bytes], Result]]:
        return {
            Cmd.SHORT_STATUS: self._short_status,
            Cmd.FULL_STATUS: self._full_status,
            Cmd.FN_STATUS: self._fn_status,
            Cmd.FN_SHIFT_PARAMS: self._shift_params,
            Cmd.FN_FIND_DOCUMENT: self._find,
            Cmd.OPEN_SHIFT: self._open_shift,
            Cmd.FN_BEGIN_OPEN_SHIFT: self._begin_shift,
            Cmd.FN_SEND_TLV: self._tlv,
            Cmd.FN_OPEN_SHIFT: self._open_shift,
            Cmd.OPEN_RECEIPT: self._open_receipt,
            Cmd.SALE: lambda data: self._item(data, RECEIPT_TYPE_SALE),
            Cmd.RETURN_SALE: lambda data: self._item(data, RECEIPT_TYPE_RETURN_SALE),
            Cmd.DISCOUNT: self._discount,
            Cmd.CLOSE_RECEIPT: self._close,
            Cmd.CANCEL_RECEIPT: self._cancel,
            Cmd.CONTINUE_PRINT: self._continue,
            Cmd.CASH_IN: lambda data: self._cash(data, 1),
            Cmd.CASH_OUT: lambda data: self._cash(data, -1),
            Cmd.X_REPORT: self._x_report,
            Cmd.Z_REPORT: self._z_report,
            Cmd.CUT: self._mechanics("cut"),
            Cmd.OPEN_DRAWER: self._mechanics("drawer"),
            Cmd.FN_BEGIN_CORRECTION: lambda data: fn.begin_correction(self, data),
            Cmd.FN_CORRECTION: lambda data: fn.make_correction(self, data),
            Cmd.FN_OFD_STATUS: lambda data: fn.ofd_status(self, data),
        }

    # -- checks ----------------------------------------------------------------------
    def _print_error(self) -> int:
        if self.submode in (Submode.PAPER_OUT_PASSIVE, Submode.PAPER_OUT_ACTIVE):
            return E_NO_PAPER
        if self.submode == Submode.WAIT_CONTINUE:
            return E_WAIT_CONTINUE
        return E_SENSORS if self.cover_open else 0

    def _shift_error(self) -> int:
        if not self.shift_open:
            return E_SHIFT_CLOSED
        return E_SHIFT_24H if self.mode == Mode.SHIFT_EXPIRED else 0

    def _sign(self, number: int, kind: str, amount: int) -> int:
        digest = hashlib.sha256(f"{number}|{kind}|{amount}|{self.shift_number}".encode()).digest()
        return int.from_bytes(digest[:4], "little")

    def _sign_document(self, kind: str, amount: int = 0, **extra: object) -> Document:
        number = len(self.documents) + 1
        document = Document(
            number,
            kind,
            self._sign(number, kind, amount),
            self.now(),
            self.shift_number,
            amount,
            **extra,
        )  # type: ignore[arg-type]
        self.documents.append(document)
        self.running_number += 1
        if not self.ofd_offline:
            self.ofd_acknowledged = number
        return document

    # -- status commands -------------------------------------------------------------
    def _short_status(self, _: bytes) -> Result:
        ops = self.receipt.operations if self.receipt else 0
        mode = self.mode | ((self.receipt.receipt_type << 4) if self.receipt else 0)
        data = bytes([OPERATOR]) + uint(self.flags(), 2) + bytes([mode, self.submode, ops & 0xFF])
        return 0, data + bytes([0x9F, 0xF8, 0, 0, ops >> 8, 0, 0, 0])

    def _full_status(self, _: bytes) -> Result:
        now = self.now()
        head = bytes([OPERATOR, 3, 0]) + uint(0, 2) + bytes(3) + bytes([1])
        middle = uint(self.running_number, 2) + uint(self.flags(), 2)
        middle += bytes([self.mode, self.submode, 1]) + bytes(4) + bytes(3)
        tail = fr_date(now) + fr_time(now) + bytes([0]) + uint(1234567, 4)
        tail += uint(self.shift_number - int(self.shift_open), 2) + uint(2000, 2) + bytes([1, 3])
        return 0, head + middle + tail + bytes(6)

    def _fn_status(self, _: bytes) -> Result:
        warnings = 0x04 if self.storage_full else 0
        doc = 0x01 if self.receipt else 0
        data = bytes([3, doc, 0, int(self.shift_open), warnings]) + fn_datetime(self.now())
        return 0, data + b"9999078900001234" + uint(len(self.documents), 4)

    def _shift_params(self, _: bytes) -> Result:
        number = uint(self.shift_number, 2) + uint(self.receipt_number, 2)
        return 0, bytes([int(self.shift_open)]) + number

    def _find(self, data: bytes) -> Result:
        number = read_uint(data, 0, 4)
        if not 1 <= number <= len(self.documents):
            return E_NO_DATA, b""
        doc = self.documents[number - 1]
        sent = int(doc.number <= self.ofd_acknowledged)
        head = bytes([DOC_TYPE_CODES[doc.kind], sent]) + fn_datetime(doc.datetime)
        head += uint(doc.number, 4) + uint(doc.fiscal_sign, 4)
        if doc.kind in ("receipt", "correction"):
            operation = 1 if doc.receipt_type == RECEIPT_TYPE_SALE else 2
            return 0, head + bytes([operation]) + money(doc.amount_minor)
        return 0, head + uint(doc.shift_number, 2)

    # -- shift -----------------------------------------------------------------------
    def _begin_shift(self, _: bytes) -> Result:
        return (E_SHIFT_OPEN if self.shift_open else 0), b""

    def _tlv(self, data: bytes) -> Result:
        length = read_uint(data, 2, 2)
        self.cashier = data[4 : 4 + length].decode("cp866", errors="replace")
        return 0, b""

    def _open_shift(self, _: bytes) -> Result:
        if self.shift_open:
            return E_SHIFT_OPEN, b""
        if self.storage_full:
            return E_ARCHIVE_FULL, b""
        self.shift_open, self.shift_opened_at = True, self.now()
        self.shift_number += 1
        self.receipt_number = 0
        doc = self._sign_document("shift_open")
        return 0, uint(self.shift_number, 2) + uint(doc.number, 4) + uint(doc.fiscal_sign, 4)

    def _z_report(self, _: bytes) -> Result:
        if self.receipt is not None:
            return E_RECEIPT_OPEN, b""
        if not self.shift_open:
            return E_SHIFT_CLOSED, b""
        error = self._print_error()
        if error:
            return error, b""
        self._sign_document("shift_close")
        self.shift_open = False
        self.events.append("z_report")
        return 0, bytes([OPERATOR])

    def _x_report(self, _: bytes) -> Result:
        error = self._shift_error() or self._print_error()
        if not error:
            self.running_number += 1
            self.events.append("x_report")
        return error, bytes([OPERATOR])

    # -- receipts --------------------------------------------------------------------
    def _open_receipt(self, data: bytes) -> Result:
        if self.receipt is not None:
            return E_RECEIPT_OPEN, b""
        error = self._shift_error() or (E_ARCHIVE_FULL if self.storage_full else 0)
        error = error or self._print_error()
        if not error:
            self.receipt = OpenReceipt(data[0])
        return error, bytes([OPERATOR])

    def _item(self, data: bytes, receipt_type: int) -> Result:
        if self.receipt is None:  # 0x80/0x82 open a receipt themselves when none is open
            error, _ = self._open_receipt(bytes([receipt_type]))
            if error:
                return error, b""
        assert self.receipt is not None
        if self.receipt.receipt_type != receipt_type:
            return E_WRONG_TYPE, b""
        error = self._print_error()
        if error:
            return error, b""
        qty, price = read_quantity(data, 0), read_uint(data, 5, 5)
        amount = int((qty * price).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        self.receipt.lines.append((read_text(data[15:55]), qty, price, amount))
        self.receipt.operations += 1
        if self.paper_out_after_items == len(self.receipt.lines):
            self.paper_out_after_items = None
            self.take_paper()
        return 0, bytes([OPERATOR])

    def _discount(self, data: bytes) -> Result:
        if self.receipt is None:
            return E_RECEIPT_CLOSED, b""
        amount = read_uint(data, 0, 5)
        if amount > self.receipt.total_minor:
            return E_DISCOUNT_OVER, b""
        error = self._print_error()
        if not error:
            self.receipt.discount_minor += amount
            self.receipt.operations += 1
        return error, bytes([OPERATOR])

    def _close(self, data: bytes) -> Result:
        receipt = self.receipt
        if receipt is None:
            return E_RECEIPT_CLOSED, b""
        cash, *others = (read_uint(data, i * 5, 5) for i in range(4))
        total, paid = receipt.total_minor, cash + sum(others)
        error = self._print_error() or (E_ZERO_TOTAL if total == 0 else 0)
        error = error or (E_UNDERPAID if paid < total else 0)
        error = error or (E_NONCASH_OVER if sum(others) > total else 0)
        refund_cash = total - sum(others) if receipt.receipt_type == RECEIPT_TYPE_RETURN_SALE else 0
        error = error or (E_NO_CASH if refund_cash > self.cash_minor else 0)
        if error:
            return error, b""
        change = paid - total
        lines = tuple((name, qty, amount) for name, qty, _, amount in receipt.lines)
        self._sign_document("receipt", total, receipt_type=receipt.receipt_type, lines=lines)
        sign = 1 if receipt.receipt_type == RECEIPT_TYPE_SALE else -1
        self.cash_minor += sign * (cash - change)
        self.receipt_number += 1
        self.receipt = None
        return 0, bytes([OPERATOR]) + money(change)

    def _cancel(self, _: bytes) -> Result:
        if self.receipt is None:
            return E_RECEIPT_CLOSED, b""
        self.receipt = None
        self.running_number += 1
        self.events.append("cancel")
        return 0, bytes([OPERATOR])

    def _continue(self, _: bytes) -> Result:
        if self.submode == Submode.WAIT_CONTINUE:
            self.submode = Submode.PAPER_PRESENT
        return 0, bytes([OPERATOR])

    def _cash(self, data: bytes, sign: int) -> Result:
        amount = read_uint(data, 0, 5)
        error = self._shift_error() or self._print_error()
        error = error or (E_NO_CASH if sign < 0 and amount > self.cash_minor else 0)
        if error:
            return error, b""
        self.cash_minor += sign * amount
        self.running_number += 1
        return 0, bytes([OPERATOR]) + uint(self.running_number, 2)

    def _mechanics(self, event: str) -> Callable[[bytes], Result]:
        def run(_: bytes) -> Result:
            error = self._print_error() if event == "cut" else 0
            if not error:
                self.events.append(event)
            return error, bytes([OPERATOR])

        return run
