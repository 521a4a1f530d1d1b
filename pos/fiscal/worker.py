"""The outbox worker: send each till's pending documents to its registrar, in order, once.

Per-till order is the invariant: documents go in journal order and a failed one holds back
the ones after it, retried with a growing back-off. Each send reconciles with the device
first (:mod:`pos.fiscal.reconcile`), so a retry after any doubt never makes a second document.
The ``shift_open`` rows are shift sync, not journal documents: they open the shift on the
registrar (or find it open) and are counted apart (``shifts_opened``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update

from devices.errors import DeviceError
from devices.fiscal.base import FiscalRegistrar
from pos.core.db import Database
from pos.fiscal import shift_sync
from pos.fiscal.model import FAILED, OutboxEntry
from pos.fiscal.reconcile import Outcome, send
from pos.fiscal.service import due_entries, tills_with_work
from pos.receipts.model import Receipt

MAX_ATTEMPTS = 10**6  # never give up: a stuck document stays visible and keeps its place
MAX_BACKOFF_S = 300.0
RECEIPT_KINDS = ("sale", "return")


@dataclass
class WorkReport:
    """What one pass of the worker did."""

    fiscalised: int = 0  # outbox rows done, shift sync included
    documents: int = 0  # journal documents the device made
    shifts_opened: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int, base_s: float) -> timedelta:
    """Return how long a document that failed ``attempts`` times waits before the next try."""
    return timedelta(seconds=min(base_s * 2 ** max(attempts - 1, 0), MAX_BACKOFF_S))


def process(db: Database, registrar_for: Callable[[int], FiscalRegistrar],
            now: Callable[[], datetime], *, max_attempts: int = MAX_ATTEMPTS,
            backoff_s: float = 0.0) -> WorkReport:
    """Process every till with waiting documents; a failure stops that till until next pass."""
    report = WorkReport()
    for till_id in tills_with_work(db):
        _process_till(db, till_id, registrar_for(till_id), now, max_attempts, backoff_s, report)
    return report


def process_till(db: Database, till_id: int, registrar: FiscalRegistrar,
                 now: Callable[[], datetime], *, max_attempts: int = MAX_ATTEMPTS,
                 backoff_s: float = 0.0) -> WorkReport:
    """Process one till's waiting documents on its own registrar; a failure stops the till."""
    report = WorkReport()
    _process_till(db, till_id, registrar, now, max_attempts, backoff_s, report)
    return report


def _process_till(db: Database, till_id: int, registrar: FiscalRegistrar,
                  now: Callable[[], datetime], max_attempts: int, backoff_s: float,
                  report: WorkReport) -> None:
    with db.read() as session:
        entries = due_entries(session, till_id, max_attempts)
    for entry in entries:
        if entry.state == FAILED and entry.next_attempt_at and entry.next_attempt_at > now():
            return  # backing off; the ones after it wait too
        try:
            outcome = _send(db, registrar, entry, now)
        except DeviceError as error:
            _fail(db, entry, error, now(), backoff_s, report)
            return  # keep the till's order: later documents wait for this one
        _done(db, entry, outcome, now())
        report.fiscalised += 1
        if entry.kind == "shift_open":
            report.shifts_opened += 1
        else:
            report.documents += 1


def _send(db: Database, registrar: FiscalRegistrar, entry: OutboxEntry,
          now: Callable[[], datetime]) -> Outcome:
    if entry.kind == "shift_open":
        return shift_sync.open_on_device(db, registrar, entry, now(),
                                         lambda n: _remember(db, entry.id, n))
    shift_sync.ensure_open(db, registrar, entry, now())
    outcome = send(registrar, entry, lambda n: _remember(db, entry.id, n))
    if entry.kind == "z_report":
        shift_sync.record_close(db, registrar, entry, outcome, now())
    return outcome


def _remember(db: Database, entry_id: int, expected: int) -> None:
    with db.transaction() as session:
        session.execute(update(OutboxEntry).where(OutboxEntry.id == entry_id)
                        .values(expected_device_number=expected))


def _fail(db: Database, entry: OutboxEntry, error: DeviceError, now: datetime,
          backoff_s: float, report: WorkReport) -> None:
    message = f"{type(error).__name__}: {error}"
    with db.transaction() as session:
        row = session.get(OutboxEntry, entry.id)
        assert row is not None
        row.mark_failed(message, now)
        row.next_attempt_at = now + backoff(row.attempts, backoff_s)
    report.failed += 1
    report.errors.append(f"till {entry.till_id} document {entry.number}: {message}")


def _done(db: Database, entry: OutboxEntry, outcome: Outcome, now: datetime) -> None:
    with db.transaction() as session:
        row = session.get(OutboxEntry, entry.id)
        assert row is not None
        row.mark_fiscalised(outcome.device_number, outcome.fiscal_sign, now)
        row.shift_number, row.running_number = outcome.shift_number, outcome.running_number
        row.next_attempt_at = None
        if entry.kind in RECEIPT_KINDS:
            session.execute(update(Receipt).where(Receipt.id == entry.document_id).values(
                fiscal_document_number=outcome.device_number,
                fiscal_sign=outcome.fiscal_sign, fiscal_shift_number=outcome.shift_number))


def hold(db: Database, till_id: int, error: DeviceError, now: datetime,
         backoff_s: float = 0.0) -> None:
    """Record on the till's first waiting document why the registrar could not be reached."""
    with db.read() as session:
        entries = due_entries(session, till_id, MAX_ATTEMPTS)
    if entries and not (entries[0].state == FAILED and entries[0].next_attempt_at
                        and entries[0].next_attempt_at > now):
        _fail(db, entries[0], error, now, backoff_s, WorkReport())
