"""Append to the journal and verify its chain."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from pos.core.db import Database
from pos.core.registry import JournalChecks, LiveCheck
from pos.journal.canonical import GENESIS_HASH, canonical_json, chain_hash
from pos.journal.model import JournalEntry
from pos.stores.model import Till

VERIFY_BATCH = 1000

_HASH_OF = select(JournalEntry.__table__.c.hash).where(
    JournalEntry.__table__.c.till_id == bindparam("till_id"),
    JournalEntry.__table__.c.number == bindparam("number"))


def append(session: Session, *, store_id: int, till_id: int, number: int, kind: str,
           document_id: int, document: dict[str, Any], now: datetime) -> None:
    """Chain a closed document to its till's journal (number already taken in this txn)."""
    table = JournalEntry.__table__
    prev_hash = GENESIS_HASH
    if number > 1:
        prev_hash = session.execute(_HASH_OF, {"till_id": till_id, "number": number - 1}
                                    ).scalar() or GENESIS_HASH
    text = canonical_json(document)
    # A Core INSERT: the row is never read back in this transaction.
    session.execute(insert(table), dict(
        store_id=store_id, till_id=till_id, number=number, kind=kind, document_id=document_id,
        document=text, prev_hash=prev_hash, hash=chain_hash(prev_hash, text), created_at=now))


@dataclass
class TillVerdict:
    """The outcome of checking one till's chain."""

    till_id: int
    entries: int = 0
    is_intact: bool = True
    broken_number: int | None = None
    broken_entry_id: int | None = None
    reason: str | None = None


@dataclass
class Verdict:
    """The outcome of checking every chain asked for."""

    tills: list[TillVerdict] = field(default_factory=list)

    @property
    def is_intact(self) -> bool:
        """Tell whether every chain checked is whole."""
        return all(t.is_intact for t in self.tills)


def verify(db: Database, checks: JournalChecks, till_id: int | None = None) -> Verdict:
    """Check each till's chain from its first entry; report the first broken one.

    ``checks`` rebuild each kind of document from its live rows (see :class:`JournalChecks`).
    """
    with db.read() as session:
        query = select(Till.id).order_by(Till.id)
        if till_id is not None:
            query = query.where(Till.id == till_id)
        till_ids = list(session.scalars(query))
        return Verdict([_verify_till(session, checks, tid) for tid in till_ids])


def _verify_till(session: Session, checks: JournalChecks, till_id: int) -> TillVerdict:
    verdict = TillVerdict(till_id)
    prev_hash, expected_number = GENESIS_HASH, 1
    for batch in _batches(session, till_id):
        differs = _live_differences(session, checks, batch)
        for entry in batch:
            reason = _fault(entry, prev_hash, expected_number) or differs.get(entry.id)
            if reason is not None:
                verdict.is_intact, verdict.reason = False, reason
                verdict.broken_number, verdict.broken_entry_id = entry.number, entry.id
                return verdict
            verdict.entries += 1
            prev_hash, expected_number = entry.hash, entry.number + 1
    return verdict


def rebuild_differences(session: Session, entries: list[JournalEntry], model: Any,
                        rebuild: Callable[[Any, JournalEntry], dict[str, Any]]
                        ) -> dict[int, str]:
    """Load the ``model`` rows the entries journal (one query) and compare each rebuilt.

    ``rebuild(row, entry)`` returns the row's document as it would be journaled now.
    """
    ids = [entry.document_id for entry in entries]
    rows = {row.id: row for row in session.scalars(select(model).where(model.id.in_(ids)))}
    differs: dict[int, str] = {}
    for entry in entries:
        row = rows.get(entry.document_id)
        reason = (f"the {entry.kind}'s row is gone" if row is None
                  else compare_live(entry, rebuild(row, entry)))
        if reason is not None:
            differs[entry.id] = reason
    return differs


def compare_live(entry: JournalEntry, live: dict[str, Any]) -> str | None:
    """Say which fields of a document rebuilt from live rows differ from the journaled one."""
    if canonical_json(live) == entry.document:
        return None
    journaled = json.loads(entry.document)
    rebuilt = json.loads(canonical_json(live))
    fields = sorted(k for k in journaled.keys() | rebuilt.keys()
                    if journaled.get(k) != rebuilt.get(k))
    return f"the live {entry.kind} differs from its journaled document ({', '.join(fields)})"


def _live_differences(session: Session, checks: JournalChecks, batch: list[JournalEntry]
                      ) -> dict[int, str]:
    by_check: dict[LiveCheck, list[JournalEntry]] = {}
    for entry in batch:
        check = checks.for_kind(entry.kind)
        if check is not None:
            by_check.setdefault(check, []).append(entry)
    differs: dict[int, str] = {}
    for check, entries in by_check.items():
        differs.update(check(session, entries))
    return differs


def _fault(entry: JournalEntry, prev_hash: str, expected_number: int) -> str | None:
    if entry.number != expected_number:
        return f"number {entry.number} where {expected_number} was expected (gap)"
    if entry.prev_hash != prev_hash:
        return "prev_hash does not match the previous entry's hash"
    if chain_hash(entry.prev_hash, entry.document) != entry.hash:
        return "hash does not match the document (document altered)"
    return None


def _batches(session: Session, till_id: int) -> Iterator[list[JournalEntry]]:
    # Keyset pages keep memory flat on a long journal.
    after = 0
    while True:
        batch = list(session.scalars(
            select(JournalEntry).where(JournalEntry.till_id == till_id,
                                       JournalEntry.number > after)
            .order_by(JournalEntry.number).limit(VERIFY_BATCH)))
        if not batch:
            return
        yield batch
        after = batch[-1].number
        session.expunge_all()  # done with this page
