"""Emulate devices' wire protocols on pseudo-terminals for tests and the demo."""

from devices.emulators.base import PtyEmulator

__all__ = ["PtyEmulator"]
