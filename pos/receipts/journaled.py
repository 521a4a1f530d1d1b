"""Rebuild journaled receipts and returns from their live rows, for ``pos journal verify``."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from pos.core.registry import JournalChecks, NumberedDocuments
from pos.journal.model import JournalEntry
from pos.journal.service import rebuild_differences
from pos.receipts.model import RETURN, SALE, Receipt, receipt_document


def _rebuild(receipt: Receipt, entry: JournalEntry) -> dict[str, Any]:
    # The cashier's name is as it was at the close; a later rename is not a change.
    return receipt_document(receipt, json.loads(entry.document).get("cashier", ""))


def live_differences(session: Session, entries: list[JournalEntry]) -> dict[int, str]:
    """Return, per journal entry, how its receipt's rows differ from the journaled copy."""
    return rebuild_differences(session, entries, Receipt, _rebuild)


def register_journal_checks(checks: JournalChecks) -> None:
    """Have journal verification rebuild receipts and returns, and find each one's entry."""
    checks.register((SALE, RETURN), live_differences)
    # A receipt carries a number only once closed, in the transaction that journals it.
    checks.register_numbered(NumberedDocuments(
        (SALE, RETURN), store_id=Receipt.store_id, till_id=Receipt.till_id,
        number=Receipt.number, kind=Receipt.kind, document_id=Receipt.id))
