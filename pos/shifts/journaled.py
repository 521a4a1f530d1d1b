"""Rebuild journaled cash movements and Z reports from their live rows (journal verify)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.journal.model import JournalEntry
from pos.journal.service import compare_live, register_live_check
from pos.shifts.model import CASH_IN, CASH_OUT, CashMovement, Shift


def _differences(session: Session, entries: list[JournalEntry], model: Any,
                 document: Any) -> dict[int, str]:
    ids = [entry.document_id for entry in entries]
    rows = {row.id: row for row in session.scalars(select(model).where(model.id.in_(ids)))}
    differs: dict[int, str] = {}
    for entry in entries:
        row = rows.get(entry.document_id)
        reason = (f"the {entry.kind}'s row is gone" if row is None
                  else compare_live(entry, document(row)))
        if reason is not None:
            differs[entry.id] = reason
    return differs


def cash_differences(session: Session, entries: list[JournalEntry]) -> dict[int, str]:
    """Compare journaled cash in/out documents with their movements."""
    return _differences(session, entries, CashMovement, lambda row: row.document())


def z_differences(session: Session, entries: list[JournalEntry]) -> dict[int, str]:
    """Compare journaled Z reports with the reports stored on their shifts."""
    return _differences(session, entries, Shift, lambda row: row.z_report or {})


register_live_check((CASH_IN, CASH_OUT), cash_differences)
register_live_check(("z_report",), z_differences)
