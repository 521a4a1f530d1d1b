"""Emulate an MT-SICS balance: S, SI, Z, T, TA, TAC, @ and I4 over CR LF lines."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from devices.emulators.base import PtyEmulator
from devices.emulators.toledo import ScaleModel
from devices.scales import mtsics_codec as codec
from devices.scales.base import KG_PER_UNIT

SERIAL_NUMBER = "B021002593"


class MtSicsEmulator(PtyEmulator):
    """Answer MT-SICS commands from a ScaleModel, with ES for unknown commands."""

    kind = "scale-mtsics"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.scale = ScaleModel()
        self.unit = "kg"
        self.garble_replies = 0  # fault: corrupt this many of the next replies
        # fault: a late reply to an earlier command, sent just before the next reply
        self.late_reply: bytes | None = None
        self.commands: list[str] = []
        self._buffer = b""

    def handle(self, data: bytes) -> bytes:
        """Run every complete command line received so far."""
        self._buffer += data
        replies = b""
        while codec.TERMINATOR in self._buffer:
            line, self._buffer = self._buffer.split(codec.TERMINATOR, 1)
            self.commands.append(line.decode("ascii", "replace"))
            replies += self._garbled(self._run(line.decode("ascii", "replace").split()))
        if replies and self.late_reply is not None:
            replies, self.late_reply = self.late_reply + replies, None
        return replies

    def _run(self, words: list[str]) -> bytes:
        name, args = (words[0], words[1:]) if words else ("", [])
        handler = {
            "S": self._weigh_stable, "SI": self._weigh_now, "Z": self._zero, "T": self._tare,
            "TA": self._tare_value, "TAC": self._clear_tare, "@": self._reset, "I4": self._identify,
        }.get(name)
        if handler is None:
            return _line("ES")
        return handler(args)

    def _range(self, command: str) -> bytes | None:
        if self.scale.is_overload:
            return _line(command, "+")
        if self.scale.is_underload:
            return _line(command, "-")
        return None

    def _weigh_stable(self, args: list[str]) -> bytes:
        # S waits for stability; a balance still moving at its timeout answers S I.
        if out := self._range("S"):
            return out
        return _line("S", "I") if self.scale.is_in_motion else self._weight("S", "S")

    def _weigh_now(self, args: list[str]) -> bytes:
        if out := self._range("S"):
            return out
        return self._weight("S", "D" if self.scale.is_in_motion else "S")

    def _zero(self, args: list[str]) -> bytes:
        return _line("Z", "A" if self.scale.zero() else "I")

    def _tare(self, args: list[str]) -> bytes:
        if out := self._range("T"):
            return out
        if not self.scale.tare():
            return _line("T", "I")
        tare = self.scale.tare_kg / KG_PER_UNIT[self.unit]
        return _line("T", "S", codec.format_weight(tare, self.unit))

    def _tare_value(self, args: list[str]) -> bytes:
        if args:
            try:
                unit = args[1] if len(args) > 1 else self.unit
                self.scale.tare_kg = Decimal(args[0]) * KG_PER_UNIT[unit]
            except (InvalidOperation, KeyError):
                return _line("TA", "L")
        tare = self.scale.tare_kg / KG_PER_UNIT[self.unit]
        return _line("TA", "A", codec.format_weight(tare, self.unit))

    def _clear_tare(self, args: list[str]) -> bytes:
        self.scale.tare_kg = Decimal(0)
        return _line("TAC", "A")

    def _reset(self, args: list[str]) -> bytes:
        # @ clears the tare and answers like I4 (MT-SICS level 0).
        self.scale.tare_kg = Decimal(0)
        return self._identify(args)

    def _identify(self, args: list[str]) -> bytes:
        return _line("I4", "A", f'"{SERIAL_NUMBER}"')

    def _weight(self, command: str, status: str) -> bytes:
        value = self.scale.net_kg / KG_PER_UNIT[self.unit]
        return _line(command, status, codec.format_weight(value, self.unit))

    def _garbled(self, reply: bytes) -> bytes:
        if self.garble_replies <= 0 or not reply:
            return reply
        self.garble_replies -= 1
        return b"\xfe" + reply[1:]  # a flipped bit makes the line non-ASCII


def _line(*parts: str) -> bytes:
    return " ".join(parts).encode("ascii") + codec.TERMINATOR
