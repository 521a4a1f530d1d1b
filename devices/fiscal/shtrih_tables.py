"""Hold the Shtrih-M protocol facts as data: commands, modes, flags, error codes, VAT groups.

Source: Shtrih-M "Протокол работы ККТ" (FR command set with ФН extensions), as summarised in
devices.md §3.1 and pyshtrih `excepts.py` / `handlers/functions.py`. The modelled device is a
ФН-era registrar (ШТРИХ-М-01Ф): codes 0x01-0x2F are fiscal-storage (ФН) errors, 0x30+ FR errors.
"""

from __future__ import annotations

from enum import IntEnum

from devices import errors
from devices.fiscal.base import PaymentKind, Vat

# Link-layer control bytes (§3.1.3).
STX, ENQ, ACK, NAK = 0x02, 0x05, 0x06, 0x15


class Cmd(IntEnum):
    """Name the commands the driver uses (§3.1.4); 0xFFxx are two-byte ФН commands."""

    SHORT_STATUS = 0x10
    FULL_STATUS = 0x11
    CUT = 0x25
    OPEN_DRAWER = 0x28
    X_REPORT = 0x40
    Z_REPORT = 0x41
    CASH_IN = 0x50
    CASH_OUT = 0x51
    SALE = 0x80
    RETURN_SALE = 0x82
    CLOSE_RECEIPT = 0x85
    DISCOUNT = 0x86
    CANCEL_RECEIPT = 0x88
    OPEN_RECEIPT = 0x8D
    CONTINUE_PRINT = 0xB0
    OPEN_SHIFT = 0xE0
    FN_STATUS = 0xFF01
    FN_FIND_DOCUMENT = 0xFF0A
    FN_OPEN_SHIFT = 0xFF0B
    FN_SEND_TLV = 0xFF0C
    FN_BEGIN_CORRECTION = 0xFF35
    FN_CORRECTION = 0xFF36
    FN_OFD_STATUS = 0xFF39
    FN_SHIFT_PARAMS = 0xFF40
    FN_BEGIN_OPEN_SHIFT = 0xFF41


# Commands safe to repeat blindly: they read state and change nothing.
QUERIES = frozenset(
    {Cmd.SHORT_STATUS, Cmd.FULL_STATUS, Cmd.FN_STATUS, Cmd.FN_FIND_DOCUMENT, Cmd.FN_SHIFT_PARAMS,
     Cmd.FN_OFD_STATUS}
)


class Mode(IntEnum):
    """Name the FR modes (low nibble of the mode byte, `FRMode`)."""

    DATA_OUT = 1
    SHIFT_OPEN = 2
    SHIFT_EXPIRED = 3
    SHIFT_CLOSED = 4
    BLOCKED_PASSWORD = 5
    WAIT_DATE_CONFIRM = 6
    DOCUMENT_OPEN = 8


class Submode(IntEnum):
    """Name the printer submodes (`FRSubMode`)."""

    PAPER_PRESENT = 0
    PAPER_OUT_PASSIVE = 1
    PAPER_OUT_ACTIVE = 2
    WAIT_CONTINUE = 3
    PRINTING_REPORT = 4
    PRINTING = 5


# FR flags word of 0x10/0x11 (`handle_fr_flags`): bit -> meaning.
FLAG_JOURNAL_ROLL = 1 << 0
FLAG_RECEIPT_ROLL = 1 << 1
FLAG_TWO_DECIMALS = 1 << 4
FLAG_RECEIPT_OPTICAL = 1 << 7
FLAG_RECEIPT_LEVER = 1 << 9
FLAG_COVER_OPEN = 1 << 10
FLAG_DRAWER_OPEN = 1 << 11

# Receipt types of 0x8D.
RECEIPT_TYPE_SALE = 0
RECEIPT_TYPE_RETURN_SALE = 2

# ФН document types returned by 0xFF0A (ФФД tag 1000 family).
DOCUMENT_TYPES = {
    1: "registration",
    2: "shift_open",
    3: "receipt",
    4: "bso",
    5: "shift_close",
    6: "fn_close",
    11: "reregistration",
    21: "settlement_state",
    31: "correction",
}

# ФН warning flags of 0xFF01.
FN_WARNINGS = {
    0x01: "crypto_expires_in_3_days",
    0x02: "crypto_expires_in_30_days",
    0x04: "archive_90_percent_full",
    0x08: "ofd_timeout_exceeded",
}

# Tax group numbers of the standard ФН tax table (table 6 of the FR).
VAT_GROUPS = {
    Vat.VAT20: 1,
    Vat.VAT10: 2,
    Vat.VAT0: 3,
    Vat.NONE: 4,
    Vat.VAT20_120: 5,
    Vat.VAT10_110: 6,
}

# 0x85 has four payment slots: cash, then payment types 2-4.
PAYMENT_SLOTS = {PaymentKind.CASH: 0, PaymentKind.CARD: 1, PaymentKind.OTHER: 2}

# Tag 1021 "кассир" (ФФД) carries the operator's name.
TAG_CASHIER = 1021

ERROR_BUSY = 0x50
ERROR_WAIT_CONTINUE = 0x58

# error code -> (DeviceError class, text from the manual's error table).
ERROR_CODES: dict[int, tuple[type[errors.DeviceError], str]] = {
    0x02: (errors.CommandRejected, "ФН: wrong fiscal storage state"),
    0x03: (errors.CommandRejected, "ФН: fiscal storage failure"),
    0x05: (errors.StorageFull, "ФН: fiscal storage life expired"),
    0x06: (errors.StorageFull, "ФН: fiscal storage archive full"),
    0x07: (errors.CommandRejected, "ФН: wrong date or time"),
    0x08: (errors.CommandRejected, "ФН: no data requested"),
    0x12: (errors.StorageFull, "ФН: crypto co-processor resource exhausted"),
    0x14: (errors.StorageFull, "ФН: storage resource exhausted"),
    0x15: (errors.StorageFull, "ФН: OFD-wait resource exhausted, send documents to the OFD"),
    0x16: (errors.ShiftExpired, "ФН: shift longer than 24 hours"),
    0x33: (errors.CommandRejected, "invalid command parameters"),
    0x37: (errors.UnsupportedCommand, "command not supported by this device"),
    0x3C: (errors.ShiftAlreadyOpen, "shift is open, operation impossible"),
    0x3D: (errors.ShiftNotOpen, "shift is not open, operation impossible"),
    0x45: (errors.CommandRejected, "sum of payments less than receipt total"),
    0x46: (errors.CommandRejected, "not enough cash in the drawer"),
    0x4A: (errors.DocumentOpen, "receipt open, operation impossible"),
    0x4E: (errors.ShiftExpired, "shift exceeded 24 hours"),
    0x4F: (errors.WrongPassword, "wrong password"),
    0x50: (errors.DeviceBusy, "printing the result of the previous command"),
    0x55: (errors.CommandRejected, "receipt closed, operation impossible"),
    0x58: (errors.PaperOut, "waiting for the continue-printing command"),
    0x5F: (errors.CommandRejected, "negative receipt total"),
    0x6B: (errors.PaperOut, "no receipt paper"),
    0x6C: (errors.PaperOut, "no journal paper"),
    0x72: (errors.CommandRejected, "command not supported in this submode"),
    0x73: (errors.CommandRejected, "command not supported in this mode"),
    0x77: (errors.CoverOpen, "printer error: no signal from the sensors"),
    0x8E: (errors.CommandRejected, "zero receipt total"),
}


def error_for(code: int, command: int) -> errors.DeviceError:
    """Return the DeviceError for a device error `code` answered to `command`."""
    cls, text = ERROR_CODES.get(code, (errors.CommandRejected, "unknown device error"))
    return cls(f"0x{command:02X}: {text} (0x{code:02X})", device_code=code)
