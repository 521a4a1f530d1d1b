"""Start device emulators on pseudo-terminals for driver tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest

from devices.emulators.base import PtyEmulator
from devices.emulators.shtrih import ShtrihEmulator
from devices.fiscal.shtrih import ShtrihRegistrar
from devices.transport import SerialTransport

if sys.platform == "win32":  # the pty module is POSIX-only (devices.md §2.2 recipe)
    collect_ignore_glob = ["test_*.py"]

E = TypeVar("E", bound=PtyEmulator)


@contextmanager
def running(emulator: E) -> Iterator[E]:
    """Start `emulator`, yield it, and stop it whatever happens."""
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def start_emulator() -> Iterator[object]:
    """Return a starter that runs an emulator until the test ends."""
    started: list[PtyEmulator] = []

    def start(emulator: E) -> E:
        started.append(emulator)
        return emulator.start()  # type: ignore[return-value]

    yield start
    for emulator in reversed(started):
        emulator.stop()


# -- fiscal registrar -----------------------------------------------------------------
# Generous enough for a loaded CI machine (two test workers and PostgreSQL on two cores):
# a stall longer than this on every retry is read as a silent device.
FAST_TIMEOUT_S = 0.25


@pytest.fixture
def shtrih_emulator() -> Iterator[ShtrihEmulator]:
    """Run a Shtrih-M emulator on a pty."""
    with running(ShtrihEmulator()) as emulator:
        yield emulator


def connect_registrar(url: str, **options: Any) -> ShtrihRegistrar:
    """Return a Shtrih driver with test-sized timeouts for `url`."""
    link = SerialTransport(url, timeout_s=options.pop("timeout_s", FAST_TIMEOUT_S))
    return ShtrihRegistrar(link, **{"retries": 2, "busy_wait_s": 0.005, **options})


@pytest.fixture
def registrar(shtrih_emulator: ShtrihEmulator) -> Iterator[ShtrihRegistrar]:
    """Connect a Shtrih driver to the emulator."""
    driver = connect_registrar(shtrih_emulator.url)
    yield driver
    driver.close()
