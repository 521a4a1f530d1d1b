"""Encode MT-SICS commands and decode their replies (devices.md §4.2, MT-SICS reference)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from devices.errors import (
    CommandRejected,
    DeviceError,
    GarbledFrame,
    Overload,
    Underload,
    UnstableWeight,
    UnsupportedCommand,
)
from devices.scales.base import WeightReading, to_kg

# Every command and every reply ends with CR LF.
TERMINATOR = b"\r\n"
COMMANDS = {
    "weigh_stable": "S",
    "weigh_now": "SI",
    "zero": "Z",
    "tare": "T",
    "tare_value": "TA",
    "clear_tare": "TAC",
    "reset": "@",
    "serial_number": "I4",
}
# Replies without a command echo: ES syntax, ET transmission (parity/framing), EL logical.
GENERAL_ERRORS: dict[str, type[DeviceError]] = {
    "ES": UnsupportedCommand,
    "ET": GarbledFrame,
    "EL": CommandRejected,
}
# Status letters after the command echo: A/S done, D dynamic, I not executable now,
# + above range, - below range, L parameter not allowed.
STATUS_ERRORS: dict[str, type[DeviceError]] = {
    "I": UnstableWeight,
    "+": Overload,
    "-": Underload,
    "L": CommandRejected,
}


@dataclass(frozen=True)
class SicsReply:
    """Hold one reply line split into command echo, status letter and fields."""

    command: str
    status: str
    fields: tuple[str, ...] = ()


def encode(command: str, *args: str) -> bytes:
    """Build a command line: upper-case name, space-separated parameters, CR LF."""
    return " ".join((command, *args)).encode("ascii") + TERMINATOR


def parse(line: bytes) -> SicsReply:
    """Split a reply line; raise the general error it reports, or GarbledFrame if unreadable."""
    try:
        text = line.decode("ascii")
    except UnicodeDecodeError as exc:
        raise GarbledFrame(f"non-ASCII MT-SICS reply {line!r}") from exc
    if not text.endswith("\r\n"):
        raise GarbledFrame(f"MT-SICS reply without CR LF: {line!r}")
    tokens = text[:-2].split()
    if not tokens:
        raise GarbledFrame("empty MT-SICS reply")
    if len(tokens) == 1 and tokens[0] in GENERAL_ERRORS:
        raise GENERAL_ERRORS[tokens[0]](f"scale answered {tokens[0]}")
    if len(tokens) < 2:
        raise GarbledFrame(f"MT-SICS reply without status: {line!r}")
    return SicsReply(tokens[0], tokens[1], tuple(tokens[2:]))


def expect(reply: SicsReply, command: str, ok: str = "A") -> SicsReply:
    """Return the reply if it answers `command` with status `ok`, else raise what it says."""
    if reply.command != command:
        raise GarbledFrame(f"expected an answer to {command}, got {reply.command}")
    if reply.status == ok:
        return reply
    error = STATUS_ERRORS.get(reply.status)
    if error is None:
        raise GarbledFrame(f"unknown status {reply.status!r} for {command}")
    raise error(f"{command} answered {reply.status}")


def _weight(fields: tuple[str, ...]) -> tuple[Decimal, str]:
    if len(fields) != 2:
        raise GarbledFrame(f"expected '<value> <unit>', got {fields!r}")
    try:
        return to_kg(Decimal(fields[0]), fields[1]), fields[1]
    except (InvalidOperation, ValueError) as exc:
        raise GarbledFrame(f"bad weight field {fields!r}") from exc


def to_reading(reply: SicsReply, raw: bytes = b"") -> WeightReading:
    """Turn an S or SI reply into a reading: S stable, D dynamic, I busy, + over, - under."""
    if reply.command not in ("S", "SI"):
        raise GarbledFrame(f"expected a weight reply, got {reply.command}")
    if reply.status in ("S", "D"):
        net_kg, unit = _weight(reply.fields)
        return WeightReading(net_kg, is_stable=reply.status == "S", unit=unit, raw=raw)
    if reply.status == "I":
        return WeightReading(None, is_stable=False, raw=raw)
    if reply.status in ("+", "-"):
        return WeightReading(
            None, is_stable=False, is_overload=reply.status == "+",
            is_underload=reply.status == "-", raw=raw,
        )
    raise GarbledFrame(f"unknown weight status {reply.status!r}")


def tare_of(reply: SicsReply) -> Decimal:
    """Return the tare in kg carried by a T S or TA A reply."""
    return _weight(reply.fields)[0]


def format_weight(value: Decimal, unit: str, places: int = 3) -> str:
    """Format a weight field right-aligned in 10 characters, as balances send it."""
    return f"{value:>10.{places}f} {unit}"
