"""Send one outbox document to the registrar exactly once, reconciling after any doubt.

devices.md §3.1.6: the number the document should get on the device is stored before it is
sent. On a later attempt (after a timeout, a pulled cable or a crash of this process) the
device is asked first — its link layer collects an answer still pending (ENQ -> ACK). A
document left open is annulled and replayed; a device number that reached the stored one
means the document was made, so it is fetched and marked; otherwise it is sent again.
Receipts, returns and Z reports are numbered by the fiscal storage (FD numbers); cash in and
out only by the device's running document number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from devices.errors import NeedsReconciliation
from devices.fiscal.base import FiscalRegistrar, FiscalResult, ReceiptKind
from pos.fiscal.adapter import to_fiscal_receipt
from pos.fiscal.model import OutboxEntry

FD_KINDS = {"sale": "receipt", "return": "receipt", "z_report": "shift_close",
            "correction": "correction"}
SETTLING = ("receipt", "correction")
CASH_KINDS = ("cash_in", "cash_out")

Remember = Callable[[int], None]


@dataclass(frozen=True)
class Outcome:
    """What the device made of a document: FD number and sign, shift, running number."""

    device_number: int | None
    fiscal_sign: int | None
    shift_number: int | None
    running_number: int | None = None


def send(registrar: FiscalRegistrar, entry: OutboxEntry, remember: Remember) -> Outcome:
    """Bring the device to 'this document made once'; ``remember`` stores the expected number."""
    if entry.kind in FD_KINDS:
        outcome = _fd_document(registrar, entry, remember)
    elif entry.kind in CASH_KINDS:
        outcome = _cash(registrar, entry, remember)
    else:
        raise NeedsReconciliation(f"no device document for kind {entry.kind}")
    running = registrar.running_document_number()
    return Outcome(outcome.device_number, outcome.fiscal_sign, outcome.shift_number, running)


def _fd_document(registrar: FiscalRegistrar, entry: OutboxEntry, remember: Remember
                 ) -> Outcome:
    status = registrar.status()
    expected = entry.expected_device_number
    if expected is not None and status.last_document_number >= expected:
        return _already_made(registrar, entry, expected)
    if status.document_open:
        registrar.cancel_receipt()  # a half document of a failed attempt: annul, then replay
    if expected is None:
        expected = status.last_document_number + 1
        remember(expected)
    if entry.kind == "z_report":
        result = registrar.z_report()
    elif entry.kind == "correction":
        operation = ReceiptKind.RETURN if entry.payload["operation"] == "return" else (
            ReceiptKind.SALE)
        result = registrar.correction_receipt(operation, entry.payload["amount_minor"])
    else:
        result = registrar.register_receipt(to_fiscal_receipt(entry.payload),
                                            expected_number=expected)
    _check_number(result, expected)
    return Outcome(result.document_number, result.fiscal_sign, result.shift_number)


def _already_made(registrar: FiscalRegistrar, entry: OutboxEntry, expected: int) -> Outcome:
    document = registrar.find_document(expected)
    wanted = FD_KINDS[entry.kind]
    amount = entry.payload.get("total_minor", entry.payload.get("amount_minor"))
    if document.kind != wanted or (wanted in SETTLING and document.amount_minor != amount):
        raise NeedsReconciliation(
            f"device document {expected} is a {document.kind} of {document.amount_minor},"
            f" not this {entry.kind}; a manager must compare the device's journal")
    # Receipts in the storage carry no shift number; documents go in order, so a receipt
    # found here belongs to the shift open on the device now.
    shift = document.shift_number or registrar.status().shift_number
    return Outcome(document.number, document.fiscal_sign, shift)


def _check_number(result: FiscalResult, expected: int) -> None:
    if result.document_number != expected:
        raise NeedsReconciliation(
            f"the device numbered the document {result.document_number}, expected {expected}:"
            " something else printed on the registrar")


def _cash(registrar: FiscalRegistrar, entry: OutboxEntry, remember: Remember) -> Outcome:
    running = registrar.running_document_number()
    expected = entry.expected_device_number
    shift = registrar.status().shift_number
    if expected is not None and running >= expected:
        return Outcome(None, None, shift)  # made; its answer was lost
    if expected is None:
        remember(running + 1)
    amount = entry.payload["amount_minor"]
    if entry.kind == "cash_in":
        registrar.cash_in(amount)
    else:
        registrar.cash_out(amount)
    return Outcome(None, None, shift)
