"""Share what serial scale drivers have in common: retries, stable reads, closing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from devices.config import DeviceConfig
from devices.errors import DeviceTimeout, GarbledFrame
from devices.scales.base import WeightReading, poll_stable
from devices.transport import SerialTransport

T = TypeVar("T")
# Errors worth asking again for: a lost or damaged reply (devices.md §7.4 "bounded retries").
RETRYABLE = (DeviceTimeout, GarbledFrame)


def min_weight_kg(config: DeviceConfig) -> Decimal:
    """Return the configured minimum weight in kg (OIML R76 Min), zero when unset."""
    return Decimal(config.min_weight_g or 0) / 1000


class SerialScaleDriver:
    """Hold a scale's transport and acceptance settings; subclasses speak the protocol."""

    def __init__(
        self,
        transport: SerialTransport,
        *,
        min_weight_kg: Decimal = Decimal(0),
        retries: int = 1,
    ) -> None:
        self.transport = transport
        self.min_weight_kg = min_weight_kg
        self.retries = retries

    def read(self) -> WeightReading:
        """Ask for the current weight, stable or not."""
        raise NotImplementedError

    def read_stable(self, timeout_s: float) -> WeightReading:
        """Re-read until a reading is accepted or raise why none was; nothing is cached."""
        return poll_stable(self.read, timeout_s, self.min_weight_kg)

    def close(self) -> None:
        """Close the port; safe to call twice."""
        self.transport.close()

    def _with_retries(self, ask: Callable[[], T]) -> T:
        for _ in range(self.retries):
            try:
                return ask()
            except RETRYABLE:
                self._drain()
        return ask()

    def _drain(self) -> None:
        # Late bytes of a slow reply would otherwise be read as the next answer.
        if self.transport.is_open:
            self.transport.reset_input()
