"""Emulate a Shtrih-M fiscal registrar on a pty: link layer, state model and fault switches.

Link behaviour per devices.md §3.1.3: ENQ -> NAK when idle, ACK + the pending answer when one
is unacknowledged; a frame with a bad LRC -> NAK; a good frame -> ACK + answer, kept pending
until the host ACKs it. Faults are one-shot counters or switches a test flips (§7.4).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from devices.emulators.base import PtyEmulator
from devices.emulators.shtrih_model import Document, ShtrihModel
from devices.errors import GarbledFrame
from devices.fiscal.shtrih_codec import decode_request, encode_answer
from devices.fiscal.shtrih_tables import ACK, ENQ, ERROR_BUSY, NAK, STX

_FRAME_GAP_S = 0.5  # an incomplete frame older than this is dropped, as the FR's byte timeout
GARBLES = ("lrc", "stx", "truncate", "noise")


@dataclass
class Fault:
    """Trigger on `count` commands equal to `command` (None = any), after `skip` of them."""

    kind: str
    command: int | None = None
    count: int = 1
    skip: int = 0
    style: str = "lrc"
    delay_s: float = 0.0

    def take(self, command: int) -> bool:
        """Consume one occurrence of `command`; tell whether the fault fires on it."""
        if self.count <= 0 or self.command not in (None, command):
            return False
        if self.skip:
            self.skip -= 1
            return False
        self.count -= 1
        return True


class ShtrihEmulator(PtyEmulator):
    """Speak the Shtrih-M wire protocol with registrar state and injectable faults."""

    kind = "fiscal"

    def __init__(
        self,
        *,
        password: int = 30,
        clock: Callable[[], dt.datetime] | None = None,
        **line: object,
    ) -> None:
        super().__init__(**line)  # type: ignore[arg-type]
        self.model = ShtrihModel(password=password, clock=clock)
        self.commands: list[int] = []  # every command executed, in order
        self.faults: list[Fault] = []
        self._buffer = bytearray()
        self._frame_started = 0.0
        self._pending: bytes | None = None
        self._garbling: Fault | None = None

    # -- fault switches ------------------------------------------------------------
    def inject(
        self,
        kind: str,
        command: int | None = None,
        count: int = 1,
        skip: int = 0,
        style: str = "lrc",
        delay_s: float = 0.0,
    ) -> None:
        """Arm a fault: nak, garble, busy, lost_answer, swallow, slow, disconnect_before/after.

        `slow` executes the command and answers it `delay_s` late, as a starved device does:
        the host has given up waiting and sent ENQ, which the device then answers as well.
        """
        if style not in GARBLES:
            raise ValueError(f"unknown garble style {style!r}")
        self.faults.append(Fault(kind, command, count, skip, style, delay_s))

    def advance_clock(self, delta: dt.timedelta) -> None:
        """Move the device clock forward (for the 24 h shift rule)."""
        self.model.clock_offset += delta

    @property
    def receipts(self) -> list[Document]:
        """Return the receipts signed so far."""
        return self.model.receipts

    # -- link layer ----------------------------------------------------------------
    def handle(self, data: bytes) -> bytes:
        """Parse host bytes and return the reply bytes."""
        self._buffer += data
        out = bytearray()
        while self._buffer:
            head = self._buffer[0]
            if head == STX:
                frame = self._take_frame()
                if frame is None:
                    break
                out += self._on_frame(frame)
                continue
            del self._buffer[0]
            if head == ENQ:
                out += self._on_enq()
            elif head == ACK:
                self._pending = None
            # NAK keeps the pending answer for the next ENQ; other bytes are line noise.
        return bytes(out)

    def _on_enq(self) -> bytes:
        if self._pending is None:
            return bytes([NAK])
        fault = self._garbling
        if fault is not None and fault.count > 0:  # a persistently noisy line
            fault.count -= 1
            return bytes([ACK]) + _garble(self._pending, fault.style)
        return bytes([ACK]) + self._pending

    def tick(self) -> bytes:
        """Drop a frame whose remaining bytes never came."""
        if self._frame_started and time.monotonic() - self._frame_started > _FRAME_GAP_S:
            self._buffer.clear()
            self._frame_started = 0.0
        return b""

    def _take_frame(self) -> bytes | None:
        if len(self._buffer) < 2 or len(self._buffer) < self._buffer[1] + 3:
            self._frame_started = self._frame_started or time.monotonic()
            return None
        size = self._buffer[1] + 3
        frame = bytes(self._buffer[:size])
        del self._buffer[:size]
        self._frame_started = 0.0
        return frame

    def _on_frame(self, raw: bytes) -> bytes:
        try:
            request = decode_request(raw)
        except GarbledFrame:
            return bytes([NAK])
        fault = self._take_fault(request.command)
        kind = fault.kind if fault else ""
        self._garbling = fault if kind == "garble" else None
        if kind == "swallow":
            return b""
        if kind == "nak":
            return bytes([NAK])
        if kind == "disconnect_before":
            self._close_link()
            return b""
        if kind == "busy":
            self._pending = encode_answer(request.command, ERROR_BUSY)
            return bytes([ACK]) + self._pending
        error, data = self.model.execute(request)
        self.commands.append(request.command)
        self._pending = encode_answer(request.command, error, data)
        if kind == "disconnect_after":
            self._close_link()
            return b""
        if kind == "lost_answer":
            return bytes([ACK])  # executed; the answer waits for the next ENQ
        if kind == "slow":
            assert fault is not None
            time.sleep(fault.delay_s)  # bytes the host sends meanwhile queue up on the pty
        if self._garbling is not None:
            return bytes([ACK]) + _garble(self._pending, self._garbling.style)
        return bytes([ACK]) + self._pending

    def _take_fault(self, command: int) -> Fault | None:
        fired = [fault for fault in self.faults if fault.take(command)]
        return fired[0] if fired else None


def _garble(answer: bytes, style: str) -> bytes:
    """Corrupt an answer the way a noisy line would (devices.md §7.4 'Garbled frame')."""
    if style == "lrc":
        return answer[:-1] + bytes([answer[-1] ^ 0xFF])
    if style == "stx":
        return answer[1:]
    if style == "truncate":
        return answer[: len(answer) // 2]
    return bytes([0x7E, 0x13, 0xA5]) + answer
