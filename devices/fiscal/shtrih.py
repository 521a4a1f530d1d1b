"""Drive a Shtrih-M fiscal registrar (ШТРИХ-М-01Ф and kin) over a serial link."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from devices.config import DeviceConfig
from devices.errors import DeviceTimeout, GarbledFrame
from devices.fiscal import shtrih_messages as msg
from devices.fiscal.base import (
    FiscalDocument,
    FiscalReceipt,
    FiscalResult,
    FiscalStatus,
    ReceiptKind,
)
from devices.fiscal.shtrih_codec import Answer
from devices.fiscal.shtrih_link import ShtrihLink
from devices.fiscal.shtrih_receipt import ReceiptProcedure
from devices.fiscal.shtrih_tables import Cmd, Mode, Submode
from devices.transport import SerialTransport

# Factory password of operator 30, the system administrator (trace in devices.md §3.1.2).
DEFAULT_PASSWORD = 30
# Link-level doubts (timeouts, garbled answers) worth reconciling and retrying in-call.
_DOUBTS = (DeviceTimeout, GarbledFrame)

T = TypeVar("T")


class ShtrihRegistrar:
    """Implement `FiscalRegistrar` for the Shtrih-M protocol; exactly once per document."""

    def __init__(
        self,
        transport: SerialTransport,
        *,
        password: int = DEFAULT_PASSWORD,
        retries: int = 3,
        busy_wait_s: float = 0.05,
    ) -> None:
        self.transport = transport
        self.retries = retries
        self.link = ShtrihLink(transport, password, retries=retries, busy_wait_s=busy_wait_s)
        self.receipts = ReceiptProcedure(self._run)

    @classmethod
    def from_config(cls, config: DeviceConfig) -> ShtrihRegistrar:
        """Build the driver from a `DeviceConfig` (8N1 per §3.1.1 unless configured)."""
        transport = SerialTransport(config.url, **config.transport_kwargs())
        password = DEFAULT_PASSWORD if config.password is None else config.password
        busy_wait_s = float(config.options.get("busy_wait_s", 0.05))
        return cls(transport, password=password, retries=config.retries, busy_wait_s=busy_wait_s)

    def _run(self, message: msg.Message) -> Answer:
        if not self.transport.is_open:
            self.transport.open()
        return self.link.execute(*message)

    def _retrying(self, attempt: Callable[[], T]) -> T:
        """Repeat `attempt` after link doubts; each attempt starts by reading device state."""
        for _ in range(self.retries):
            try:
                return attempt()
            except _DOUBTS:
                continue
        return attempt()

    # -- state ---------------------------------------------------------------------
    def status(self) -> FiscalStatus:
        """Return mode, paper, cover, shift and storage state (0x10, 0xFF01, 0xFF40)."""
        short = msg.decode_short_status(self._run(msg.plain(Cmd.SHORT_STATUS)).data)
        fn = msg.decode_fn_status(self._run(msg.plain(Cmd.FN_STATUS)).data)
        shift = msg.decode_shift_params(self._run(msg.plain(Cmd.FN_SHIFT_PARAMS)).data)
        paper_out = short.submode in (Submode.PAPER_OUT_PASSIVE, Submode.PAPER_OUT_ACTIVE)
        return FiscalStatus(
            shift_open=shift.is_open,
            shift_number=shift.shift_number,
            shift_expired=short.mode == Mode.SHIFT_EXPIRED,
            document_open=short.mode == Mode.DOCUMENT_OPEN,
            paper_present=short.paper_present and not paper_out,
            cover_open=short.cover_open,
            last_document_number=fn.last_document_number,
            mode=short.mode,
            submode=short.submode,
            device_time=fn.datetime,
            storage_warnings=fn.warnings,
        )

    def last_document(self) -> FiscalDocument:
        """Return the last document in the fiscal storage (0xFF01 then 0xFF0A)."""
        return self.find_document(self._last_number())

    def find_document(self, number: int) -> FiscalDocument:
        """Return fiscal document `number` (0xFF0A)."""
        return self.receipts.find(number)

    # -- documents -----------------------------------------------------------------
    def register_receipt(
        self, receipt: FiscalReceipt, *, expected_number: int | None = None
    ) -> FiscalResult:
        """Print and sign `receipt` once; safe to call again after any DeviceError."""
        return self._retrying(lambda: self.receipts.register(receipt, expected_number))

    def cancel_receipt(self) -> None:
        """Annul the open document (0x88), if there is one."""
        self.receipts.forget()
        short = msg.decode_short_status(self._run(msg.plain(Cmd.SHORT_STATUS)).data)
        if short.mode == Mode.DOCUMENT_OPEN:
            self._run(msg.plain(Cmd.CANCEL_RECEIPT))

    def open_shift(self, operator: str) -> FiscalResult:
        """Open a shift in the fiscal storage (0xFF41, 0xFF0C tag 1021, 0xFF0B)."""
        return self._shift_document(opening=True, operator=operator)

    def z_report(self) -> FiscalResult:
        """Print the Z report and close the shift (0x41)."""
        return self._shift_document(opening=False, operator="")

    def _shift_document(self, *, opening: bool, operator: str) -> FiscalResult:
        before = self._last_number()
        wanted = "shift_open" if opening else "shift_close"

        def attempt() -> FiscalResult:
            last = self._last_number()
            if last > before:
                document = self.find_document(last)
                if document.kind == wanted:
                    return _shift_result(document)  # executed; its answer was lost
            if not opening:
                self._run(msg.plain(Cmd.Z_REPORT))
                return _shift_result(self.find_document(self._last_number()))
            self._run(msg.plain(Cmd.FN_BEGIN_OPEN_SHIFT))
            if operator:
                self._run(msg.cashier(operator))
            answer = self._run(msg.plain(Cmd.FN_OPEN_SHIFT))
            return _shift_result(self.find_document(msg.decode_shift_document(answer.data)[1]))

        return self._retrying(attempt)

    def _last_number(self) -> int:
        return msg.decode_fn_status(self._run(msg.plain(Cmd.FN_STATUS)).data).last_document_number

    def cash_in(self, amount_minor: int) -> int:
        """Register cash put into the drawer (0x50); return the running document number."""
        return self._cash_move(Cmd.CASH_IN, amount_minor)

    def cash_out(self, amount_minor: int) -> int:
        """Register cash taken from the drawer (0x51); return the running document number."""
        return self._cash_move(Cmd.CASH_OUT, amount_minor)

    def _cash_move(self, command: Cmd, amount_minor: int) -> int:
        before = self._running_number()

        def attempt() -> int:
            now = self._running_number()
            if now > before:
                return now  # the first attempt was executed; its answer was lost
            return msg.decode_running_number(self._run(msg.cash_move(command, amount_minor)).data)

        return self._retrying(attempt)

    def running_document_number(self) -> int:
        """Return the running number of every document printed (0x11)."""
        return self._running_number()

    def _running_number(self) -> int:
        return msg.decode_full_status(self._run(msg.plain(Cmd.FULL_STATUS)).data).document_number

    def correction_receipt(self, kind: ReceiptKind, total_minor: int) -> FiscalResult:
        """Make a correction receipt (0xFF35, 0xFF36) once; safe to call again after a doubt."""
        before = self._last_number()

        def attempt() -> FiscalResult:
            last = self._last_number()
            if last > before and self.find_document(last).kind == "correction":
                return self._in_shift(self.find_document(last))  # made; its answer was lost
            self._run(msg.plain(Cmd.FN_BEGIN_CORRECTION))
            answer = self._run(msg.correction(kind, total_minor))
            return self._in_shift(self.find_document(msg.decode_correction(answer.data)[1]))

        return self._retrying(attempt)

    def _in_shift(self, document: FiscalDocument) -> FiscalResult:
        shift = msg.decode_shift_params(self._run(msg.plain(Cmd.FN_SHIFT_PARAMS)).data)
        return FiscalResult(document.number, document.fiscal_sign, 0, shift.shift_number,
                            document.datetime)

    def unsent_documents(self) -> int:
        """Return how many documents the fiscal storage has not yet sent to the OFD (0xFF39)."""
        return msg.decode_ofd_status(self._run(msg.plain(Cmd.FN_OFD_STATUS)).data).unsent

    def x_report(self) -> None:
        """Print the shift totals without closing the shift (0x40)."""
        self._run(msg.plain(Cmd.X_REPORT))

    # -- mechanics -----------------------------------------------------------------
    def cut(self, partial: bool = False) -> None:
        """Cut the receipt paper (0x25)."""
        self._run(msg.cut(partial))

    def open_drawer(self) -> None:
        """Kick cash drawer 0 (0x28)."""
        self._run(msg.open_drawer(0))

    def close(self) -> None:
        """Release the port."""
        self.transport.close()

    def __enter__(self) -> ShtrihRegistrar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _shift_result(document: FiscalDocument) -> FiscalResult:
    return FiscalResult(
        document_number=document.number,
        fiscal_sign=document.fiscal_sign,
        change_minor=0,
        shift_number=document.shift_number or 0,
        datetime=document.datetime,
    )
