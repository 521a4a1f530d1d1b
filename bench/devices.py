"""Measure device drivers against emulators that honour wire time; print the figures."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as `python bench/devices.py`
    sys.path.insert(0, str(ROOT))

from devices.fiscal.base import (  # noqa: E402
    FiscalReceipt,
    Payment,
    PaymentKind,
    ReceiptKind,
    ReceiptLine,
    Vat,
)
from devices.fiscal.shtrih import ShtrihRegistrar  # noqa: E402
from devices.transport import SerialTransport  # noqa: E402

FISCAL_BAUDS = (9600, 115200)
FISCAL_LINES = 20
FISCAL_RUNS = 5
OVERHEAD_TARGET = 0.10  # driver time beyond wire time, as a share of wire time


@dataclass(frozen=True)
class FiscalFigure:
    """Hold one timed receipt."""

    baud: int
    wall_s: float
    cpu_s: float
    wire_bytes: int
    bits_per_char: int

    @property
    def wire_s(self) -> float:
        """Return the time the bytes need on the line at this baud rate."""
        return self.wire_bytes * self.bits_per_char / self.baud

    @property
    def overhead(self) -> float:
        """Return wall time beyond wire time as a share of wire time."""
        return (self.wall_s - self.wire_s) / self.wire_s


def twenty_line_receipt() -> FiscalReceipt:
    """Return a 20-line sale paid in cash with change."""
    lines = tuple(
        ReceiptLine(f"OAT-MILK-1L lot {n:02}", Decimal("1.000"), 8990, 8990, Vat.VAT10)
        for n in range(FISCAL_LINES)
    )
    total = sum(line.net_minor for line in lines)
    cash = Payment(PaymentKind.CASH, total + 1010)
    return FiscalReceipt(ReceiptKind.SALE, lines, (cash,), total, operator="Bench")


@contextmanager
def emulator_process(baud: int) -> Iterator[str]:
    """Run `python -m devices.emulators fiscal` in its own process, as a device would be."""
    command = [sys.executable, "-m", "devices.emulators", "fiscal", "--baud", str(baud)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()  # "fiscal emulator on /dev/pts/N (...)"
        yield banner.split()[3]
    finally:
        process.terminate()
        process.wait(timeout=5)


def time_receipt(baud: int) -> FiscalFigure:
    """Register one 20-line receipt at `baud` and time it."""
    with emulator_process(baud) as port:
        transport = SerialTransport(port, baudrate=baud, timeout_s=2.0)
        registrar = ShtrihRegistrar(transport)
        try:
            registrar.open_shift("Bench")
            before = transport.bytes_written + transport.bytes_read
            started, cpu_started = time.perf_counter(), time.process_time()
            registrar.register_receipt(twenty_line_receipt())
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            wire = transport.bytes_written + transport.bytes_read - before
        finally:
            registrar.close()
        return FiscalFigure(baud, wall, cpu, wire, transport.bits_per_char)


def bench_fiscal(runs: int = FISCAL_RUNS) -> list[FiscalFigure]:
    """Print and return the median timing of a 20-line receipt at each baud rate."""
    print(
        f"fiscal: {FISCAL_LINES}-line receipt, Shtrih-M driver vs emulator process honouring"
        " wire time"
    )
    print(f"  {'baud':>6} {'wall':>9} {'bytes':>6} {'wire':>9} {'overhead':>9} {'cpu':>8}  target")
    medians = []
    for baud in FISCAL_BAUDS:
        figures = sorted((time_receipt(baud) for _ in range(runs)), key=lambda f: f.wall_s)
        median = figures[len(figures) // 2]
        medians.append(median)
        verdict = "ok" if median.overhead <= OVERHEAD_TARGET else "ABOVE TARGET"
        print(
            f"  {baud:>6} {median.wall_s * 1000:7.1f}ms {median.wire_bytes:>6}"
            f" {median.wire_s * 1000:7.1f}ms {median.overhead:8.1%} {median.cpu_s * 1000:6.1f}ms"
            f"  <= {OVERHEAD_TARGET:.0%} {verdict}"
        )
    bits = medians[0].bits_per_char
    print(f"  (median of {runs} runs per rate; wire = bytes x {bits} bits / baud;")
    print("   cpu = driver process CPU time; the rest of the overhead is pty wake-up latency)")
    return medians


def main() -> None:
    """Run every device benchmark that is available."""
    bench_fiscal()
    try:
        from bench.devices_scale import bench_scales
    except ImportError:
        return
    bench_scales()


if __name__ == "__main__":
    main()
