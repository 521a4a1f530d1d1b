"""Register one receipt on a Shtrih-M device exactly once, resuming after any doubt.

Recovery follows devices.md §3.1.6: the device is asked before anything is resent. A last
FD number past the baseline means the receipt is already signed (fetch it with 0xFF0A); mode 8
with our receipt in progress means resume after the device's own operation counter; mode 8
left by someone else (a crashed run), or holding more operations than our receipt has, is
annulled (0x88) and the receipt replayed. The counter is only read after the link has
discarded any late replies (see `shtrih_link`), so a stale status cannot make a line repeat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from devices.errors import (
    CommandRejected,
    CoverOpen,
    DeviceError,
    NeedsReconciliation,
    PaperOut,
    ShiftExpired,
    ShiftNotOpen,
)
from devices.fiscal import shtrih_messages as msg
from devices.fiscal.base import FiscalDocument, FiscalReceipt, FiscalResult, PaymentKind
from devices.fiscal.shtrih_codec import Answer
from devices.fiscal.shtrih_tables import PAYMENT_SLOTS, Cmd, Mode, Submode

Run = Callable[[msg.Message], Answer]


@dataclass
class Progress:
    """Remember the receipt being registered and the last FD number before it."""

    receipt: FiscalReceipt
    baseline: int
    change_minor: int | None = None


def operations(receipt: FiscalReceipt) -> list[msg.Message]:
    """Return the item and discount commands of `receipt`, in device order."""
    steps: list[msg.Message] = []
    for line in receipt.lines:
        steps.append(msg.item(receipt.kind, line))
        if line.discount_minor:
            steps.append(msg.discount(line.discount_minor, line.vat, "Скидка"))
    return steps


def payment_slots(receipt: FiscalReceipt) -> tuple[int, int, int, int]:
    """Spread the payments over the four 0x85 slots: cash, types 2, 3, 4."""
    slots = [0, 0, 0, 0]
    for payment in receipt.payments:
        slots[PAYMENT_SLOTS[PaymentKind(payment.kind)]] += payment.amount_minor
    return slots[0], slots[1], slots[2], slots[3]


def check_ready(status: msg.ShortStatus) -> None:
    """Refuse to open a receipt the device cannot print or sign now."""
    if not status.paper_present or status.submode in (
        Submode.PAPER_OUT_PASSIVE,
        Submode.PAPER_OUT_ACTIVE,
    ):
        raise PaperOut()
    if status.cover_open:
        raise CoverOpen()
    if status.mode == Mode.SHIFT_EXPIRED:
        raise ShiftExpired()
    if status.mode == Mode.SHIFT_CLOSED:
        raise ShiftNotOpen()
    if status.mode != Mode.SHIFT_OPEN:
        raise CommandRejected(f"registrar is in mode {status.mode}", device_code=status.mode)


class ReceiptProcedure:
    """Drive one receipt through open, items, discounts and close, resumably."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.progress: Progress | None = None

    def register(self, receipt: FiscalReceipt, expected_number: int | None) -> FiscalResult:
        """Bring the device to 'receipt signed once' from whatever state it is in."""
        status = self._short_status()
        last = self._last_document_number()
        progress = self.progress
        fresh = progress is None or progress.receipt != receipt
        if fresh:
            baseline = last if expected_number is None else expected_number - 1
            progress = self.progress = Progress(receipt, baseline)
        assert progress is not None
        if last > progress.baseline:
            return self._finish(progress)
        steps = operations(receipt)
        if status.mode == Mode.DOCUMENT_OPEN and (fresh or status.operations > len(steps)):
            # Someone else's half receipt, or ours with more lines than it has: never sign it.
            self.run(msg.plain(Cmd.CANCEL_RECEIPT))
            status = self._short_status()
        if status.submode == Submode.WAIT_CONTINUE:
            self.run(msg.plain(Cmd.CONTINUE_PRINT))  # paper reloaded mid-document
        if status.mode == Mode.DOCUMENT_OPEN:
            done = status.operations
        else:
            self._open(status, receipt)
            done = 0
        for step in steps[done:]:
            self.run(step)
        closed = self.run(msg.close_receipt(payment_slots(receipt)))
        progress.change_minor = msg.decode_change(closed.data)
        return self._finish(progress)

    def _open(self, status: msg.ShortStatus, receipt: FiscalReceipt) -> None:
        try:
            check_ready(status)
            self.run(msg.open_receipt(receipt.kind))
        except DeviceError as exc:
            if not exc.retryable:
                self.progress = None  # refused outright: nothing of this receipt is on the device
            raise

    def forget(self) -> None:
        """Drop the in-progress receipt, e.g. after the caller cancelled it."""
        self.progress = None

    def _finish(self, progress: Progress) -> FiscalResult:
        document = self.find(progress.baseline + 1)
        _check_matches(document, progress.receipt)
        shift = msg.decode_shift_params(self.run(msg.plain(Cmd.FN_SHIFT_PARAMS)).data)
        self.progress = None
        change = progress.change_minor
        return FiscalResult(
            document_number=document.number,
            fiscal_sign=document.fiscal_sign,
            change_minor=progress.receipt.change_minor if change is None else change,
            shift_number=shift.shift_number,
            datetime=document.datetime,
        )

    def find(self, number: int) -> FiscalDocument:
        """Fetch fiscal document `number` from the storage."""
        return msg.decode_document(self.run(msg.find_document(number)).data)

    def _short_status(self) -> msg.ShortStatus:
        return msg.decode_short_status(self.run(msg.plain(Cmd.SHORT_STATUS)).data)

    def _last_document_number(self) -> int:
        return msg.decode_fn_status(self.run(msg.plain(Cmd.FN_STATUS)).data).last_document_number


def _check_matches(document: FiscalDocument, receipt: FiscalReceipt) -> None:
    if document.kind != "receipt" or document.amount_minor != receipt.total_minor:
        raise NeedsReconciliation(
            f"document {document.number} is {document.kind} of {document.amount_minor},"
            f" expected a receipt of {receipt.total_minor}"
        )
