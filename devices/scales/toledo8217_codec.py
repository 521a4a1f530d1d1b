"""Encode Mettler-Toledo 8217 commands and decode its replies (devices.md §4.1)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import serial

from devices.errors import CommandRejected, GarbledFrame
from devices.scales.base import WeightReading, to_kg

# Line settings: 9600 baud, 7 data bits, even parity, 1 stop bit (Odoo serial_scale_driver.py,
# Mettler-Toledo Viva service manual p. 51).
LINE_SETTINGS = {
    "baudrate": 9600,
    "bytesize": serial.SEVENBITS,
    "parity": serial.PARITY_EVEN,
    "stopbits": serial.STOPBITS_ONE,
}
STX = 0x02
CR = 0x0D
STATUS_MARK = ord("?")
# Single ASCII letters, no terminator.
COMMANDS = {"weigh": b"W", "zero": b"Z", "tare": b"T", "clear_tare": b"C"}
# Status byte after '?': the top bit carries parity and is ignored.
STATUS_BITS = {
    0x01: "in_motion",
    0x02: "over_capacity",
    0x04: "under_zero",
    0x08: "outside_zero_capture",
    0x10: "center_of_zero",
    0x20: "net_weight",
    0x40: "bad_command",
}
SEVEN_BITS = 0x7F
# STX, optional spaces, digits with a decimal point, optional 'N', CR (Odoo's regex).
WEIGHT_FRAME = re.compile(rb"\x02 *([0-9]+(?:\.[0-9]*)?)N?\r")


def status_flags(status: int) -> frozenset[str]:
    """Name the bits set in a status byte."""
    value = status & SEVEN_BITS
    return frozenset(name for mask, name in STATUS_BITS.items() if value & mask)


def decode(frame: bytes, unit: str = "kg") -> WeightReading:
    """Decode one reply frame (STX .. CR) into a reading; raise GarbledFrame if malformed."""
    frame = bytes(b & SEVEN_BITS for b in frame)
    if len(frame) == 4 and frame[0] == STX and frame[1] == STATUS_MARK and frame[3] == CR:
        return _status_reading(frame)
    match = WEIGHT_FRAME.fullmatch(frame)
    if match is None:
        raise GarbledFrame(f"not an 8217 reply: {frame!r}")
    try:
        value = Decimal(match.group(1).decode("ascii"))
    except InvalidOperation as exc:
        raise GarbledFrame(f"bad weight in {frame!r}") from exc
    return WeightReading(net_kg=to_kg(value, unit), is_stable=True, unit=unit, raw=frame)


def _status_reading(frame: bytes) -> WeightReading:
    flags = status_flags(frame[2])
    if "bad_command" in flags:
        raise CommandRejected("scale reports a bad command", device_code=frame[2] & SEVEN_BITS)
    # A status reply carries no weight: "no valid weight now" (devices.md §4.1).
    return WeightReading(
        net_kg=None,
        is_stable="in_motion" not in flags,
        is_overload="over_capacity" in flags,
        is_underload="under_zero" in flags,
        raw=frame,
    )


def encode_weight(value_kg: Decimal, places: int = 3) -> bytes:
    """Build the weight reply a scale sends, e.g. 02 "01.234" 0D (for emulators)."""
    text = f"{value_kg:0{places + 3}.{places}f}"
    return bytes([STX]) + text.encode("ascii") + bytes([CR])


def encode_status(flags: set[str] | frozenset[str]) -> bytes:
    """Build a '?' status reply with even parity in the top bit (for emulators)."""
    value = 0
    for mask, name in STATUS_BITS.items():
        if name in flags:
            value |= mask
    if bin(value).count("1") % 2:
        value |= 0x80
    return bytes([STX, STATUS_MARK, value, CR])
