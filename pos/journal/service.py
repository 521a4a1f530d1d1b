"""Append to the journal and verify its chain."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from pos.core.db import Database
from pos.core.direct import Direct
from pos.core.registry import JournalChecks, LiveCheck
from pos.core.scope import visible_stores
from pos.core.security import Principal
from pos.journal import coverage
from pos.journal.canonical import GENESIS_HASH, canonical_json, chain_hash, differing_keys
from pos.journal.coverage import Fault, TillRef
from pos.journal.model import JournalEntry
from pos.stores.model import Till
from pos.stores.service import get_till

VERIFY_BATCH = 1000
_INSERT = Direct(insert(JournalEntry.__table__))

_HASH_OF = Direct(select(JournalEntry.__table__.c.hash).where(
    JournalEntry.__table__.c.till_id == bindparam("till_id"),
    JournalEntry.__table__.c.number == bindparam("number")))


def append(session: Session, *, store_id: int, till_id: int, number: int, kind: str,
           document_id: int, document: dict[str, Any], now: datetime) -> str:
    """Chain a closed document to its till's journal (number already taken in this txn).

    Returns the document's canonical JSON, as journaled.
    """
    prev_hash = GENESIS_HASH
    if number > 1:
        prev_hash = _HASH_OF.scalar(session.connection(),
                                    {"till_id": till_id, "number": number - 1}) or GENESIS_HASH
    text = canonical_json(document)
    # A Core INSERT on the session's connection: the row is never read back in this
    # transaction, so the session has nothing to track.
    _INSERT.count(session.connection(), dict(
        store_id=store_id, till_id=till_id, number=number, kind=kind, document_id=document_id,
        document=text, prev_hash=prev_hash, hash=chain_hash(prev_hash, text), created_at=now))
    return text


@dataclass
class TillVerdict:
    """The outcome of checking one till's chain."""

    till_id: int
    entries: int = 0
    is_intact: bool = True
    broken_number: int | None = None
    broken_entry_id: int | None = None
    broken_outbox_id: int | None = None
    reason: str | None = None

    def location(self) -> str:
        """Say where the first fault is: the number and entry, or the outbox row."""
        if self.broken_number is None:
            return f"at outbox row {self.broken_outbox_id}"
        entry = "no entry" if self.broken_entry_id is None else f"entry {self.broken_entry_id}"
        return f"at number {self.broken_number} ({entry})"

    def break_at(self, fault: Fault, number: int | None, entry_id: int | None = None
                 ) -> TillVerdict:
        """Record the first fault found and return the verdict."""
        self.is_intact, self.reason, self.broken_outbox_id = False, fault.reason, fault.outbox_id
        self.broken_number, self.broken_entry_id = number, entry_id
        return self


@dataclass
class Verdict:
    """The outcome of checking every chain asked for."""

    tills: list[TillVerdict] = field(default_factory=list)

    @property
    def is_intact(self) -> bool:
        """Tell whether every chain checked is whole."""
        return all(t.is_intact for t in self.tills)


def verify(db: Database, checks: JournalChecks, till_id: int | None = None,
           viewer: Principal | None = None) -> Verdict:
    """Check each till's chain and what it must cover; report the first fault per till.

    ``checks`` rebuild each kind of document from its live rows and say where the numbered
    documents are (see :class:`JournalChecks`); :mod:`pos.journal.coverage` says what else is
    checked: the till's counter, documents without an entry, the pending fiscal outbox.
    A ``viewer`` has the tills of their stores checked (another's till: ``till_not_found``).
    """
    with db.read() as session:
        if db.dialect == "postgresql":
            # One snapshot for the whole check, as SQLite's read transaction already is: else a
            # document closed meanwhile shows up past the journal's end, or the counter ahead.
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        query = select(Till.id, Till.store_id).order_by(Till.id)
        if till_id is not None:
            if viewer is not None:  # unknown and out of scope alike: till_not_found
                get_till(session, till_id, viewer)
            query = query.where(Till.id == till_id)
        stores = visible_stores(viewer) if viewer is not None else None
        if stores is not None:
            query = query.where(Till.store_id.in_(stores))
        tills = [TillRef(row.id, row.store_id) for row in session.execute(query)]
        return Verdict([_verify_till(session, checks, till) for till in tills])


def _verify_till(session: Session, checks: JournalChecks, till: TillRef) -> TillVerdict:
    verdict = TillVerdict(till.id)
    prev_hash, head = GENESIS_HASH, 0
    for batch in _batches(session, till.id):
        differs = _live_differences(session, checks, batch)
        covers = coverage.page_faults(session, checks, till, head, batch)
        for entry in batch:
            reason = _fault(entry, prev_hash, head + 1) or differs.get(entry.id)
            fault = Fault(reason) if reason is not None else covers.get(entry.id)
            if fault is not None:
                return verdict.break_at(fault, entry.number, entry.id)
            verdict.entries += 1
            prev_hash, head = entry.hash, entry.number
    tail = coverage.tail_fault(session, checks, till, head)
    if tail is not None:
        return verdict.break_at(tail[1], tail[0])
    fault = coverage.unnumbered_fault(session, checks, till.id)
    return verdict if fault is None else verdict.break_at(fault, None)


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
    fields = ", ".join(differing_keys(entry.document, live))
    return f"the live {entry.kind} differs from its journaled document ({fields})"


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
