"""Serve a device emulator on a pseudo-terminal or a loopback TCP port from a thread."""

from __future__ import annotations

import os
import select
import socket
import tempfile
import threading
import time
import tty
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import serial

from devices.transport import bits_per_char

# devices.md §2.3: poll with a short select so the emulator's own loop closes its fds;
# closing them from another thread leaves the client timing out instead of seeing EIO.
_POLL_S = 0.02
_SPIN_S = 0.0003


class _PtyLink:
    """Hold one pty pair; the slave stays open so the master never sees EIO before a client."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # no echo, no CR/LF translation before the client configures it
        self.path = os.ttyname(self.slave)

    def fds(self) -> list[int]:
        return [self.master]

    def recv(self, fd: int) -> bytes:
        try:
            return os.read(fd, 4096)
        except OSError:
            return b""

    def send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.master, view) :]

    def close(self) -> None:
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


class _TcpLink:
    """Listen on 127.0.0.1 and serve one client at a time, as `socket://` expects."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.path = f"socket://127.0.0.1:{self.listener.getsockname()[1]}"
        self.client: socket.socket | None = None

    def fds(self) -> list[int]:
        client = [self.client.fileno()] if self.client else []
        return [self.listener.fileno(), *client]

    def recv(self, fd: int) -> bytes:
        if fd == self.listener.fileno():
            self.drop_client()
            self.client, _ = self.listener.accept()
            # Small replies back to back would otherwise wait out Nagle + delayed ACK (~40 ms).
            self.client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return b""
        assert self.client is not None
        try:
            data = self.client.recv(4096)
        except OSError:
            data = b""
        if not data:
            self.drop_client()
        return data

    def send(self, data: bytes) -> None:
        if self.client is not None:
            try:
                self.client.sendall(data)
            except OSError:
                self.drop_client()

    def drop_client(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def close(self) -> None:
        self.drop_client()
        self.listener.close()


class PtyEmulator:
    """Run a device emulator: subclasses implement `handle(data) -> reply bytes`."""

    kind = "device"

    def __init__(
        self,
        *,
        tcp: bool = False,
        baudrate: int | None = None,
        bytesize: int = 8,
        parity: str = "N",
        stopbits: float = 1,
    ) -> None:
        self.tcp = tcp
        # When set, every byte in either direction costs its wire time at this rate.
        self.baudrate = baudrate
        self.char_s = bits_per_char(bytesize, parity, stopbits) / baudrate if baudrate else 0.0
        self.no_answer = False  # read and discard everything, like a powered-off device
        self.bytes_received = 0
        self._link: _PtyLink | _TcpLink | None = None
        self._linkdir = tempfile.mkdtemp(prefix=f"emu-{self.kind}-")
        self._stable = os.path.join(self._linkdir, "tty")
        self._outbox: list[bytes] = []
        self._requests: list[str] = []
        self._asked = self._done = 0  # link requests made, and carried out by the serving thread
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._holders: list[Any] = []

    # -- subclass hooks -------------------------------------------------------------
    def handle(self, data: bytes) -> bytes:
        """Consume bytes from the host and return the bytes to answer with."""
        raise NotImplementedError

    def tick(self) -> bytes:
        """Return unsolicited bytes to send now (streaming devices); called every poll."""
        return b""

    # -- lifecycle -------------------------------------------------------------------
    @property
    def port(self) -> str:
        """Return the current slave device path (pty) or `socket://` URL (TCP)."""
        if self._link is None:
            raise RuntimeError("emulator is not running")
        return self._link.path

    @property
    def url(self) -> str:
        """Return a URL that survives `reconnect()`: a symlink to the pty, or the TCP URL."""
        return self.port if self.tcp else self._stable

    def start(self) -> PtyEmulator:
        """Open the link and start serving it in a daemon thread."""
        self._open_link()
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name=f"emu-{self.kind}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every descriptor; safe to call twice."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        self._close_link()
        for holder in self._holders:
            holder.close()
        self._holders.clear()
        if os.path.lexists(self._stable):
            os.unlink(self._stable)
        if os.path.isdir(self._linkdir):
            os.rmdir(self._linkdir)

    def __enter__(self) -> PtyEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- faults ----------------------------------------------------------------------
    def send(self, data: bytes) -> None:
        """Queue unsolicited bytes for the host."""
        with self._lock:
            self._outbox.append(data)

    def disconnect(self, wait: bool = True) -> None:
        """Close the link from the serving thread, as when the cable is pulled."""
        self._request("disconnect", wait)

    def reconnect(self, wait: bool = True) -> None:
        """Open a fresh link behind `url`, keeping the device state, as when re-plugged."""
        self._request("reconnect", wait)

    def occupy(self) -> serial.Serial:
        """Hold the port exclusively from this process so a driver's open fails as busy."""
        holder = serial.Serial(self.url, exclusive=True)
        self._holders.append(holder)
        return holder

    @contextmanager
    def occupied(self) -> Iterator[serial.Serial]:
        """Hold the port exclusively for the duration of the block."""
        holder = self.occupy()
        try:
            yield holder
        finally:
            holder.close()
            self._holders.remove(holder)

    # -- serving loop ----------------------------------------------------------------
    def _request(self, what: str, wait: bool) -> None:
        with self._lock:
            self._requests.append(what)
            self._asked += 1
            ticket = self._asked
        # Wait until the serving thread has carried it out, not merely taken it: a client that
        # reopens the port as soon as this returns must find the new link behind `url`.
        deadline = time.monotonic() + 10
        while wait and time.monotonic() < deadline:
            with self._lock:
                if self._done >= ticket:
                    return
            time.sleep(_POLL_S / 4)

    def _open_link(self) -> None:
        self._link = _TcpLink() if self.tcp else _PtyLink()
        if not self.tcp:
            if os.path.lexists(self._stable):
                os.unlink(self._stable)
            os.symlink(self._link.path, self._stable)

    def _close_link(self) -> None:
        if self._link is not None:
            self._link.close()
            self._link = None
        if os.path.lexists(self._stable):
            os.unlink(self._stable)

    def _serve(self) -> None:
        try:
            while not self._stop.is_set():
                self._run_requests()
                if self._link is None:
                    time.sleep(_POLL_S)
                    continue
                ready, _, _ = select.select(self._link.fds(), [], [], _POLL_S)
                for fd in ready:
                    self._on_readable(fd)
                self._flush_outbox()
        finally:
            self._close_link()

    def _run_requests(self) -> None:
        with self._lock:
            requests, self._requests = self._requests, []
        for what in requests:
            if what == "disconnect":
                self._close_link()
            elif what == "reconnect":
                self._close_link()
                self._open_link()
        if requests:
            with self._lock:
                self._done += len(requests)

    def _on_readable(self, fd: int) -> None:
        if self._link is None:
            return
        data = self._link.recv(fd)
        if not data or self.no_answer:
            return
        self.bytes_received += len(data)
        reply = self.handle(data)
        # Request bytes arrive n character times after the first; the reply then takes its own
        # wire time. One wait covers both, so timer overshoot is paid once per exchange.
        self._transmit(reply, already_on_wire=len(data))

    def _flush_outbox(self) -> None:
        with self._lock:
            queued, self._outbox = self._outbox, []
        pending = b"".join(queued) + self.tick()
        if pending and not self.no_answer:
            self._transmit(pending)

    def _transmit(self, data: bytes, already_on_wire: int = 0) -> None:
        self._wire_wait(already_on_wire + len(data))
        if self._link is None or not data:
            return
        self._link.send(data)

    def _wire_wait(self, nbytes: int) -> None:
        if not self.char_s or not nbytes:
            return
        deadline = time.perf_counter() + nbytes * self.char_s
        # time.sleep overshoots by ~0.1 ms, as long as a character at 115200 baud: sleep
        # most of the wait and yield-spin the rest.
        if deadline - time.perf_counter() > _SPIN_S:
            time.sleep(deadline - time.perf_counter() - _SPIN_S)
        while time.perf_counter() < deadline:
            time.sleep(0)  # yields the GIL to an in-process driver
