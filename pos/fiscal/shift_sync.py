"""Shift sync with the registrar: open (or find open) on shift open, Z figures on close."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from devices.errors import DeviceError
from devices.fiscal.base import FiscalRegistrar
from pos.core.db import Database
from pos.fiscal.device_shift import DeviceShift, device_figures, device_shift, mismatches
from pos.fiscal.model import OutboxEntry
from pos.fiscal.reconcile import Outcome


def open_on_device(db: Database, registrar: FiscalRegistrar, entry: OutboxEntry,
                   now: datetime, remember: Callable[[int], None]) -> Outcome:
    """Open the shift on the registrar (or find it open), then put the opening float in once.

    Resumable like a document: what the registrar was found in is recorded before anything is
    sent, and the float's expected running number before the cash in.
    """
    status = registrar.status()
    record = _first_look(db, entry, status.shift_open, status.last_document_number + 1, now)
    opened = None
    if not record.was_found_open and not status.shift_open:
        opened = registrar.open_shift(str(entry.payload.get("cashier", "")))
        with db.transaction() as session:
            row = device_shift(session, entry.store_id, entry.till_id, entry.document_id)
            row.device_shift_number = opened.shift_number
            row.open_document_number = opened.document_number
    if not record.was_found_open and entry.payload.get("opening_float_minor"):
        _float_once(registrar, entry, remember)
    number = status.shift_number if opened is None else opened.shift_number
    return Outcome(None if opened is None else opened.document_number,
                   None if opened is None else opened.fiscal_sign, number,
                   registrar.running_document_number())


def _first_look(db: Database, entry: OutboxEntry, is_open: bool, next_number: int,
                now: datetime) -> DeviceShift:
    with db.transaction() as session:
        row = session.get(DeviceShift, entry.document_id)
        if row is None:  # first attempt: say what the registrar was in before touching it
            row = device_shift(session, entry.store_id, entry.till_id, entry.document_id)
            row.was_found_open, row.opened_at = is_open, now
            row.open_document_number = None if is_open else next_number
        return row


def _float_once(registrar: FiscalRegistrar, entry: OutboxEntry,
                remember: Callable[[int], None]) -> None:
    running = registrar.running_document_number()
    expected = entry.expected_device_number
    if expected is not None and running >= expected:
        return  # the float went in; its answer was lost
    if expected is None:
        remember(running + 1)
    registrar.cash_in(entry.payload["opening_float_minor"])  # the drawer's float, as counted


def ensure_open(db: Database, registrar: FiscalRegistrar, entry: OutboxEntry,
                now: datetime) -> None:
    """Open a shift on a registrar that closed its own (e.g. by hand) before a document."""
    if entry.kind == "z_report" or registrar.status().shift_open:
        return
    registrar.open_shift(str(entry.payload.get("cashier", "")))


def record_close(db: Database, registrar: FiscalRegistrar, entry: OutboxEntry,
                 outcome: Outcome, now: datetime) -> None:
    """Store the registrar's Z figures beside ours and the mismatches between them."""
    with db.read() as session:
        row = session.get(DeviceShift, entry.document_id)
        first = (row.open_document_number or 0) + 1 if row is not None else None
    figures, found = None, []
    if first is not None and outcome.device_number is not None:
        try:
            figures = device_figures(registrar, first, outcome.device_number - 1)
            found = mismatches(entry.payload, figures)
        except DeviceError as error:  # the shift is closed; its figures can be read later
            figures = {"error": f"{type(error).__name__}: {error}"}
    with db.transaction() as session:
        row = device_shift(session, entry.store_id, entry.till_id, entry.document_id)
        row.close_document_number, row.close_fiscal_sign = (outcome.device_number,
                                                            outcome.fiscal_sign)
        row.device_shift_number = row.device_shift_number or outcome.shift_number
        row.device_figures, row.mismatches, row.closed_at = figures, found, now
