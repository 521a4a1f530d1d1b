"""Describe a device connection and open the matching driver."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from devices.errors import DeviceMisconfigured

# (kind, protocol) -> "module:Class". Modules load on first use so a missing optional
# driver never breaks the others.
DRIVERS: dict[tuple[str, str], str] = {
    ("fiscal", "shtrih"): "devices.fiscal.shtrih:ShtrihRegistrar",
    ("fiscal", "fake"): "devices.fiscal.fake:FakeRegistrar",
    ("printer", "escpos"): "devices.printers.escpos:EscPosPrinter",
    ("printer", "fake"): "devices.printers.fake:FakePrinter",
    ("scale", "toledo8217"): "devices.scales.toledo8217:Toledo8217Scale",
    ("scale", "mtsics"): "devices.scales.mtsics:MtSicsScale",
    ("scale", "fake"): "devices.scales.fake:FakeScale",
}


@dataclass(frozen=True)
class DeviceConfig:
    """Hold one device's connection and protocol settings."""

    kind: str
    protocol: str
    url: str = ""
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1
    timeout_s: float = 1.0
    write_timeout_s: float = 1.0
    retries: int = 3
    password: int | None = None
    profile: str | None = None
    min_weight_g: int | None = None
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)

    def transport_kwargs(self) -> dict[str, Any]:
        """Return the keyword arguments for `SerialTransport` from these settings."""
        return {
            "baudrate": self.baudrate,
            "bytesize": self.bytesize,
            "parity": self.parity,
            "stopbits": self.stopbits,
            "timeout_s": self.timeout_s,
            "write_timeout_s": self.write_timeout_s,
        }


def driver_class(kind: str, protocol: str) -> type[Any]:
    """Return the driver class registered for (kind, protocol)."""
    try:
        target = DRIVERS[(kind, protocol)]
    except KeyError:
        raise DeviceMisconfigured(f"no driver for {kind}/{protocol}") from None
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def open_device(config: DeviceConfig) -> Any:
    """Build the driver for `config` through its `from_config` classmethod."""
    return driver_class(config.kind, config.protocol).from_config(config)
