"""Drive a scale speaking MT-SICS: SI weighs, Z zeroes, T tares, TAC clears tare."""

from __future__ import annotations

from decimal import Decimal

from devices.config import DeviceConfig
from devices.scales import mtsics_codec as codec
from devices.scales.base import WeightReading
from devices.scales.driver import SerialScaleDriver, min_weight_kg
from devices.transport import SerialTransport

MAX_LINE = 128


# The command each reply echoes, where it is not the command itself.
_ECHOES = {"SI": "S", "@": "I4"}
_KNOWN_ECHOES = frozenset(_ECHOES.get(c, c) for c in codec.COMMANDS.values())
MAX_STALE_REPLIES = 3


class MtSicsScale(SerialScaleDriver):
    """Read weights and drive zero and tare on an MT-SICS instrument."""

    @classmethod
    def from_config(cls, config: DeviceConfig) -> MtSicsScale:
        """Build the driver; line settings are whatever the instrument is configured for."""
        return cls(
            SerialTransport(config.url, **config.transport_kwargs()),
            min_weight_kg=min_weight_kg(config),
            retries=config.retries,
        )

    def read(self) -> WeightReading:
        """Send SI: the weight now, flagged stable (S S) or dynamic (S D)."""
        return self._with_retries(lambda: self._weigh("weigh_now"))

    def read_tare(self) -> Decimal:
        """Send TA and return the tare in kg."""
        return codec.tare_of(codec.expect(self._ask("tare_value"), "TA"))

    def zero(self) -> None:
        """Send Z and expect Z A."""
        codec.expect(self._ask("zero"), "Z")

    def tare(self) -> None:
        """Send T and expect T S with the stored tare."""
        codec.expect(self._ask("tare"), "T", ok="S")

    def clear_tare(self) -> None:
        """Send TAC and expect TAC A."""
        codec.expect(self._ask("clear_tare"), "TAC")

    def serial_number(self) -> str:
        """Send I4 and return the instrument's serial number."""
        reply = codec.expect(self._ask("serial_number"), "I4")
        return " ".join(reply.fields).strip('"')

    def reset(self) -> None:
        """Send @; the instrument answers with its serial number (I4 A)."""
        codec.expect(self._ask("reset"), "I4")

    def _weigh(self, name: str) -> WeightReading:
        line = self._exchange(name)
        return codec.to_reading(codec.parse(line), raw=line)

    def _ask(self, name: str) -> codec.SicsReply:
        return self._with_retries(lambda: codec.parse(self._exchange(name)))

    def _exchange(self, name: str) -> bytes:
        command = codec.COMMANDS[name]
        echo = _ECHOES.get(command, command)
        self.transport.open()
        self.transport.reset_input()
        self.transport.write(codec.encode(command))
        # A reply that missed its timeout can still arrive after the retry's input reset: it
        # answers an earlier command (its echo says which), so it is skipped, not taken as ours.
        for _ in range(MAX_STALE_REPLIES):
            line = self.transport.read_until(codec.TERMINATOR, max_size=MAX_LINE)
            first = line.split(b" ", 1)[0].strip().decode("ascii", "replace")
            if first == echo or first not in _KNOWN_ECHOES:
                return line  # ours, or garbled: the codec judges it
        return self.transport.read_until(codec.TERMINATOR, max_size=MAX_LINE)
