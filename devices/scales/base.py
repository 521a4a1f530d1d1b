"""Define the scale interface, the weight reading and the rule deciding which weight counts."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, runtime_checkable

from devices.errors import (
    BelowMinimumWeight,
    NegativeWeight,
    Overload,
    Underload,
    UnstableWeight,
)

# Exact conversions to kilograms; 1 lb = 0.45359237 kg by definition (international pound).
KG_PER_UNIT: dict[str, Decimal] = {
    "kg": Decimal(1),
    "g": Decimal("0.001"),
    "mg": Decimal("0.000001"),
    "lb": Decimal("0.45359237"),
    "oz": Decimal("0.45359237") / 16,
}
POLL_INTERVAL_S = 0.05


def to_kg(value: Decimal, unit: str) -> Decimal:
    """Convert a weight in a scale unit to kilograms exactly."""
    try:
        return value * KG_PER_UNIT[unit]
    except KeyError as exc:
        raise ValueError(f"unknown weight unit {unit!r}") from exc


@dataclass(frozen=True)
class WeightReading:
    """Hold one answer of a scale; weights are exact Decimal kilograms, None when not reported."""

    net_kg: Decimal | None
    is_stable: bool
    tare_kg: Decimal | None = None
    unit: str = "kg"
    is_overload: bool = False
    is_underload: bool = False
    raw: bytes = b""

    @property
    def gross_kg(self) -> Decimal | None:
        """Return net plus tare when both are known."""
        if self.net_kg is None:
            return None
        return self.net_kg + (self.tare_kg or Decimal(0))


def accept(reading: WeightReading, min_weight_kg: Decimal = Decimal(0)) -> Decimal:
    """Return the net weight if it may be sold, else raise why not (devices.md §4.6)."""
    if reading.is_overload:
        raise Overload()
    if reading.is_underload:
        raise Underload()
    if not reading.is_stable or reading.net_kg is None:
        raise UnstableWeight()
    if reading.net_kg < 0:
        raise NegativeWeight(f"net weight {reading.net_kg} kg is negative")
    if reading.net_kg < min_weight_kg:
        raise BelowMinimumWeight(f"{reading.net_kg} kg is below the minimum {min_weight_kg} kg")
    return reading.net_kg


def poll_stable(
    read: Callable[[], WeightReading],
    timeout_s: float,
    min_weight_kg: Decimal = Decimal(0),
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> WeightReading:
    """Re-read until a reading is accepted; keep waiting only while the weight is unstable."""
    deadline = clock() + timeout_s
    while True:
        reading = read()
        try:
            accept(reading, min_weight_kg)
            return reading
        except UnstableWeight:
            if clock() >= deadline:
                raise UnstableWeight(f"weight not stable within {timeout_s} s") from None
        sleep(POLL_INTERVAL_S)


@runtime_checkable
class Scale(Protocol):
    """Read weights and drive zero and tare on a scale."""

    def read(self) -> WeightReading:
        """Ask for the current weight, stable or not."""
        ...

    def read_stable(self, timeout_s: float) -> WeightReading:
        """Return an accepted reading, or raise the DeviceError saying why none was."""
        ...

    def tare(self) -> None:
        """Take the current load as tare."""
        ...

    def zero(self) -> None:
        """Set the current load as zero."""
        ...

    def clear_tare(self) -> None:
        """Remove the tare."""
        ...

    def close(self) -> None:
        """Release the connection; safe to call twice."""
        ...


__all__ = [
    "Scale",
    "WeightReading",
    "accept",
    "poll_stable",
    "to_kg",
]
