"""Rebuild journaled cash movements and Z reports from their live rows (journal verify)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pos.core.registry import JournalChecks
from pos.journal.model import JournalEntry
from pos.journal.service import rebuild_differences
from pos.shifts.model import CASH_IN, CASH_OUT, CashMovement, Shift


def cash_differences(session: Session, entries: list[JournalEntry]) -> dict[int, str]:
    """Compare journaled cash in/out documents with their movements."""
    return rebuild_differences(session, entries, CashMovement, lambda row, _: row.document())


def z_differences(session: Session, entries: list[JournalEntry]) -> dict[int, str]:
    """Compare journaled Z reports with the reports stored on their shifts."""
    return rebuild_differences(session, entries, Shift, lambda row, _: row.z_report or {})


def register_journal_checks(checks: JournalChecks) -> None:
    """Have journal verification rebuild cash movements and Z reports from their rows."""
    checks.register((CASH_IN, CASH_OUT), cash_differences)
    checks.register(("z_report",), z_differences)
