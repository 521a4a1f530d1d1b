"""The outbox worker: send each till's pending documents to its registrar, in order, once.

A receipt's expected device document number is stored before it is sent; a retry passes it to
``register_receipt`` so a device that signed the receipt but whose answer was lost returns that
document instead of printing a second one (performance-reliability §3.6).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from devices.errors import DeviceError
from devices.fiscal.base import FiscalRegistrar
from pos.core.db import Database
from pos.fiscal.adapter import to_fiscal_receipt
from pos.fiscal.model import OutboxEntry
from pos.fiscal.service import due_entries, tills_with_work

MAX_ATTEMPTS = 10
RECEIPT_KINDS = ("sale", "return")


@dataclass
class WorkReport:
    """What one pass of the worker did."""

    fiscalised: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def process(db: Database, registrar_for: Callable[[int], FiscalRegistrar],
            now: Callable[[], datetime], *, max_attempts: int = MAX_ATTEMPTS) -> WorkReport:
    """Process every till with waiting documents; a failure stops that till until next pass."""
    report = WorkReport()
    for till_id in tills_with_work(db):
        _process_till(db, till_id, registrar_for(till_id), now, max_attempts, report)
    return report


def process_till(db: Database, till_id: int, registrar: FiscalRegistrar,
                 now: Callable[[], datetime], *, max_attempts: int = MAX_ATTEMPTS) -> WorkReport:
    """Process one till's waiting documents on its own registrar; a failure stops the till."""
    report = WorkReport()
    _process_till(db, till_id, registrar, now, max_attempts, report)
    return report


def _process_till(db: Database, till_id: int, registrar: FiscalRegistrar,
                  now: Callable[[], datetime], max_attempts: int, report: WorkReport) -> None:
    with db.read() as session:
        entries = due_entries(session, till_id, max_attempts)
    for entry in entries:
        try:
            number, sign = _send(db, registrar, entry)
        except DeviceError as error:
            message = f"{type(error).__name__}: {error}"
            _finish(db, entry.id, lambda row, m=message: row.mark_failed(m, now()))
            report.failed += 1
            report.errors.append(f"till {till_id} document {entry.number}: {message}")
            return  # keep the till's order: later documents wait for this one
        _finish(db, entry.id, lambda row, n=number, s=sign: row.mark_fiscalised(n, s, now()))
        report.fiscalised += 1


def _send(db: Database, registrar: FiscalRegistrar, entry: OutboxEntry
          ) -> tuple[int | None, int | None]:
    payload = entry.payload
    if entry.kind == "shift_open":
        if not registrar.status().shift_open:
            registrar.open_shift(payload.get("cashier", ""))
            if payload.get("opening_float_minor"):
                registrar.cash_in(payload["opening_float_minor"])
        return None, None
    _ensure_device_shift(registrar, payload)
    if entry.kind in RECEIPT_KINDS:
        return _send_receipt(db, registrar, entry)
    if entry.kind == "cash_in":
        return registrar.cash_in(payload["amount_minor"]), None
    if entry.kind == "cash_out":
        return registrar.cash_out(payload["amount_minor"]), None
    result = registrar.z_report()
    return result.document_number, result.fiscal_sign


def _send_receipt(db: Database, registrar: FiscalRegistrar, entry: OutboxEntry
                  ) -> tuple[int | None, int | None]:
    receipt = to_fiscal_receipt(entry.payload)
    expected = entry.expected_device_number
    if expected is None:
        expected = registrar.status().last_document_number + 1
        _finish(db, entry.id, lambda row: setattr(row, "expected_device_number", expected))
    result = registrar.register_receipt(receipt, expected_number=expected)
    return result.document_number, result.fiscal_sign


def _ensure_device_shift(registrar: FiscalRegistrar, payload: dict[str, object]) -> None:
    if not registrar.status().shift_open:
        registrar.open_shift(str(payload.get("cashier", "")))


def _finish(db: Database, entry_id: int, change: Callable[[OutboxEntry], object]) -> None:
    with db.transaction() as session:
        row = session.get(OutboxEntry, entry_id)
        assert row is not None
        change(row)
