"""What the device service does for a channel request: status, weigh, print, kick, X report."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from devices.errors import DeviceError
from pos.fiscal.service import tills_with_work
from pos.hardware.model import FISCAL, KINDS, PRINTER, SCALE
from pos.hardware.printing import print_job

if TYPE_CHECKING:
    from pos.hardware.daemon import DeviceService

MAX_WAIT_S = 30.0


def refusal(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """Return a reply that refuses a request with a stable code."""
    return {"ok": False, "code": code, "message": message, **extra}


class Commands:
    """Answer channel requests; each device's work runs on its own port thread."""

    def __init__(self, service: DeviceService) -> None:
        self.service = service
        self._ops: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "status": self.status, "weigh": self.weigh, "print": self.print,
            "kick": self.kick, "x_report": self.x_report, "reload": self.reload,
            "wake": self.wake, "emulator": self.emulator}
        self.emulators: dict[str, Any] = {}  # the embedded demo's, if any

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        """Dispatch one request; never raise."""
        op = self._ops.get(str(request.get("op")))
        if op is None:
            return refusal("bad_request", f"unknown op {request.get('op')!r}")
        try:
            return op(request)
        except DeviceError as error:
            return refusal(error.code, error.message, device_code=error.device_code)
        except FutureTimeout:
            return refusal("device_timeout", "the device is still busy with an earlier command")
        except (KeyError, TypeError, ValueError) as error:
            return refusal("bad_request", f"{type(error).__name__}: {error}")

    def status(self, request: dict[str, Any]) -> dict[str, Any]:
        """Return the cached status of each of the till's devices."""
        till_id = int(request["till_id"])
        result = {}
        for kind in KINDS:
            port = self.service.port(till_id, kind)
            if port is not None:
                result[kind] = dict(port.status)
        return {"ok": True, "result": result}

    def weigh(self, request: dict[str, Any]) -> dict[str, Any]:
        """Read a stable weight now (never a cached one)."""
        port = self.service.port(int(request["till_id"]), SCALE)
        if port is None:
            return refusal("scale_absent", "This till has no scale")
        wait = min(float(request.get("timeout_s", 3.0)), MAX_WAIT_S)
        reading = port.call(lambda scale: scale.read_stable(wait), wait + 5.0)
        return {"ok": True, "result": {
            "net_kg": str(reading.net_kg), "is_stable": reading.is_stable,
            "tare_kg": None if reading.tare_kg is None else str(reading.tare_kg)}}

    def print(self, request: dict[str, Any]) -> dict[str, Any]:
        """Queue a print job on the till's printer; answer at once (a stall blocks no one)."""
        till_id = int(request["till_id"])
        port = self.service.port(till_id, PRINTER)
        if port is None:
            return refusal("printer_absent", "This till has no receipt printer")
        job = print_job(self.service.db, request)
        port.submit(job)
        return {"ok": True, "result": {"queued": True}}

    def kick(self, request: dict[str, Any]) -> dict[str, Any]:
        """Open the cash drawer: through the printer, else the registrar; answer at once."""
        till_id = int(request["till_id"])
        port = self.service.port(till_id, PRINTER) or self.service.port(till_id, FISCAL)
        if port is None:
            return refusal("drawer_absent", "This till has no printer or registrar")
        port.submit(lambda driver: driver.open_drawer())
        return {"ok": True, "result": {"queued": True}}

    def x_report(self, request: dict[str, Any]) -> dict[str, Any]:
        """Print the registrar's own X report."""
        till_id = int(request["till_id"])
        port = self.service.port(till_id, FISCAL)
        if port is None:
            return refusal("registrar_absent", "This till has no fiscal registrar")
        if till_id in tills_with_work(self.service.db):
            # A report moves the registrar's running number, by which a cash move in doubt
            # is reconciled: nothing else prints there while documents wait.
            return refusal("fiscal_queue_busy", "Documents still wait for the registrar; "
                                                "print the X report once they are signed")
        port.call(lambda registrar: registrar.x_report(), MAX_WAIT_S)
        return {"ok": True, "result": {"printed": True}}

    def reload(self, request: dict[str, Any]) -> dict[str, Any]:
        """Re-read the device configuration."""
        self.service.reload()
        return {"ok": True, "result": {"devices": len(self.service.ports)}}

    def emulator(self, request: dict[str, Any]) -> dict[str, Any]:
        """Drive an embedded emulator (demo only): unplug, replug, place a load."""
        from pos.hardware.embedded import emulator_action

        if request.get("kind") not in self.emulators:
            return refusal("no_emulator", "Only the embedded demo has emulators")
        return emulator_action(self.emulators, str(request["kind"]), str(request["action"]),
                               request.get("value"))

    def wake(self, request: dict[str, Any]) -> dict[str, Any]:
        """Look at the fiscal outbox now."""
        self.service.wakeup.nudge()
        return {"ok": True, "result": {}}
