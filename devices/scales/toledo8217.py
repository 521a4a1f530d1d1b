"""Drive a Mettler-Toledo 8217 scale: W weighs, Z zeroes, T tares, C clears tare."""

from __future__ import annotations

from decimal import Decimal

from devices.config import DeviceConfig
from devices.errors import GarbledFrame
from devices.scales import toledo8217_codec as codec
from devices.scales.base import WeightReading
from devices.scales.driver import SerialScaleDriver, min_weight_kg
from devices.transport import SerialTransport

MAX_FRAME = 16


class Toledo8217Scale(SerialScaleDriver):
    """Read weights from a Toledo 8217 scale; Z, T and C have no reply in this protocol."""

    def __init__(
        self,
        transport: SerialTransport,
        *,
        unit: str = "kg",
        min_weight_kg: Decimal = Decimal(0),
        retries: int = 1,
    ) -> None:
        super().__init__(transport, min_weight_kg=min_weight_kg, retries=retries)
        self.unit = unit

    @classmethod
    def from_config(cls, config: DeviceConfig) -> Toledo8217Scale:
        """Build the driver; line format is the protocol's 7E1, the baud rate is configurable."""
        kwargs = config.transport_kwargs() | {
            key: value for key, value in codec.LINE_SETTINGS.items() if key != "baudrate"
        }
        return cls(
            SerialTransport(config.url, **kwargs),
            unit=config.options.get("unit", "kg"),
            min_weight_kg=min_weight_kg(config),
            retries=config.retries,
        )

    def read(self) -> WeightReading:
        """Send W and decode the weight or the status reply."""
        return self._with_retries(self._weigh)

    def zero(self) -> None:
        """Send Z, then W to know it was processed."""
        self._command("zero")

    def tare(self) -> None:
        """Send T, then W to know it was processed."""
        self._command("tare")

    def clear_tare(self) -> None:
        """Send C, then W to know it was processed."""
        self._command("clear_tare")

    def _command(self, name: str) -> None:
        self.transport.open()
        self.transport.write(codec.COMMANDS[name])
        # Z, T and C have no reply; the reply to the W that follows proves the scale has
        # processed them, so the next caller never races the scale.
        self.read()

    def _weigh(self) -> WeightReading:
        self.transport.open()
        self.transport.reset_input()
        self.transport.write(codec.COMMANDS["weigh"])
        return codec.decode(self._read_frame(), self.unit)

    def _read_frame(self) -> bytes:
        head = self.transport.read_exact(2)
        if head[0] & codec.SEVEN_BITS != codec.STX:
            raise GarbledFrame(f"8217 reply does not start with STX: {head!r}")
        # '?' is followed by one status byte that may itself equal CR, so read it by length.
        if head[1] & codec.SEVEN_BITS == codec.STATUS_MARK:
            return head + self.transport.read_exact(2)
        return head + self.transport.read_until(b"\r", max_size=MAX_FRAME)
