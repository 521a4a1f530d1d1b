"""Run the Shtrih-M ENQ/ACK/NAK link layer over a transport (devices.md §3.1.3).

Before each command: ENQ. NAK = idle, send. ACK = an answer from an earlier command is
pending: read it, ACK it, and only then send. After the frame the device answers ACK plus
the answer, or NAK (bad LRC: resend). A garbled answer is NAKed and fetched again with ENQ.
A command whose answer never came is "in doubt": ENQ asks for the pending answer; a query is
then resent, anything else raises DeviceTimeout for the driver to reconcile from device state.

A device that answers late (starved, not silent) still answers every byte it was sent: the
frame the host gave up on, and each ENQ sent after it (a pending answer is repeated until
ACKed). Those late replies would be read as the answers to later commands, and a late NAK as
the device refusing a fresh frame, which is then sent again although the device executed it:
a receipt line printed twice. So after any read timed out, the link waits for the line to go
quiet and discards what arrives before it sends anything else.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from devices.errors import DeviceTimeout, GarbledFrame
from devices.fiscal.shtrih_codec import Answer, decode_answer, encode_request
from devices.fiscal.shtrih_tables import ACK, ENQ, ERROR_BUSY, NAK, QUERIES, STX, error_for
from devices.transport import SerialTransport

_DRAIN_SETTLE_S = 0.01
_MAX_LATE_BYTES = 4096  # a line still talking after this many stray bytes is not a Shtrih


@dataclass
class LinkStats:
    """Count what the link had to recover from, for logs and tests."""

    commands: int = 0
    naks_received: int = 0
    garbled_answers: int = 0
    busy_waits: int = 0
    doubts: int = 0
    late_bytes_discarded: int = 0
    recovered: list[Answer] = field(default_factory=list)


class ShtrihLink:
    """Exchange one command for one answer, retrying only what is safe to retry."""

    def __init__(
        self,
        transport: SerialTransport,
        password: int,
        *,
        retries: int = 3,
        busy_retries: int = 50,
        busy_wait_s: float = 0.05,
    ) -> None:
        self.transport = transport
        self.password = password
        self.retries = retries
        self.busy_retries = busy_retries
        self.busy_wait_s = busy_wait_s
        self.stats = LinkStats()
        self._late_replies_possible = False

    def execute(self, command: int, data: bytes = b"") -> Answer:
        """Run `command` and return its successful answer, or raise the mapped DeviceError."""
        for _ in range(self.busy_retries + 1):
            answer = self._transact(command, data)
            if answer.error != ERROR_BUSY:
                break
            # 0x50: still printing the previous result; the command was not executed.
            self.stats.busy_waits += 1
            time.sleep(self.busy_wait_s)
        if answer.error:
            raise error_for(answer.error, command)
        return answer

    def collect_pending(self) -> Answer | None:
        """Send ENQ; return (and acknowledge) an answer the device was still holding."""
        reply = self._poll()
        if reply is None:
            raise DeviceTimeout("no reply to ENQ")
        if reply == NAK:
            return None
        pending = self._receive()
        if pending is not None:
            self.stats.recovered.append(pending)
        return pending

    def _transact(self, command: int, data: bytes) -> Answer:
        request = encode_request(command, self.password, data)
        self.stats.commands += 1
        for attempt in range(self.retries + 1):
            self.resync()
            pending = self.collect_pending()
            if attempt and pending is not None and pending.command == command:
                return pending  # the NAK was not for this frame: the device executed it
            self.transport.write(request)
            reply = self._read_byte()
            if reply == NAK:
                self.stats.naks_received += 1
                continue  # a bad frame, not executed; ENQ first confirms that before resending
            answer = self._receive() if reply == ACK else None
            if answer is None:
                self.stats.doubts += 1
                answer = self.collect_pending()
            if answer is not None:
                if answer.command != command:
                    raise GarbledFrame(f"answer to 0x{answer.command:X}, sent 0x{command:X}")
                return answer
            if command not in QUERIES:
                raise DeviceTimeout(f"no answer to 0x{command:X}; outcome must be reconciled")
        raise DeviceTimeout(f"0x{command:X} not accepted after {self.retries + 1} tries")

    def resync(self) -> None:
        """After a read timed out, discard late replies until the line is quiet a while.

        A late device sends its replies back to back, so half a read timeout of silence
        means it has said all it owed; a silent device costs only that half timeout.
        """
        if not self._late_replies_possible:
            return
        self._late_replies_possible = False
        quiet_s = self.transport.timeout_s / 2
        for _ in range(_MAX_LATE_BYTES):
            try:
                self.transport.read_exact(1, timeout=quiet_s)
            except DeviceTimeout:
                return
            self.stats.late_bytes_discarded += 1
        raise GarbledFrame("the line never went quiet")

    def _read_byte(self) -> int | None:
        try:
            return self.transport.read_exact(1)[0]
        except DeviceTimeout:
            self._late_replies_possible = True
            return None

    def _poll(self) -> int | None:
        for _ in range(self.retries):
            self.transport.write(bytes([ENQ]))
            reply = self._read_byte()
            if reply in (ACK, NAK):
                return reply
            if reply is not None:
                self._drain()  # anything else: drain input and ask again (§3.1.3)
        return None

    def _receive(self) -> Answer | None:
        """Read one answer, NAKing garbled copies and re-requesting them; None on silence."""
        for _ in range(self.retries + 1):
            try:
                answer = self._read_frame()
            except GarbledFrame:
                self.stats.garbled_answers += 1
                self._drain()
                self.transport.write(bytes([NAK]))
                if self._poll() != ACK:
                    return None
                continue
            if answer is None:
                return None
            self.transport.write(bytes([ACK]))
            return answer
        raise GarbledFrame(f"answer still garbled after {self.retries + 1} reads")

    def _read_frame(self) -> Answer | None:
        head = self._read_byte()
        if head is None:
            return None
        if head != STX:
            raise GarbledFrame(f"expected STX, got 0x{head:02X}")
        try:
            length = self.transport.read_exact(1)[0]
            rest = self.transport.read_exact(length + 1)
        except DeviceTimeout as exc:
            self._late_replies_possible = True
            raise GarbledFrame("truncated answer") from exc
        return decode_answer(bytes([STX, length]) + rest)

    def _drain(self) -> None:
        time.sleep(_DRAIN_SETTLE_S)
        self.transport.reset_input()
