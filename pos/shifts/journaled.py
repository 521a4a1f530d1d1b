"""Rebuild journaled cash movements and Z reports from their live rows (journal verify).

Also where verification finds them by number, and how it checks a pending ``shift_open`` outbox
row, which is neither numbered nor journaled.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from pos.core.registry import JournalChecks, NumberedDocuments
from pos.journal.canonical import canonical_json, differing_keys
from pos.journal.model import JournalEntry
from pos.journal.service import rebuild_differences
from pos.shifts.model import CASH_IN, CASH_OUT, CashMovement, Shift

Z_REPORT = "z_report"


def cash_differences(session: Session, entries: list[JournalEntry]) -> dict[int, str]:
    """Compare journaled cash in/out documents with their movements."""
    return rebuild_differences(session, entries, CashMovement, lambda row, _: row.document())


def z_differences(session: Session, entries: list[JournalEntry]) -> dict[int, str]:
    """Compare journaled Z reports with the reports stored on their shifts."""
    return rebuild_differences(session, entries, Shift, lambda row, _: row.z_report or {})


def shift_open_differences(session: Session, rows: list[Any]) -> dict[int, str]:
    """Compare pending ``shift_open`` outbox rows with their shifts (one query).

    Checked: the shift exists on the row's till, and the payload is its opening document. The
    cashier's name is taken from the payload: the shift keeps only the opener's id, and a
    later rename is no change.
    """
    shifts = {shift.id: shift for shift in session.scalars(
        select(Shift).where(Shift.id.in_([row.document_id for row in rows])))}
    differs: dict[int, str] = {}
    for row in rows:
        shift = shifts.get(row.document_id)
        if shift is None or shift.till_id != row.till_id:
            differs[row.id] = f"shift {row.document_id} of this till is gone"
            continue
        payload = row.payload if isinstance(row.payload, dict) else {}
        document = shift.opening_document(str(payload.get("cashier", "")))
        if canonical_json(document) != canonical_json(row.payload):
            fields = ", ".join(differing_keys(canonical_json(row.payload), document))
            differs[row.id] = f"the payload differs from the shift's opening ({fields})"
    return differs


def register_journal_checks(checks: JournalChecks) -> None:
    """Have journal verification rebuild, find and check cash movements, Z reports, openings."""
    checks.register((CASH_IN, CASH_OUT), cash_differences)
    checks.register((Z_REPORT,), z_differences)
    # A movement is inserted with number 0 and numbered in the same transaction.
    checks.register_numbered(NumberedDocuments(
        (CASH_IN, CASH_OUT), store_id=CashMovement.store_id, till_id=CashMovement.till_id,
        number=CashMovement.number, kind=CashMovement.kind, document_id=CashMovement.id))
    checks.register_numbered(NumberedDocuments(
        (Z_REPORT,), store_id=Shift.store_id, till_id=Shift.till_id, number=Shift.z_number,
        kind=literal(Z_REPORT), document_id=Shift.id))
    checks.register_outbox(("shift_open",), shift_open_differences)
