"""The loopback channel between web workers and the device service: one JSON line each way.

Web workers never open a port; they send a request to the device service on 127.0.0.1 and
read one reply line. Durable work (fiscal documents) does not use this channel: it goes through
the database outbox, so it survives either side restarting (see the README, "Device service").
"""

from __future__ import annotations

import json
import socket
from typing import Any

from pos.core.errors import PosError

MAX_LINE = 1 << 20


class DeviceServiceUnavailable(PosError):
    """The device service did not answer on its loopback address."""

    status = 503
    code = "device_service_unavailable"
    title = "Device unavailable"


def parse_address(address: str) -> tuple[str, int]:
    """Split ``host:port``; the device service listens on loopback only."""
    host, _, port = address.rpartition(":")
    return host or "127.0.0.1", int(port)


def send_line(sock: socket.socket, message: dict[str, Any]) -> None:
    """Write one JSON message and its newline."""
    sock.sendall(json.dumps(message, separators=(",", ":")).encode() + b"\n")


def read_line(sock: socket.socket) -> dict[str, Any] | None:
    """Read one JSON message, or None at end of stream."""
    chunks = bytearray()
    while not chunks.endswith(b"\n"):
        chunk = sock.recv(65536)
        if not chunk:
            return None
        chunks += chunk
        if len(chunks) > MAX_LINE:
            raise ValueError("message too long")
    parsed = json.loads(chunks)
    if not isinstance(parsed, dict):
        raise ValueError("a message is a JSON object")
    return parsed


class DeviceChannel:
    """Ask the device service one thing and wait (bounded) for its answer."""

    def __init__(self, address: str, *, connect_timeout_s: float = 0.5) -> None:
        self.address = parse_address(address)
        self.connect_timeout_s = connect_timeout_s

    def call(self, request: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        """Send ``request``; return the reply (``ok`` true, or ``code`` and ``message``)."""
        try:
            with socket.create_connection(self.address, timeout=self.connect_timeout_s) as sock:
                sock.settimeout(timeout_s)
                send_line(sock, request)
                reply = read_line(sock)
        except (OSError, ValueError) as error:
            raise DeviceServiceUnavailable(
                f"The device service at {self.address[0]}:{self.address[1]} did not answer"
                f" ({type(error).__name__})") from None
        if reply is None:
            raise DeviceServiceUnavailable("The device service closed the connection")
        return reply
