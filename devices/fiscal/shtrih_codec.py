"""Encode Shtrih-M requests and decode answers; pure functions, no I/O (devices.md §3.1.2).

request : STX LEN CMD[1|2] PASSWORD(4 LE) DATA... LRC
answer  : STX LEN CMD[1|2] ERROR [OPERATOR] DATA... LRC
LEN counts CMD..DATA; LRC is the XOR of LEN..DATA. Numbers are little-endian, money is
5 bytes in minor units, quantity 5 bytes in thousandths, text fixed-width cp1251.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce

from devices.errors import GarbledFrame
from devices.fiscal.shtrih_tables import STX

TEXT_WIDTH = 40
_THOUSANDTHS = Decimal(1000)


@dataclass(frozen=True)
class Request:
    """Hold a decoded request frame (the emulator's view)."""

    command: int
    password: int
    data: bytes


@dataclass(frozen=True)
class Answer:
    """Hold a decoded answer frame: error code, then the rest of the payload."""

    command: int
    error: int
    data: bytes


def lrc(body: bytes) -> int:
    """Return the XOR of all bytes of LEN..DATA."""
    return reduce(lambda acc, b: acc ^ b, body, 0)


def command_bytes(command: int) -> bytes:
    """Return the 1-byte command, or 2 bytes for the 0xFFxx ФН commands."""
    return command.to_bytes(2 if command > 0xFF else 1, "big")


def frame(payload: bytes) -> bytes:
    """Wrap CMD..DATA in STX, LEN and LRC."""
    if len(payload) > 0xFF:
        raise ValueError("frame payload exceeds 255 bytes")
    body = bytes([len(payload)]) + payload
    return bytes([STX]) + body + bytes([lrc(body)])


def encode_request(command: int, password: int, data: bytes = b"") -> bytes:
    """Build a request frame."""
    return frame(command_bytes(command) + password.to_bytes(4, "little") + data)


def encode_answer(command: int, error: int = 0, data: bytes = b"") -> bytes:
    """Build an answer frame (the emulator's side); `data` starts after the error byte."""
    return frame(command_bytes(command) + bytes([error]) + (data if error == 0 else b""))


def check_frame(raw: bytes) -> bytes:
    """Return CMD..DATA of a complete frame or raise GarbledFrame."""
    if len(raw) < 4 or raw[0] != STX or raw[1] != len(raw) - 3:
        raise GarbledFrame(f"malformed frame {raw.hex(' ')}")
    if lrc(raw[1:-1]) != raw[-1]:
        raise GarbledFrame(f"bad LRC in {raw.hex(' ')}")
    return raw[2:-1]


def _split_command(payload: bytes) -> tuple[int, bytes]:
    if payload[0] == 0xFF and len(payload) > 1:
        return int.from_bytes(payload[:2], "big"), payload[2:]
    return payload[0], payload[1:]


def decode_answer(raw: bytes) -> Answer:
    """Decode an answer frame."""
    command, rest = _split_command(check_frame(raw))
    if not rest:
        raise GarbledFrame(f"answer without error byte {raw.hex(' ')}")
    return Answer(command, rest[0], rest[1:])


def decode_request(raw: bytes) -> Request:
    """Decode a request frame."""
    command, rest = _split_command(check_frame(raw))
    if len(rest) < 4:
        raise GarbledFrame(f"request without password {raw.hex(' ')}")
    return Request(command, int.from_bytes(rest[:4], "little"), rest[4:])


# -- field codecs --------------------------------------------------------------------
def uint(value: int, size: int) -> bytes:
    """Encode a non-negative integer little-endian in `size` bytes."""
    return value.to_bytes(size, "little")


def read_uint(data: bytes, start: int, size: int) -> int:
    """Decode a little-endian integer of `size` bytes at `start`."""
    if len(data) < start + size:
        raise GarbledFrame(f"answer too short for a field at {start}: {data.hex(' ')}")
    return int.from_bytes(data[start : start + size], "little")


def money(amount_minor: int) -> bytes:
    """Encode minor units as the 5-byte money field."""
    return uint(amount_minor, 5)


def quantity(qty: Decimal) -> bytes:
    """Encode a quantity as 5 bytes of thousandths; refuse more than 3 places."""
    thousandths = qty * _THOUSANDTHS
    if thousandths != thousandths.to_integral_value():
        raise ValueError(f"quantity {qty} has more than 3 decimal places")
    return uint(int(thousandths), 5)


def read_quantity(data: bytes, start: int) -> Decimal:
    """Decode a 5-byte quantity field."""
    return Decimal(read_uint(data, start, 5)) / _THOUSANDTHS


def text(value: str, width: int = TEXT_WIDTH) -> bytes:
    """Encode text as fixed-width cp1251, cut or zero-padded to `width`."""
    return value.encode("cp1251", errors="replace")[:width].ljust(width, b"\x00")


def read_text(data: bytes) -> str:
    """Decode a zero-padded cp1251 text field."""
    return data.rstrip(b"\x00").decode("cp1251", errors="replace")


def taxes(group: int) -> bytes:
    """Encode the four tax-group bytes with one group set."""
    return bytes([group, 0, 0, 0])


def fn_datetime(value: dt.datetime) -> bytes:
    """Encode the ФН 5-byte date-time YY MM DD hh mm."""
    return bytes([value.year - 2000, value.month, value.day, value.hour, value.minute])


def read_fn_datetime(data: bytes, start: int) -> dt.datetime:
    """Decode the ФН 5-byte date-time."""
    yy, mm, dd, hh, mi = data[start : start + 5]
    return dt.datetime(2000 + yy, mm, dd, hh, mi)


def fr_date(value: dt.date) -> bytes:
    """Encode the FR 3-byte date DD MM YY."""
    return bytes([value.day, value.month, value.year - 2000])


def fr_time(value: dt.datetime) -> bytes:
    """Encode the FR 3-byte time hh mm ss."""
    return bytes([value.hour, value.minute, value.second])


def read_fr_datetime(data: bytes, date_at: int, time_at: int) -> dt.datetime:
    """Decode an FR date and time pair."""
    dd, mm, yy = data[date_at : date_at + 3]
    hh, mi, ss = data[time_at : time_at + 3]
    return dt.datetime(2000 + yy, mm, dd, hh, mi, ss)


def tlv(tag: int, value: bytes) -> bytes:
    """Encode a ФФД TLV: tag and length as 2 bytes little-endian each."""
    return uint(tag, 2) + uint(len(value), 2) + value
