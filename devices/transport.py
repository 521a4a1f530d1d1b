"""Move bytes to and from a device over any pyserial URL, translating failures to DeviceError."""

from __future__ import annotations

import errno
import socket
import termios
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

import serial

from devices.errors import DeviceAbsent, DeviceError, DeviceTimeout, Disconnected, PortBusy

# Errno values pyserial passes through when open() cannot lock or claim the port
# (serialposix.py: flock(LOCK_EX | LOCK_NB) -> EAGAIN/EWOULDBLOCK; a held tty -> EBUSY).
_BUSY_ERRNOS = frozenset({errno.EAGAIN, errno.EWOULDBLOCK, errno.EBUSY})
# termios.error is not an OSError subclass; a vanished pty raises it from flush/tcflush (§2.3).
_IO_ERRORS = (serial.SerialException, OSError, termios.error)


def bits_per_char(bytesize: int, parity: str, stopbits: float) -> int:
    """Return the bits one character occupies on the wire: start + data + parity + stop."""
    parity_bits = 0 if parity == serial.PARITY_NONE else 1
    return 1 + bytesize + parity_bits + int(stopbits + 0.5)


class SerialTransport:
    """Own one serial port opened through `serial.serial_for_url`, exclusively where possible."""

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 9600,
        bytesize: int = serial.EIGHTBITS,
        parity: str = serial.PARITY_NONE,
        stopbits: float = serial.STOPBITS_ONE,
        timeout_s: float = 1.0,
        write_timeout_s: float = 1.0,
    ) -> None:
        self.url = url
        self.baudrate = baudrate
        self.bytesize = bytesize
        self.parity = parity
        self.stopbits = stopbits
        self.timeout_s = timeout_s
        self.write_timeout_s = write_timeout_s
        self.bytes_written = 0
        self.bytes_read = 0
        self._port: serial.SerialBase | None = None

    @property
    def is_open(self) -> bool:
        """Tell whether the port is currently open."""
        return self._port is not None

    @property
    def bits_per_char(self) -> int:
        """Return the wire bits per character for the configured line settings."""
        return bits_per_char(self.bytesize, self.parity, self.stopbits)

    def open(self) -> None:
        """Open the port; raise DeviceAbsent or PortBusy when that is impossible."""
        if self._port is not None:
            return
        try:
            port = serial.serial_for_url(self.url, do_not_open=True)
        except (ValueError, serial.SerialException) as exc:
            raise DeviceAbsent(f"cannot use {self.url}: {exc}") from exc
        port.baudrate = self.baudrate
        port.bytesize = self.bytesize
        port.parity = self.parity
        port.stopbits = self.stopbits
        port.timeout = self.timeout_s
        port.write_timeout = self.write_timeout_s
        # Advisory flock on POSIX device paths; socket:// and loop:// accept and ignore it.
        port.exclusive = True
        try:
            port.open()
        except _IO_ERRORS as exc:
            _close_quietly(port)
            raise _open_error(self.url, exc) from exc
        _disable_nagle(port)
        self._port = port

    def close(self) -> None:
        """Close the port; never raise, safe to call twice."""
        port, self._port = self._port, None
        if port is not None:
            _close_quietly(port)

    def __enter__(self) -> SerialTransport:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def write(self, data: bytes) -> None:
        """Write all of `data` or raise DeviceTimeout / Disconnected."""
        with self._io("write") as port:
            written = port.write(data)
            if written is not None and written != len(data):
                raise DeviceTimeout(f"wrote {written} of {len(data)} bytes to {self.url}")
            self.bytes_written += len(data)

    def read_exact(self, n: int, timeout: float | None = None) -> bytes:
        """Read exactly `n` bytes within `timeout` seconds or raise DeviceTimeout."""
        with self._io("read") as port:
            self._set_timeout(port, timeout)
            data = port.read(n)
            self.bytes_read += len(data)
        if len(data) != n:
            raise DeviceTimeout(f"expected {n} bytes from {self.url}, got {data.hex(' ')!r}")
        return bytes(data)

    def read_until(
        self, terminator: bytes = b"\n", timeout: float | None = None, max_size: int = 4096
    ) -> bytes:
        """Read through `terminator` (included) within `timeout` or raise DeviceTimeout."""
        with self._io("read") as port:
            self._set_timeout(port, timeout)
            data = port.read_until(terminator, max_size)
            self.bytes_read += len(data)
        if not data.endswith(terminator):
            raise DeviceTimeout(f"no {terminator!r} from {self.url}, got {data!r}")
        return bytes(data)

    def read_available(self) -> bytes:
        """Return whatever bytes are already waiting, possibly none."""
        with self._io("read") as port:
            waiting = port.in_waiting
            data = port.read(waiting) if waiting else b""
            self.bytes_read += len(data)
        return bytes(data)

    def reset_input(self) -> None:
        """Discard unread input so the next answer is not a stale one."""
        with self._io("reset") as port:
            port.reset_input_buffer()

    def _set_timeout(self, port: serial.SerialBase, timeout: float | None) -> None:
        # Setting a timeout reconfigures the tty (tcsetattr), so only touch it on change.
        wanted = self.timeout_s if timeout is None else timeout
        if port.timeout != wanted:
            port.timeout = wanted

    @contextmanager
    def _io(self, what: str) -> Iterator[serial.SerialBase]:
        if self._port is None:
            raise Disconnected(f"{what} on closed port {self.url}")
        try:
            yield self._port
        except DeviceError:
            raise
        except serial.SerialTimeoutException as exc:
            raise DeviceTimeout(f"{what} timed out on {self.url}") from exc
        except _IO_ERRORS as exc:
            # A dead peer shows as 'readiness to read but returned no data', EIO or
            # termios.error (devices.md §2.3); the port is useless until reopened.
            self.close()
            raise Disconnected(f"{what} failed on {self.url}: {exc}") from exc


def _open_error(url: str, exc: BaseException) -> DeviceError:
    err = getattr(exc, "errno", None)
    text = str(exc)
    if err in _BUSY_ERRNOS or "exclusively lock" in text:
        return PortBusy(f"{url} is in use: {text}")
    return DeviceAbsent(f"cannot open {url}: {text}")


def _disable_nagle(port: serial.SerialBase) -> None:
    # pyserial's socket:// handler leaves Nagle on; request/response protocols then stall
    # ~40 ms per exchange on delayed ACKs. `_socket` is that handler's only handle on it.
    sock = getattr(port, "_socket", None)
    if isinstance(sock, socket.socket):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _close_quietly(port: serial.SerialBase) -> None:
    try:
        port.close()
    except _IO_ERRORS:
        pass  # a vanished device cannot be closed more than this
