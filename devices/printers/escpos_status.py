"""Encode DLE EOT status queries and decode their one-byte answers (Epson ESC/POS reference)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from devices.errors import GarbledFrame
from devices.printers.base import PaperState, PrinterStatus

DLE_EOT = b"\x10\x04"


class StatusQuery(enum.IntEnum):
    """Name the DLE EOT n transmit-status requests (Epson: n = 1..4)."""

    PRINTER = 1
    OFFLINE_CAUSE = 2
    ERROR_CAUSE = 3
    PAPER = 4


# Every DLE EOT answer has the form 0xx1xx10b: bits 0 and 7 clear, bits 1 and 4 set
# (Epson DLE EOT spec; python-escpos PR #711 validates the same way).
FIXED_BITS_MASK = 0b1001_0011
FIXED_BITS_VALUE = 0b0001_0010


@dataclass(frozen=True)
class Bit:
    """Name one status bit."""

    mask: int
    meaning: str


# Epson ESC/POS reference, DLE EOT: meanings of the variable bits per request.
STATUS_BITS: dict[StatusQuery, tuple[Bit, ...]] = {
    StatusQuery.PRINTER: (
        Bit(0x04, "drawer_pin3_high"),
        Bit(0x08, "offline"),
        Bit(0x20, "waiting_for_recovery"),
        Bit(0x40, "feed_button_pressed"),
    ),
    StatusQuery.OFFLINE_CAUSE: (
        Bit(0x04, "cover_open"),
        Bit(0x08, "feeding_by_button"),
        Bit(0x20, "stopped_by_paper_end"),
        Bit(0x40, "error"),
    ),
    StatusQuery.ERROR_CAUSE: (
        Bit(0x04, "recoverable_error"),
        Bit(0x08, "autocutter_error"),
        Bit(0x20, "unrecoverable_error"),
        Bit(0x40, "auto_recoverable_error"),
    ),
    StatusQuery.PAPER: (
        # Near-end and end sensors each occupy two bits (2-3 and 5-6).
        Bit(0x0C, "paper_near_end"),
        Bit(0x60, "paper_out"),
    ),
}


def query(kind: StatusQuery) -> bytes:
    """Return the bytes asking for one status byte: DLE EOT n."""
    return DLE_EOT + bytes([kind])


def decode(kind: StatusQuery, answer: bytes) -> frozenset[str]:
    """Return the names of the bits set in a status byte; raise GarbledFrame on a malformed one."""
    if len(answer) != 1:
        raise GarbledFrame(f"DLE EOT {int(kind)} answer must be 1 byte, got {answer.hex(' ')!r}")
    value = answer[0]
    if value & FIXED_BITS_MASK != FIXED_BITS_VALUE:
        raise GarbledFrame(f"DLE EOT {int(kind)} answer 0x{value:02X} is not 0xx1xx10b")
    return frozenset(bit.meaning for bit in STATUS_BITS[kind] if value & bit.mask)


def paper_state(paper_bits: frozenset[str]) -> PaperState:
    """Map the paper-sensor bits to a paper state."""
    if "paper_out" in paper_bits:
        return PaperState.OUT
    if "paper_near_end" in paper_bits:
        return PaperState.NEAR_END
    return PaperState.OK


def to_status(
    printer: frozenset[str],
    offline: frozenset[str],
    paper: frozenset[str],
    drawer_open_high: bool = True,
) -> PrinterStatus:
    """Combine decoded DLE EOT 1, 2 and 4 answers into a PrinterStatus."""
    # Pin 3 polarity depends on the drawer model, hence the configurable level.
    pin_high = "drawer_pin3_high" in printer
    state = paper_state(paper)
    if "stopped_by_paper_end" in offline:
        state = PaperState.OUT
    return PrinterStatus(
        online="offline" not in printer,
        paper=state,
        cover_open="cover_open" in offline,
        drawer_open=pin_high if drawer_open_high else not pin_high,
        has_error="error" in offline,
    )


def encode(kind: StatusQuery, meanings: frozenset[str] | set[str]) -> bytes:
    """Build the status byte a printer would send for the given bit names (for emulators)."""
    value = FIXED_BITS_VALUE
    for bit in STATUS_BITS[kind]:
        if bit.meaning in meanings:
            value |= bit.mask
    return bytes([value])
