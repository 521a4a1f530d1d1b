"""Serve scripted weights and faults from memory, for business tests."""

from __future__ import annotations

from collections import deque
from decimal import Decimal

from devices.config import DeviceConfig
from devices.errors import DeviceError
from devices.scales.base import WeightReading, poll_stable
from devices.scales.driver import min_weight_kg


class FakeScale:
    """Implement Scale in memory: a load on the platter, scripted readings and faults."""

    def __init__(self, min_weight_kg: Decimal = Decimal(0)) -> None:
        self.min_weight_kg = min_weight_kg
        self.load_kg = Decimal(0)
        self.tare_kg = Decimal(0)
        self.is_stable = True
        self.is_overload = False
        self.is_underload = False
        self.calls: list[str] = []
        self.is_closed = False
        self._script: deque[WeightReading | DeviceError] = deque()

    @classmethod
    def from_config(cls, config: DeviceConfig) -> FakeScale:
        """Build a fake with the configured minimum weight."""
        return cls(min_weight_kg=min_weight_kg(config))

    def place(self, load_kg: Decimal | str, *, is_stable: bool = True) -> None:
        """Put a load on the platter."""
        self.load_kg = Decimal(load_kg)
        self.is_stable = is_stable

    def script(self, *answers: WeightReading | DeviceError) -> None:
        """Queue readings or errors to return from the next reads, before the platter state."""
        self._script.extend(answers)

    def read(self) -> WeightReading:
        """Return the next scripted answer, or the platter state."""
        self.calls.append("read")
        if self._script:
            answer = self._script.popleft()
            if isinstance(answer, DeviceError):
                raise answer
            return answer
        return WeightReading(
            net_kg=self.load_kg - self.tare_kg,
            is_stable=self.is_stable,
            tare_kg=self.tare_kg,
            is_overload=self.is_overload,
            is_underload=self.is_underload,
        )

    def read_stable(self, timeout_s: float) -> WeightReading:
        """Apply the same acceptance rule as the real drivers."""
        return poll_stable(self.read, timeout_s, self.min_weight_kg, sleep=lambda _: None)

    def tare(self) -> None:
        """Take the current load as tare."""
        self.calls.append("tare")
        self.tare_kg = self.load_kg

    def zero(self) -> None:
        """Zero: forget the tare and what is on the platter."""
        self.calls.append("zero")
        self.load_kg = Decimal(0)
        self.tare_kg = Decimal(0)

    def clear_tare(self) -> None:
        """Remove the tare."""
        self.calls.append("clear_tare")
        self.tare_kg = Decimal(0)

    def close(self) -> None:
        """Mark the fake closed."""
        self.calls.append("close")
        self.is_closed = True
