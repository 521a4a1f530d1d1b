"""Rebuild journaled receipts and returns from their live rows, for ``pos journal verify``."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.journal.model import JournalEntry
from pos.journal.service import compare_live, register_live_check
from pos.receipts.model import RETURN, SALE, Receipt, receipt_document


def live_differences(session: Session, entries: list[JournalEntry]) -> dict[int, str]:
    """Return, per journal entry, how its receipt's rows differ from the journaled copy."""
    ids = [entry.document_id for entry in entries]
    receipts = {r.id: r for r in session.scalars(select(Receipt).where(Receipt.id.in_(ids)))}
    differs: dict[int, str] = {}
    for entry in entries:
        receipt = receipts.get(entry.document_id)
        if receipt is None:
            differs[entry.id] = f"the {entry.kind}'s receipt row is gone"
            continue
        # The cashier's name is as it was at the close; a later rename is not a change.
        cashier = json.loads(entry.document).get("cashier", "")
        reason = compare_live(entry, receipt_document(receipt, cashier))
        if reason is not None:
            differs[entry.id] = reason
    return differs


register_live_check((SALE, RETURN), live_differences)
