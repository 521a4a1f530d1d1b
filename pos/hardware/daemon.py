"""The device service: the one owner of every port, its loopback channel and the outbox loop.

``pos devices serve`` runs it alone (beside gunicorn); ``pos serve`` with ``POS_DEVICES=
embedded`` runs it as threads of the server's main process, against emulators it starts.
"""

from __future__ import annotations

import logging
import socketserver
import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from devices.config import open_device
from devices.errors import DeviceError
from pos.core.db import Database
from pos.fiscal.service import tills_with_work
from pos.fiscal.worker import hold, process_till
from pos.hardware.channel import parse_address, read_line, send_line
from pos.hardware.claim import Wakeup, claimed
from pos.hardware.commands import Commands
from pos.hardware.model import FISCAL
from pos.hardware.port import DevicePort, Opener
from pos.hardware.service import enabled_devices, to_config

log = logging.getLogger(__name__)
FISCAL_PASS_TIMEOUT_S = 600.0


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        service: DeviceService = self.server.device_service  # type: ignore[attr-defined]
        try:
            request = read_line(self.connection)
        except ValueError as error:
            send_line(self.connection, {"ok": False, "code": "bad_request", "message": str(error)})
            return
        if request is not None:
            send_line(self.connection, service.commands.handle(request))


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class DeviceService:
    """Own every configured device's port, answer the channel, and drive the fiscal outbox."""

    def __init__(self, db: Database, now: Callable[[], datetime], *,
                 address: str = "127.0.0.1:8765", opener: Opener = open_device,
                 poll_s: float = 1.0, status_every_s: float = 2.0,
                 backoff_s: float = 1.0, channel_poll_s: float = 0.5) -> None:
        self.db, self.now, self.opener = db, now, opener
        # How often the channel's loop looks for stop(): stop() waits up to this long (tests
        # start and stop a service per test and pass less).
        self.channel_poll_s = channel_poll_s
        self.status_every_s, self.backoff_s = status_every_s, backoff_s
        self.ports: dict[tuple[int, str], DevicePort] = {}
        self.wakeup = Wakeup(db, poll_s)
        self.commands = Commands(self)
        self._server = _Server(parse_address(address), _Handler)
        self._server.device_service = self  # type: ignore[attr-defined]
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    @property
    def address(self) -> str:
        """Return the loopback ``host:port`` the channel listens on."""
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def start(self, *, outbox: bool = True) -> DeviceService:
        """Open the configured devices, start the channel and (unless told not) the outbox loop."""
        self.reload()
        loops: list[tuple[Callable[[], None], str]] = [
            (partial(self._server.serve_forever, poll_interval=self.channel_poll_s),
             "device-channel")]
        if outbox:
            loops.append((self._outbox_loop, "fiscal-outbox"))
        for target, name in loops:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def reload(self) -> None:
        """Match the ports to the configuration: open new devices, close removed or changed."""
        wanted = {(d.till_id, d.kind): d for d in enabled_devices(self.db)}
        with self._lock:
            for key, port in list(self.ports.items()):
                device = wanted.get(key)
                if device is None or to_config(device) != port.config:
                    port.stop()
                    del self.ports[key]
            for key, device in wanted.items():
                if key not in self.ports:
                    self.ports[key] = DevicePort(device.id, device.till_id, to_config(device),
                                                 opener=self.opener,
                                                 status_every_s=self.status_every_s).start()

    def port(self, till_id: int, kind: str) -> DevicePort | None:
        """Return the port of a till's device of ``kind``, if one is configured."""
        with self._lock:
            return self.ports.get((till_id, kind))

    def stop(self) -> None:
        """Stop the loop and the channel, then close every port."""
        self._stopping.set()
        self.wakeup.nudge()
        self._server.shutdown()
        self._server.server_close()
        for thread in self._threads:
            thread.join(10)
        self.wakeup.close()
        with self._lock:
            for port in self.ports.values():
                port.stop()
            self.ports.clear()

    def _outbox_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.fiscalise_pass()
            except Exception:  # the loop outlives a database hiccup; the next pass retries
                log.exception("fiscal outbox pass failed")
            self.wakeup.wait()

    def fiscalise_pass(self) -> int:
        """Drive each till with waiting documents through its registrar once; return done."""
        done = 0
        for till_id in tills_with_work(self.db):
            port = self.port(till_id, FISCAL)
            if port is None or self._stopping.is_set():
                continue
            with claimed(self.db, till_id) as mine:
                if mine:
                    done += self._fiscalise_till(port, till_id)
        return done

    def _fiscalise_till(self, port: DevicePort, till_id: int) -> int:
        def work(registrar: Any) -> int:
            report = process_till(self.db, till_id, registrar, self.now,
                                  backoff_s=self.backoff_s)
            for error in report.errors:
                log.warning("fiscal: %s", error)
            return report.fiscalised

        try:
            return int(port.call(work, FISCAL_PASS_TIMEOUT_S))
        except DeviceError as error:  # the port would not open: say so on the queue
            hold(self.db, till_id, error, self.now(), self.backoff_s)
        except Exception:
            log.exception("fiscal: till %s", till_id)
        return 0
