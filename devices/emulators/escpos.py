"""Emulate an ESC/POS receipt printer: keep the printed text, cuts and drawer kicks."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from devices.emulators.base import PtyEmulator
from devices.printers.base import PaperState
from devices.printers.escpos_status import StatusQuery, encode

ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A
# Fixed argument counts after the command bytes (Epson ESC/POS command reference).
FIXED_ARGS: dict[bytes, int] = {
    b"\x1b@": 0, b"\x1b2": 0, b"\x1b!": 1, b"\x1b-": 1, b"\x1b3": 1, b"\x1bE": 1,
    b"\x1bG": 1, b"\x1bJ": 1, b"\x1bM": 1, b"\x1ba": 1, b"\x1bd": 1, b"\x1bt": 1,
    b"\x1b{": 1, b"\x1bc": 2, b"\x1bp": 3, b"\x1d!": 1, b"\x1dB": 1, b"\x1dH": 1,
    b"\x1df": 1, b"\x1dh": 1, b"\x1dw": 1, b"\x1dL": 2, b"\x1dW": 2, b"\x10\x04": 1,
}
# ESC t n code tables (Epson character code tables; 17 = PC866 Cyrillic #2).
CODE_PAGES = {0: "cp437", 2: "cp850", 16: "cp1252", 17: "cp866", 46: "cp1251"}
INCOMPLETE = -1


@dataclass
class PrinterModel:
    """Hold what the emulated printer has printed and the state of its sensors."""

    paper: PaperState = PaperState.OK
    cover_open: bool = False
    drawer_open: bool = False
    code_page: str = "cp437"
    lines: list[str] = field(default_factory=list)
    current: str = ""
    cuts: int = 0
    drawer_kicks: list[int] = field(default_factory=list)
    barcodes: list[str] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)
    lines_left: int | None = None  # fault: the roll runs out after this many more lines

    @property
    def is_offline(self) -> bool:
        """Tell whether the printer has stopped printing (paper end or cover open)."""
        return self.paper is PaperState.OUT or self.cover_open

    def status_byte(self, n: int) -> bytes:
        """Answer DLE EOT n from the current state; an undefined n gets no answer."""
        if n not in tuple(StatusQuery):
            return b""
        bits: set[str] = set()
        if n == StatusQuery.PRINTER:
            bits |= {"offline"} if self.is_offline else set()
            bits |= {"drawer_pin3_high"} if self.drawer_open else set()
        elif n == StatusQuery.OFFLINE_CAUSE:
            bits |= {"cover_open"} if self.cover_open else set()
            bits |= {"stopped_by_paper_end"} if self.paper is PaperState.OUT else set()
        elif n == StatusQuery.PAPER:
            bits |= {
                PaperState.NEAR_END: {"paper_near_end"},
                PaperState.OUT: {"paper_out"},
            }.get(self.paper, set())
        return encode(StatusQuery(n), bits)

    def print_byte(self, byte: int) -> None:
        """Put one printable byte on paper in the current code page, or end the line."""
        if self.is_offline:
            return  # an offline printer prints nothing (Epson: paper end stops printing)
        if byte == LF:
            self.feed()
        elif byte >= 0x20 or byte == 0x09:
            self.current += bytes([byte]).decode(self.code_page, errors="replace")

    def feed(self) -> None:
        """End the current line; an exhausted roll goes to paper out."""
        self.lines.append(self.current)
        self.current = ""
        if self.lines_left is not None:
            self.lines_left -= 1
            if self.lines_left <= 0:
                self.paper = PaperState.OUT


class EscPosEmulator(PtyEmulator):
    """Serve an ESC/POS printer: parse the job stream and answer DLE EOT status requests."""

    kind = "printer"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.model = PrinterModel()
        self.is_stalled = False  # fault: stop reading, so the host's writes block
        self.stall_after_bytes: int | None = None  # fault: stall once this many bytes came in
        self.garble_replies = 0  # fault: corrupt this many of the next status answers
        self._buffer = bytearray()

    @property
    def text(self) -> str:
        """Return everything printed so far, one line per LF."""
        return "\n".join(self.model.lines + ([self.model.current] if self.model.current else []))

    def handle(self, data: bytes) -> bytes:
        """Parse the job bytes; return the answers to any status requests among them."""
        if self.stall_after_bytes is not None and self.bytes_received > self.stall_after_bytes:
            self.is_stalled = True
        while self.is_stalled and not self._stop.is_set():
            time.sleep(0.01)  # holding the serving thread stops the pty from being drained
        self._buffer += data
        replies = bytearray()
        while self._buffer:
            used = self._step(replies)
            if used == INCOMPLETE:
                break
            del self._buffer[:used]
        return bytes(replies)

    def _step(self, replies: bytearray) -> int:
        buf = self._buffer
        if buf[0] not in (ESC, GS, DLE):
            self.model.print_byte(buf[0])
            return 1
        if len(buf) < 2:
            return INCOMPLETE
        head = bytes(buf[:2])
        if head in FIXED_ARGS:
            size = 2 + FIXED_ARGS[head]
            if len(buf) < size:
                return INCOMPLETE
            self._command(head, bytes(buf[2:size]), replies)
            return size
        return _variable_length(self, buf)

    def _command(self, head: bytes, args: bytes, replies: bytearray) -> None:
        model = self.model
        if head == b"\x10\x04":
            # Real-time command: answered even when offline (Epson DLE EOT).
            replies += self._garbled(model.status_byte(args[0]))
        elif head == b"\x1bt":
            model.code_page = CODE_PAGES.get(args[0], "cp437")
        elif head == b"\x1b@":
            model.code_page = "cp437"  # ESC @ restores the power-on code table
        elif head == b"\x1bp" and not model.is_offline:
            model.drawer_kicks.append(args[0])
            model.drawer_open = True
        elif head == b"\x1bd" and model.current:
            model.feed()

    def _garbled(self, reply: bytes) -> bytes:
        if self.garble_replies <= 0 or not reply:
            return reply
        self.garble_replies -= 1
        return bytes([reply[0] | 0x81])  # fixed bits 0 and 7 broken


def _variable_length(emu: EscPosEmulator, buf: bytearray) -> int:
    """Consume GS V, GS k, GS ( k and raster images; return bytes used or INCOMPLETE."""
    head = bytes(buf[:2])
    if head == b"\x1dV":
        return _cut(emu, buf)
    if head == b"\x1dk":
        return _barcode(emu, buf)
    if head == b"\x1d(":
        if len(buf) < 5:
            return INCOMPLETE
        size = 5 + buf[3] + 256 * buf[4]
        if len(buf) < size:
            return INCOMPLETE
        # GS ( k <pL pH> 1 P 0 <data> stores the QR payload (function 180).
        if buf[2:3] == b"k" and buf[6:8] == b"P0":
            emu.model.qr_codes.append(bytes(buf[8:size]).decode("ascii", "replace"))
        return size
    if head == b"\x1dv":
        if len(buf) < 8:
            return INCOMPLETE
        size = 8 + (buf[4] + 256 * buf[5]) * (buf[6] + 256 * buf[7])
        return size if len(buf) >= size else INCOMPLETE
    return 2  # unknown two-byte command: skip it rather than print it


def _cut(emu: EscPosEmulator, buf: bytearray) -> int:
    if len(buf) < 3:
        return INCOMPLETE
    # GS V m: m = 0/1/48/49 alone; m = 65/66 take a feed amount n.
    size = 4 if buf[2] in (65, 66) else 3
    if len(buf) < size:
        return INCOMPLETE
    if not emu.model.is_offline:
        if emu.model.current:
            emu.model.feed()
        emu.model.cuts += 1
    return size


def _barcode(emu: EscPosEmulator, buf: bytearray) -> int:
    if len(buf) < 3:
        return INCOMPLETE
    kind = buf[2]
    if kind <= 6:  # GS k m d1..dk NUL
        end = buf.find(b"\x00", 3)
        if end == -1:
            return INCOMPLETE
        data, size = bytes(buf[3:end]), end + 1
    else:  # GS k m n d1..dn
        if len(buf) < 4 or len(buf) < 4 + buf[3]:
            return INCOMPLETE
        data, size = bytes(buf[4 : 4 + buf[3]]), 4 + buf[3]
    if not emu.model.is_offline:
        emu.model.barcodes.append(data.decode("ascii", "replace"))
    return size
