"""Drive an ESC/POS receipt printer over our transport: serial, USB-serial or `socket://`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from escpos.printer import Dummy

from devices.config import DeviceConfig
from devices.errors import DeviceTimeout, GarbledFrame, PaperOut, PrinterStall
from devices.printers import escpos_render as render
from devices.printers import escpos_status as codec
from devices.printers.base import PaperState, PrinterStatus, ReceiptDocument, raise_for_status
from devices.transport import SerialTransport

T = TypeVar("T")
# The three answers that make a PrinterStatus: online/drawer, offline cause, paper sensor.
STATUS_QUERIES = (
    codec.StatusQuery.PRINTER,
    codec.StatusQuery.OFFLINE_CAUSE,
    codec.StatusQuery.PAPER,
)
DEFAULT_STATUS_TIMEOUT_S = 0.5


class EscPosPrinter:
    """Print receipts on an ESC/POS printer, refusing jobs the printer cannot take."""

    def __init__(
        self,
        transport: SerialTransport,
        *,
        profile: str | None = None,
        columns: int | None = None,
        code_page: str = render.DEFAULT_CODE_PAGE,
        status_timeout_s: float = DEFAULT_STATUS_TIMEOUT_S,
        retries: int = 1,
        drawer_open_high: bool = True,
    ) -> None:
        self.transport = transport
        self.profile = profile
        self.columns = columns or Dummy(profile=profile).profile.get_columns("a")
        self.code_page = code_page
        self.status_timeout_s = status_timeout_s
        self.retries = retries
        self.drawer_open_high = drawer_open_high

    @classmethod
    def from_config(cls, config: DeviceConfig) -> EscPosPrinter:
        """Build the driver from a DeviceConfig; options: columns, code_page, drawer_open_high."""
        options = config.options
        return cls(
            SerialTransport(config.url, **config.transport_kwargs()),
            profile=config.profile,
            columns=options.get("columns"),
            code_page=options.get("code_page", render.DEFAULT_CODE_PAGE),
            status_timeout_s=options.get("status_timeout_s", config.timeout_s),
            retries=config.retries,
            drawer_open_high=options.get("drawer_open_high", True),
        )

    def status(self) -> PrinterStatus:
        """Ask DLE EOT 1, 2 and 4; a missing answer raises DeviceTimeout, never reads as OK."""
        answers = [self._with_retries(lambda q=q: self._query(q)) for q in STATUS_QUERIES]
        return codec.to_status(*answers, drawer_open_high=self.drawer_open_high)

    def print_document(self, doc: ReceiptDocument) -> None:
        """Print and cut a receipt; raise if the printer cannot take it or failed during it."""
        self._job(lambda p: render.render_receipt(p, doc, self.columns, self.code_page))

    def print_text(self, lines: Sequence[str]) -> None:
        """Print plain lines without cutting."""
        self._job(lambda p: render.render_text(p, lines, self.columns), begin=True)

    def cut(self) -> None:
        """Feed and cut the paper."""
        self._job(render.render_cut)

    def open_drawer(self) -> None:
        """Kick the cash drawer; sent whatever the paper state, as the drawer does not need it."""
        self._send(_rendered(render.render_drawer_kick))

    def close(self) -> None:
        """Close the port; safe to call twice."""
        self.transport.close()

    def _job(self, draw: Callable[[Dummy], None], begin: bool = False) -> None:
        # No print acknowledgement exists on ESC/POS: check before, send, check after (§1.5).
        raise_for_status(self.status())
        data = _rendered(draw, self.profile, self.code_page if begin else None)
        self._send(data)
        after = self.status()
        if after.paper is PaperState.OUT:
            raise PaperOut("paper ran out during the job; it may be incomplete")
        raise_for_status(after)

    def _query(self, kind: codec.StatusQuery) -> frozenset[str]:
        self.transport.open()
        # A stale answer to an earlier query would otherwise be read as this one (escpos-rs #18).
        self.transport.reset_input()
        self._send(codec.query(kind))
        return codec.decode(kind, self.transport.read_exact(1, self.status_timeout_s))

    def _send(self, data: bytes) -> None:
        self.transport.open()
        try:
            self.transport.write(data)
        except DeviceTimeout as exc:
            # A write that blocks means the printer stopped reading (devices.md §2.3).
            raise PrinterStall(f"printer stopped accepting data: {exc}") from exc

    def _with_retries(self, ask: Callable[[], T]) -> T:
        for _ in range(self.retries):
            try:
                return ask()
            except GarbledFrame:
                continue
        return ask()


def _rendered(
    draw: Callable[[Dummy], None], profile: str | None = None, code_page: str | None = None
) -> bytes:
    # A fresh Dummy per job: python-escpos tracks the code page per object, so a new one
    # always re-sends ESC t after ESC @.
    job = Dummy(profile=profile)
    if code_page is not None:
        render.begin(job, code_page)
    draw(job)
    return job.output
