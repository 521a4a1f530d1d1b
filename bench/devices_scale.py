"""Measure scale reading rate at 9600 baud against emulators that honour wire time."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/devices_scale.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devices.config import DeviceConfig, open_device  # noqa: E402
from devices.emulators.base import PtyEmulator  # noqa: E402
from devices.emulators.mtsics import MtSicsEmulator  # noqa: E402
from devices.emulators.toledo import Toledo8217Emulator  # noqa: E402

BAUD = 9600
TARGET_PER_S = 5.0
# protocol -> (emulator class, line settings); 8217 is 7E1 (devices.md §4.1).
PROTOCOLS: dict[str, tuple[type[PtyEmulator], dict[str, object]]] = {
    "toledo8217": (Toledo8217Emulator, {"bytesize": 7, "parity": "E", "stopbits": 1}),
    "mtsics": (MtSicsEmulator, {"bytesize": 8, "parity": "N", "stopbits": 1}),
}


@dataclass(frozen=True)
class Figure:
    """Hold one measured rate."""

    protocol: str
    operation: str
    count: int
    seconds: float

    @property
    def per_second(self) -> float:
        """Return operations per second."""
        return self.count / self.seconds


def _rate(protocol: str, operation: str, call: Callable[[], object], seconds: float) -> Figure:
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        call()
        count += 1
    return Figure(protocol, operation, count, elapsed)


def measure(protocol: str, seconds: float = 1.0) -> list[Figure]:
    """Measure read() and read_stable() rates for one protocol at 9600 baud."""
    emulator_cls, line = PROTOCOLS[protocol]
    with emulator_cls(baudrate=BAUD, **line) as emulator:  # type: ignore[arg-type]
        emulator.scale.place("1.234")  # type: ignore[attr-defined]
        config = DeviceConfig("scale", protocol, url=emulator.url, baudrate=BAUD, **line)  # type: ignore[arg-type]
        scale = open_device(config)
        try:
            return [
                _rate(protocol, "read", scale.read, seconds),
                _rate(protocol, "read_stable", lambda: scale.read_stable(1.0), seconds),
            ]
        finally:
            scale.close()


def bench_scales(seconds: float = 1.0) -> list[Figure]:
    """Print and return reading rates for every scale protocol."""
    figures = [figure for protocol in PROTOCOLS for figure in measure(protocol, seconds)]
    print(f"scale reading rate at {BAUD} baud, emulator honouring wire time "
          f"(target >= {TARGET_PER_S:g}/s)")
    for f in figures:
        verdict = "ok" if f.per_second >= TARGET_PER_S else "BELOW TARGET"
        print(f"  {f.protocol:<11} {f.operation:<12} {f.per_second:8.1f}/s "
              f"({f.count} in {f.seconds:.2f} s) {verdict}")
    return figures


if __name__ == "__main__":
    bench_scales()
