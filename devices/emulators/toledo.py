"""Emulate a Mettler-Toledo 8217 scale, and the load cell model both scale emulators share."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from devices.emulators.base import PtyEmulator
from devices.scales import toledo8217_codec as codec

DEFAULT_CAPACITY_KG = Decimal(15)


@dataclass
class ScaleModel:
    """Hold what is on the platter, the zero point, the tare and the motion of a scale."""

    load_kg: Decimal = Decimal(0)
    zero_kg: Decimal = Decimal(0)
    tare_kg: Decimal = Decimal(0)
    capacity_kg: Decimal = DEFAULT_CAPACITY_KG
    is_in_motion: bool = False

    @property
    def gross_kg(self) -> Decimal:
        """Return the load above the zero point."""
        return self.load_kg - self.zero_kg

    @property
    def net_kg(self) -> Decimal:
        """Return gross minus tare."""
        return self.gross_kg - self.tare_kg

    @property
    def is_overload(self) -> bool:
        """Tell whether the gross load exceeds capacity."""
        return self.gross_kg > self.capacity_kg

    @property
    def is_underload(self) -> bool:
        """Tell whether the gross load is below zero (platter lifted, zero drifted)."""
        return self.gross_kg < 0

    def place(self, load_kg: Decimal | str, *, is_in_motion: bool = False) -> None:
        """Put a load on the platter."""
        self.load_kg = Decimal(load_kg)
        self.is_in_motion = is_in_motion

    def zero(self) -> bool:
        """Take the current load as zero; refuse while in motion."""
        if self.is_in_motion:
            return False
        self.zero_kg, self.tare_kg = self.load_kg, Decimal(0)
        return True

    def tare(self) -> bool:
        """Take the gross load as tare; refuse while in motion or out of range."""
        if self.is_in_motion or self.is_overload or self.is_underload:
            return False
        self.tare_kg = self.gross_kg
        return True


class Toledo8217Emulator(PtyEmulator):
    """Answer W with the weight or a '?' status; obey Z, T and C silently."""

    kind = "scale-toledo"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.scale = ScaleModel()
        self.garble_replies = 0  # fault: corrupt this many of the next replies
        self.commands: list[str] = []

    def handle(self, data: bytes) -> bytes:
        """Run each one-letter command; only W and unknown letters produce a reply."""
        replies = b""
        for letter in data.decode("ascii", "replace"):
            self.commands.append(letter)
            replies += self._run(letter)
        return replies

    def _run(self, letter: str) -> bytes:
        if letter == "W":
            return self._garbled(self._weight_reply())
        if letter == "Z":
            self.scale.zero()
        elif letter == "T":
            self.scale.tare()
        elif letter == "C":
            self.scale.tare_kg = Decimal(0)
        else:
            return codec.encode_status({"bad_command"})
        return b""

    def _weight_reply(self) -> bytes:
        scale = self.scale
        flags = {
            "in_motion": scale.is_in_motion,
            "over_capacity": scale.is_overload,
            "under_zero": scale.net_kg < 0,
        }
        if any(flags.values()):
            return codec.encode_status({name for name, on in flags.items() if on})
        return codec.encode_weight(scale.net_kg)

    def _garbled(self, reply: bytes) -> bytes:
        if self.garble_replies <= 0:
            return reply
        self.garble_replies -= 1
        return b"\xff" + reply[1:]  # STX lost on the line
