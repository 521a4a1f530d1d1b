"""Start device emulators on pseudo-terminals for driver tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

import pytest

from devices.emulators.base import PtyEmulator

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
