"""Build Shtrih-M command payloads and decode their answers; pure, layouts per devices.md §3.1.4.

Answer offsets below count from the byte after the error code (pyshtrih
`handlers/commands.py` counts from the error code itself, so its slices are one higher).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from devices.fiscal.base import FiscalDocument, ReceiptKind, ReceiptLine, Vat
from devices.fiscal.shtrih_codec import (
    money,
    quantity,
    read_fn_datetime,
    read_fr_datetime,
    read_uint,
    taxes,
    text,
    tlv,
    uint,
)
from devices.fiscal.shtrih_tables import (
    DOCUMENT_TYPES,
    FLAG_COVER_OPEN,
    FLAG_RECEIPT_ROLL,
    FN_WARNINGS,
    RECEIPT_TYPE_RETURN_SALE,
    RECEIPT_TYPE_SALE,
    TAG_CASHIER,
    VAT_GROUPS,
    Cmd,
)

Message = tuple[int, bytes]


# -- requests ------------------------------------------------------------------------
def open_receipt(kind: ReceiptKind) -> Message:
    """Open a sale or sale-return receipt (0x8D)."""
    code = RECEIPT_TYPE_SALE if kind is ReceiptKind.SALE else RECEIPT_TYPE_RETURN_SALE
    return Cmd.OPEN_RECEIPT, bytes([code])


def item(kind: ReceiptKind, line: ReceiptLine) -> Message:
    """Register one line: qty(5) price(5) department(1) taxes(4) text(40) (0x80 / 0x82)."""
    command = Cmd.SALE if kind is ReceiptKind.SALE else Cmd.RETURN_SALE
    data = (
        quantity(line.quantity)
        + money(line.price_minor)
        + bytes([line.department])
        + taxes(VAT_GROUPS[line.vat])
        + text(line.name)
    )
    return command, data


def discount(amount_minor: int, vat: Vat, label: str = "") -> Message:
    """Discount the receipt so far: amount(5) taxes(4) text(40) (0x86)."""
    return Cmd.DISCOUNT, money(amount_minor) + taxes(VAT_GROUPS[vat]) + text(label)


def close_receipt(slots: tuple[int, int, int, int], footer: str = "") -> Message:
    """Close with cash and payment types 2-4, no receipt-wide discount (0x85)."""
    data = b"".join(money(s) for s in slots) + uint(0, 2) + taxes(0) + text(footer)
    return Cmd.CLOSE_RECEIPT, data


def cash_move(command: Cmd, amount_minor: int) -> Message:
    """Register cash in (0x50) or cash out (0x51)."""
    return command, money(amount_minor)


def cut(partial: bool) -> Message:
    """Cut the receipt: 0 full, 1 partial (0x25)."""
    return Cmd.CUT, bytes([1 if partial else 0])


def open_drawer(number: int = 0) -> Message:
    """Kick drawer `number` (0x28)."""
    return Cmd.OPEN_DRAWER, bytes([number])


def find_document(number: int) -> Message:
    """Find a fiscal document by its FD number (0xFF0A)."""
    return Cmd.FN_FIND_DOCUMENT, uint(number, 4)


def cashier(name: str) -> Message:
    """Send the cashier's name as TLV 1021 into the open document (0xFF0C)."""
    return Cmd.FN_SEND_TLV, tlv(TAG_CASHIER, name.encode("cp866", errors="replace")[:64])


def correction(kind: ReceiptKind, total_minor: int) -> Message:
    """Make a correction receipt (0xFF36): total(5), settlement sign(1): 1 income, 3 refund."""
    return Cmd.FN_CORRECTION, money(total_minor) + bytes([1 if kind is ReceiptKind.SALE else 3])


def plain(command: Cmd) -> Message:
    """Build a command that carries no data beyond the password."""
    return command, b""


# -- answers -------------------------------------------------------------------------
@dataclass(frozen=True)
class ShortStatus:
    """Decoded 0x10 answer."""

    operator: int
    flags: int
    mode: int
    mode_status: int
    submode: int
    operations: int

    @property
    def paper_present(self) -> bool:
        """Tell whether the receipt roll is present."""
        return bool(self.flags & FLAG_RECEIPT_ROLL)

    @property
    def cover_open(self) -> bool:
        """Tell whether the cover is up."""
        return bool(self.flags & FLAG_COVER_OPEN)


def decode_short_status(data: bytes) -> ShortStatus:
    """Decode op(1) flags(2) mode(1) submode(1) ops_lo(1) batt power fp eklz ops_hi(1)."""
    mode = read_uint(data, 3, 1)
    return ShortStatus(
        operator=data[0],
        flags=read_uint(data, 1, 2),
        mode=mode & 0x0F,
        mode_status=mode >> 4,
        submode=read_uint(data, 4, 1),
        operations=data[5] | read_uint(data, 10, 1) << 8,
    )


@dataclass(frozen=True)
class FullStatus:
    """Decoded 0x11 answer (the fields the driver uses)."""

    document_number: int
    flags: int
    mode: int
    submode: int
    device_time: dt.datetime
    serial_number: int
    last_closed_shift: int


def decode_full_status(data: bytes) -> FullStatus:
    """Decode the 0x11 layout: doc no. at 9, flags 11, mode 13, date 23, time 26, serial 30."""
    return FullStatus(
        document_number=read_uint(data, 9, 2),
        flags=read_uint(data, 11, 2),
        mode=read_uint(data, 13, 1) & 0x0F,
        submode=read_uint(data, 14, 1),
        device_time=read_fr_datetime(data, 23, 26),
        serial_number=read_uint(data, 30, 4),
        last_closed_shift=read_uint(data, 34, 2),
    )


@dataclass(frozen=True)
class FnStatus:
    """Decoded 0xFF01 answer."""

    phase: int
    current_document: int
    shift_open: bool
    warnings: tuple[str, ...]
    datetime: dt.datetime
    fn_number: str
    last_document_number: int


def decode_fn_status(data: bytes) -> FnStatus:
    """Decode phase(1) doc(1) data(1) shift(1) warnings(1) datetime(5) number(16) last FD(4)."""
    flags = read_uint(data, 4, 1)
    return FnStatus(
        phase=data[0],
        current_document=data[1],
        shift_open=bool(data[3]),
        warnings=tuple(name for bit, name in FN_WARNINGS.items() if flags & bit),
        datetime=read_fn_datetime(data, 5),
        fn_number=data[10:26].decode("ascii", errors="replace"),
        last_document_number=read_uint(data, 26, 4),
    )


def decode_document(data: bytes) -> FiscalDocument:
    """Decode 0xFF0A: type(1) ofd(1) datetime(5) number(4) sign(4) then type-specific data."""
    kind = DOCUMENT_TYPES.get(data[0], f"type_{data[0]}")
    settles = kind in ("receipt", "correction")
    amount = read_uint(data, 16, 5) if settles else None
    shift = read_uint(data, 15, 2) if kind in ("shift_open", "shift_close") else None
    return FiscalDocument(
        number=read_uint(data, 7, 4),
        kind=kind,
        fiscal_sign=read_uint(data, 11, 4),
        datetime=read_fn_datetime(data, 2),
        amount_minor=amount,
        shift_number=shift,
        ofd_acknowledged=bool(data[1]),
        is_return=settles and data[15] == 2,  # operation: 1 sale, 2 sale return
    )


@dataclass(frozen=True)
class ShiftParams:
    """Decoded 0xFF40 answer."""

    is_open: bool
    shift_number: int
    receipt_number: int


def decode_shift_params(data: bytes) -> ShiftParams:
    """Decode state(1) shift number(2) receipt number(2)."""
    return ShiftParams(bool(data[0]), read_uint(data, 1, 2), read_uint(data, 3, 2))


def decode_change(data: bytes) -> int:
    """Decode the 0x85 answer: operator(1) change(5)."""
    return read_uint(data, 1, 5)


def decode_running_number(data: bytes) -> int:
    """Decode the 0x50/0x51 answer: operator(1) running document number(2)."""
    return read_uint(data, 1, 2)


def decode_shift_document(data: bytes) -> tuple[int, int, int]:
    """Decode 0xFF0B/0xFF43: shift number(2) FD number(4) fiscal sign(4)."""
    return read_uint(data, 0, 2), read_uint(data, 2, 4), read_uint(data, 6, 4)


def decode_correction(data: bytes) -> tuple[int, int, int]:
    """Decode 0xFF36: receipt number(2) FD number(4) fiscal sign(4)."""
    return read_uint(data, 0, 2), read_uint(data, 2, 4), read_uint(data, 6, 4)


@dataclass(frozen=True)
class OfdStatus:
    """Decoded 0xFF39 answer: what the fiscal storage has not yet sent to the OFD."""

    unsent: int
    first_unsent: int
    first_unsent_at: dt.datetime | None


def decode_ofd_status(data: bytes) -> OfdStatus:
    """Decode exchange state(1) reading(1) unsent count(2) first number(4) its datetime(5)."""
    unsent = read_uint(data, 2, 2)
    return OfdStatus(unsent=unsent, first_unsent=read_uint(data, 4, 4),
                     first_unsent_at=read_fn_datetime(data, 8) if unsent else None)
