"""What a whole chain does not prove: that nothing is missing and the outbox prints the journal.

A hash chain shows that the entries it holds are unchanged, not that it holds every document:
with its last entry deleted it is shorter and still valid. So verification also checks
- the till's counter (:mod:`pos.fiscal.numbering`): a number is taken and journaled in one
  transaction, so the last entry's number equals the counter;
- every numbered document the features register (:class:`NumberedDocuments`: receipts and
  returns, cash movements, Z reports): the entry of its till and number journals that very
  document, and the document an entry journals still carries that number;
- every outbox row not yet fiscalised (pending or failed: the worker will send it): a numbered
  row carries its entry's kind, document id and canonical content, since the device prints the
  payload, not the journal; at most one such row per number. A row with no number (``shift_open``)
  is checked by what it is, with the :data:`OutboxCheck` its feature registered; a kind with no
  check is a fault, since the worker would send it.

Not covered: a fiscalised row's payload (history: the device has signed the document and the
worker never reads the row again; the journal is the record), a pending row that repeats a
fiscalised one's number, and documents numbered 0 or below (numbers start at 1).

The payload is compared as canonical JSON with the entry's document rather than through a hash
stored on the outbox row: the entry is already in memory while its page is checked, a hash in
the row an attacker edits proves nothing the journal does not, and the comparison can name the
fields that differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select, union_all
from sqlalchemy.orm import Session

from pos.core.registry import JournalChecks
from pos.fiscal.model import FAILED, PENDING, OutboxEntry
from pos.fiscal.numbering import TillCounter
from pos.journal.canonical import canonical_json, differing_keys
from pos.journal.model import JournalEntry

OUTBOX_PAGE = 1000

_OUTBOX = OutboxEntry.__table__.c
_NOT_FISCALISED = _OUTBOX.state.in_((PENDING, FAILED))


@dataclass(frozen=True)
class Fault:
    """Why verification stopped, and the outbox row at fault if it is one."""

    reason: str
    outbox_id: int | None = None


@dataclass(frozen=True)
class TillRef:
    """The till being verified."""

    id: int
    store_id: int


def page_faults(session: Session, checks: JournalChecks, till: TillRef, after: int,
                entries: Sequence[JournalEntry]) -> dict[int, Fault]:
    """Return, per entry of a page, how its numbered documents or pending outbox rows disagree.

    The page holds the entries numbered ``after + 1`` to its last: two queries, whatever its size.
    """
    upto = entries[-1].number
    documents: dict[int, list[tuple[str, int]]] = {}
    for row in _documents(session, checks, till, after, upto):
        documents.setdefault(row.number, []).append((row.kind, row.document_id))
    outbox: dict[int, list[Any]] = {}
    for row in session.execute(_pending(till.id, after, upto)):
        outbox.setdefault(row.number, []).append(row)
    covered = {kind for source in checks.numbered() for kind in source.kinds}
    faults: dict[int, Fault] = {}
    for entry in entries:
        fault = (_document_fault(entry, documents.get(entry.number, []), covered)
                 or _outbox_fault(entry, outbox.get(entry.number, [])))
        if fault is not None:
            faults[entry.id] = fault
    return faults


def tail_fault(session: Session, checks: JournalChecks, till: TillRef, head: int
               ) -> tuple[int, Fault] | None:
    """Return the first number past the journal's last entry ``head`` that is claimed, and why.

    A document or a pending outbox row numbered past ``head``, or a counter that is not at
    ``head``, means entries are missing (or the counter was moved back).
    """
    found: list[tuple[int, Fault]] = []
    first = _documents(session, checks, till, head, None, first_only=True)
    for row in first:
        found.append((row.number, Fault(f"the {row.kind} {row.document_id} carries number "
                                        f"{row.number} but the journal ends at {head}")))
    row = session.execute(_pending(till.id, head, None).limit(1)).first()
    if row is not None:
        found.append((row.number, Fault(f"pending outbox row {row.id} ({row.kind}) carries "
                                        f"number {row.number} but the journal ends at {head}",
                                        row.id)))
    counter = session.scalar(select(TillCounter.last_number)
                             .where(TillCounter.till_id == till.id)) or 0
    if counter > head:
        found.append((head + 1, Fault(f"the till's counter gave out number {counter} but the "
                                      f"journal ends at {head}: entries are missing")))
    elif counter < head:
        found.append((counter + 1, Fault(f"the till's counter is at {counter}, behind the "
                                         f"journal's last entry {head}")))
    # The earliest number first; at a tie the document or row names more than the counter.
    return min(found, key=lambda item: item[0]) if found else None


def unnumbered_fault(session: Session, checks: JournalChecks, till_id: int) -> Fault | None:
    """Check the till's pending outbox rows that carry no number, page by page, by their kind."""
    after = 0
    while True:
        rows = list(session.execute(
            select(_OUTBOX.id, _OUTBOX.till_id, _OUTBOX.kind, _OUTBOX.document_id,
                   _OUTBOX.payload)
            .where(_OUTBOX.till_id == till_id, _NOT_FISCALISED, _OUTBOX.id > after,
                   _OUTBOX.number.is_(None))
            .order_by(_OUTBOX.id).limit(OUTBOX_PAGE)))
        if not rows:
            return None
        faults = _unnumbered_faults(session, checks, rows)
        for row in rows:
            if row.id in faults:
                return Fault(f"pending outbox row {row.id} ({row.kind}): {faults[row.id]}", row.id)
        after = rows[-1].id
        session.expunge_all()  # done with this page's rows and what its checks loaded


def _unnumbered_faults(session: Session, checks: JournalChecks, rows: list[Any]
                       ) -> dict[int, str]:
    by_kind: dict[str, list[Any]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    faults: dict[int, str] = {}
    for kind, of_kind in by_kind.items():
        check = checks.outbox_check(kind)
        if check is None:
            faults.update((row.id, "no number and no check for its kind") for row in of_kind)
        else:
            faults.update(check(session, of_kind))
    return faults


def _document_fault(entry: JournalEntry, documents: list[tuple[str, int]], covered: set[str]
                    ) -> Fault | None:
    journaled = (entry.kind, entry.document_id)
    for kind, document_id in documents:
        if (kind, document_id) != journaled:
            return Fault(f"the {kind} {document_id} also carries number {entry.number}, "
                         f"whose entry journals the {entry.kind} {entry.document_id}")
    if entry.kind in covered and journaled not in documents:
        return Fault(f"the {entry.kind} {entry.document_id} no longer carries number "
                     f"{entry.number}")
    return None


def _outbox_fault(entry: JournalEntry, rows: list[Any]) -> Fault | None:
    if len(rows) > 1:
        return Fault(f"{len(rows)} pending outbox rows carry number {entry.number}",
                     rows[1].id)
    for row in rows:
        if (row.kind, row.document_id) != (entry.kind, entry.document_id):
            return Fault(f"pending outbox row {row.id} is the {row.kind} {row.document_id}, "
                         f"not the journaled {entry.kind} {entry.document_id}", row.id)
        if canonical_json(row.payload) != entry.document:
            fields = ", ".join(differing_keys(entry.document, row.payload))
            return Fault(f"pending outbox row {row.id}'s payload differs from the journaled "
                         f"document ({fields})", row.id)
    return None


def _pending(till_id: int, after: int, upto: int | None) -> Select[Any]:
    query = (select(_OUTBOX.id, _OUTBOX.number, _OUTBOX.kind, _OUTBOX.document_id,
                    _OUTBOX.payload)
             .where(_OUTBOX.till_id == till_id, _OUTBOX.number > after, _NOT_FISCALISED)
             .order_by(_OUTBOX.number, _OUTBOX.id))
    return query if upto is None else query.where(_OUTBOX.number <= upto)


def _documents(session: Session, checks: JournalChecks, till: TillRef, after: int,
               upto: int | None, *, first_only: bool = False) -> list[Any]:
    """Return (number, kind, document_id) of the till's documents numbered in (after, upto]."""
    branches = []
    for source in checks.numbered():
        branch = select(source.number.label("number"), source.kind.label("kind"),
                        source.document_id.label("document_id")).where(
            source.store_id == till.store_id, source.till_id == till.id, source.number > after)
        branches.append(branch if upto is None else branch.where(source.number <= upto))
    if not branches:
        return []
    documents = union_all(*branches).subquery()
    query = select(documents).order_by(documents.c.number)
    return list(session.execute(query.limit(1) if first_only else query))
