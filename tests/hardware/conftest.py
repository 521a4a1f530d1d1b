"""A device service on loopback, driving emulators on ptys, for the till's device tests."""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from devices.emulators.escpos import EscPosEmulator
from devices.emulators.shtrih import ShtrihEmulator
from devices.emulators.toledo import Toledo8217Emulator
from pos.hardware import client
from pos.hardware.daemon import DeviceService
from tests.helpers import CHANNEL_POLL_S

if sys.platform == "win32":
    collect_ignore_glob = ["test_*.py"]

# A healthy exchange takes milliseconds. Twice the driver tests' 250 ms, for the service's
# extra threads on a loaded 2-core machine; the Shtrih link drains an answer that comes late,
# so a shorter timeout costs a retry, never a second document.
DEVICE_TIMEOUT_MS = 500
WAIT_S = 60.0
# How long the till waits for a moving load to settle before it refuses the weight; the
# emulated scale never settles by itself, so the refusal cases wait all of it.
WEIGH_WAIT_S = 0.5


def wait_until(condition: Callable[[], Any], timeout_s: float = WAIT_S) -> Any:
    """Poll ``condition`` until it is truthy; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout_s} s: {condition}")
        time.sleep(0.02)


@pytest.fixture(autouse=True)
def short_weigh_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wait ``WEIGH_WAIT_S`` for a stable weight instead of the till's 3 s."""
    monkeypatch.setattr(client, "WEIGH_WAIT_S", WEIGH_WAIT_S)


@pytest.fixture
def registrar_emulator() -> Iterator[ShtrihEmulator]:
    """A Shtrih-M registrar on a pty."""
    emulator = ShtrihEmulator().start()
    yield emulator
    emulator.stop()


@pytest.fixture
def printer_emulator() -> Iterator[EscPosEmulator]:
    """An ESC/POS printer on a pty."""
    emulator = EscPosEmulator().start()
    yield emulator
    emulator.stop()


@pytest.fixture
def scale_emulator() -> Iterator[Toledo8217Emulator]:
    """A Toledo 8217 scale on a pty (7E1)."""
    emulator = Toledo8217Emulator(bytesize=7, parity="E").start()
    yield emulator
    emulator.stop()


def attach(api: Any, till_id: int, kind: str, protocol: str, url: str, **extra: Any) -> Any:
    """Attach a device to a till through the API, as the manager."""
    body = {"kind": kind, "protocol": protocol, "url": url, "timeout_ms": DEVICE_TIMEOUT_MS,
            "retries": 2, **extra}
    return api.as_("manager").post(f"/api/v1/tills/{till_id}/devices", json=body)


@pytest.fixture
def attached(api, shop, registrar_emulator, printer_emulator, scale_emulator
             ) -> dict[str, Any]:
    """Till 1 with the three emulated devices attached."""
    for args in (("fiscal", "shtrih", registrar_emulator.url, {"options": {"busy_wait_s": 0.005}}),
                 ("printer", "escpos", printer_emulator.url, {}),
                 ("scale", "toledo8217", scale_emulator.url,
                  {"bytesize": 7, "parity": "E", "min_weight_g": 40})):
        kind, protocol, url, extra = args
        assert attach(api, shop.till_id, kind, protocol, url, **extra).status_code == 201
    return {"fiscal": registrar_emulator, "printer": printer_emulator, "scale": scale_emulator}


def start_service(app: Any, db: Any, *, outbox: bool = False, **options: Any) -> DeviceService:
    """Start a device service on a free loopback port and point the app at it."""
    clock = app.extensions["pos.clock"]
    service = DeviceService(db, clock.now, address="127.0.0.1:0", poll_s=0.1,
                            status_every_s=0.2, backoff_s=0.0,
                            **{"channel_poll_s": CHANNEL_POLL_S, **options})
    service.start(outbox=outbox)
    settings = app.extensions["pos.settings"]
    app.extensions["pos.settings"] = dataclasses.replace(settings,
                                                         device_service=service.address)
    return service


@pytest.fixture
def device_service(app, db, attached) -> Iterator[DeviceService]:
    """The device service owning till 1's emulated devices (outbox driven by the test)."""
    service = start_service(app, db)
    yield service
    service.stop()
