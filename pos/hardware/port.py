"""One owner per port: a thread that holds a device's driver and runs its commands in turn.

Commands of one device are serialised through its queue; a stalled printer blocks only its
own thread. While idle, the thread refreshes the device's cached status. A lost link closes
the driver; the next command opens it again.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

from devices.config import DeviceConfig, open_device
from devices.errors import DeviceAbsent, DeviceError, DeviceTimeout, Disconnected, PortBusy
from pos.hardware.probe import probe

log = logging.getLogger(__name__)
Opener = Callable[[DeviceConfig], Any]
_REOPEN = (DeviceAbsent, Disconnected, PortBusy)
_SILENT = (*_REOPEN, DeviceTimeout)


class DevicePort:
    """Own one device: its driver, its command queue and its last known status."""

    def __init__(self, device_id: int, till_id: int, config: DeviceConfig, *,
                 opener: Opener = open_device, status_every_s: float = 2.0) -> None:
        self.device_id, self.till_id, self.kind = device_id, till_id, config.kind
        self.config, self.opener, self.status_every_s = config, opener, status_every_s
        self.driver: Any = None
        self.status: dict[str, Any] = {"online": False, "paper": "unknown",
                                       "last_error": None, "last_error_code": None,
                                       "checked_at": None}
        self._jobs: queue.Queue[tuple[Callable[[Any], Any], Future[Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._serve, daemon=True,
                                        name=f"device-{config.kind}-{till_id}")
        self._stopping = False

    def start(self) -> DevicePort:
        """Start the port's thread."""
        self._thread.start()
        return self

    def submit(self, command: Callable[[Any], Any]) -> Future[Any]:
        """Queue ``command(driver)``; its future holds the result or the DeviceError."""
        future: Future[Any] = Future()
        self._jobs.put((command, future))
        return future

    def call(self, command: Callable[[Any], Any], timeout_s: float) -> Any:
        """Run ``command(driver)`` on the port's thread and wait for it (bounded)."""
        return self.submit(command).result(timeout=timeout_s)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Finish the current command, close the driver and end the thread."""
        self._stopping = True
        self._jobs.put(None)
        self._thread.join(timeout_s)

    def _serve(self) -> None:
        next_probe = 0.0
        while not self._stopping:
            try:
                job = self._jobs.get(timeout=max(0.05, next_probe - time.monotonic()))
            except queue.Empty:
                job = (probe, Future())
                next_probe = time.monotonic() + self.status_every_s
            if job is None:
                break
            self._execute(*job)
        self._close_driver()

    def _execute(self, command: Callable[[Any], Any], future: Future[Any]) -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            if self.driver is None:
                self.driver = self.opener(self.config)
            result = command(self.driver)
        except DeviceError as error:
            self._note_error(error)
            future.set_exception(error)
            return
        except Exception as error:  # a driver bug must not kill the port's thread
            log.exception("device %s of till %s failed", self.kind, self.till_id)
            self._note_error(DeviceError(f"{type(error).__name__}: {error}"))
            future.set_exception(error)
            return
        if command is probe and isinstance(result, dict):
            self.status = {**result, "online": True, "last_error": None,
                           "last_error_code": None, "checked_at": _now()}
        # Other commands may have met and handled a device error themselves (the outbox
        # records its own): the next probe says whether the device answers.
        future.set_result(result)

    def _note_error(self, error: DeviceError) -> None:
        self.status = {**self.status, "online": not isinstance(error, _SILENT),
                       "last_error": error.message, "last_error_code": error.code,
                       "checked_at": _now()}
        if isinstance(error, _REOPEN):
            self._close_driver()

    def _close_driver(self) -> None:
        driver, self.driver = self.driver, None
        if driver is not None:
            try:
                driver.close()
            except (DeviceError, OSError):
                pass


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
