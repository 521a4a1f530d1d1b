"""What one app owns beside its database: the registries features fill, and its caches.

``create_app`` builds one :class:`Registry` and has each feature register into it (receipts
the cash and card payment types, loyalty later its own), so two apps in one process (tests, a
store node beside its central) never share a payment type, a journal check or a cache.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from pos.core.errors import ValidationError
from pos.core.extensions import (
    CardReplaced,
    LocalDateLookup,
    PaymentGuards,
    ReceiptListeners,
    RefundRoute,
    SegmentLookup,
    ShiftReportSections,
    Tender,
)

T = TypeVar("T")

# A journal check: (session, entries of its kinds) -> {entry id: what differs}. A feature that
# journals a kind of document registers how to rebuild it from its live rows, so verification
# also catches a row edited behind the journal's back.
LiveCheck = Callable[[Session, list[Any]], dict[int, str]]
# An outbox check: (session, pending outbox rows of its kinds that carry no number) -> {row id:
# what is wrong}. Numbered rows are compared with their journal entries; these are not journaled.
OutboxCheck = Callable[[Session, list[Any]], dict[int, str]]


@dataclass(frozen=True)
class PaymentType:
    """A way to pay: whether it gives change, which detail fields it takes, how it checks them.

    A type whose value is held elsewhere (points, a certificate) has a ``tender`` that moves
    it with the payment (:class:`pos.core.extensions.Tender`); ``refund_as`` may send a
    return's refund of it out as another type (:data:`pos.core.extensions.RefundRoute`).
    """

    name: str
    gives_change: bool = False
    fields: tuple[str, ...] = ()
    check: Callable[[dict[str, Any]], None] = field(default=lambda details: None)
    is_refundable: bool = True
    tender: Tender | None = None
    refund_as: RefundRoute | None = None  # None: a return refunds it as its own type
    # Detail keys the tender keeps for its own use (a certificate's look-up digest): stored
    # and journaled with the payment, never shown in the API's answers.
    hidden_details: frozenset[str] = frozenset()


class PaymentTypes:
    """The payment types an app accepts, by name."""

    def __init__(self) -> None:
        self._types: dict[str, PaymentType] = {}
        self.hidden_details: frozenset[str] = frozenset()

    def register(self, payment_type: PaymentType) -> None:
        """Add (or replace) a payment type."""
        self._types[payment_type.name] = payment_type
        self.hidden_details = frozenset().union(
            *(kind.hidden_details for kind in self._types.values()))

    def get(self, name: str) -> PaymentType:
        """Return a registered payment type or raise ``unknown_payment_type``."""
        try:
            return self._types[name]
        except KeyError:
            raise ValidationError(f"Unknown payment type {name!r}", code="unknown_payment_type",
                                  field="type", extra={"known": self.names()}) from None

    def names(self) -> list[str]:
        """Return the registered payment type names."""
        return sorted(self._types)


@dataclass(frozen=True)
class NumberedDocuments:
    """Where a feature keeps numbered fiscal documents: the columns the journal looks them up by.

    Each is a column (or, for ``kind``, a literal) of one table: the journal asks for a till's
    documents numbered in a range, so ``(store_id, till_id, number)`` should be indexed.
    """

    kinds: tuple[str, ...]
    store_id: Any
    till_id: Any
    number: Any
    kind: Any
    document_id: Any


class JournalChecks:
    """How journal verification rebuilds, finds and compares what features journal."""

    def __init__(self) -> None:
        self._checks: dict[str, LiveCheck] = {}
        self._numbered: list[NumberedDocuments] = []
        self._outbox: dict[str, OutboxCheck] = {}

    def register(self, kinds: Iterable[str], check: LiveCheck) -> None:
        """Have journal verification compare documents of ``kinds`` with their live rows."""
        for kind in kinds:
            self._checks[kind] = check

    def for_kind(self, kind: str) -> LiveCheck | None:
        """Return the check of a kind, or None when it has none."""
        return self._checks.get(kind)

    def register_numbered(self, documents: NumberedDocuments) -> None:
        """Have verification require a journal entry for every document of ``documents``."""
        self._numbered.append(documents)

    def numbered(self) -> list[NumberedDocuments]:
        """Return where the numbered documents are kept."""
        return list(self._numbered)

    def register_outbox(self, kinds: Iterable[str], check: OutboxCheck) -> None:
        """Have verification check pending unnumbered outbox rows of ``kinds`` with ``check``."""
        for kind in kinds:
            self._outbox[kind] = check

    def outbox_check(self, kind: str) -> OutboxCheck | None:
        """Return the check of an unnumbered outbox kind, or None when it has none."""
        return self._outbox.get(kind)


class Caches:
    """An app's process-local caches, one per class, made on first use (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._caches: dict[type, Any] = {}

    def get(self, kind: type[T]) -> T:
        """Return this app's cache of class ``kind``, creating it with ``kind()`` once."""
        cache = self._caches.get(kind)
        if cache is None:
            with self._lock:
                cache = self._caches.setdefault(kind, kind())
        return cache  # type: ignore[no-any-return]


class Weigher(Protocol):
    """The scales of tills whose weight the server reads, not the till."""

    def has_scale(self, session: Session, till_id: int) -> bool:
        """Tell whether the server reads this till's scale (else the till sends the weight)."""

    def __call__(self, till_id: int) -> Decimal | None:
        """Return the till's stable weight in kg now (None: none to be had)."""


@dataclass
class Registry:
    """What one app registers: payment types, journal checks, listeners, reports, caches."""

    payment_types: PaymentTypes = field(default_factory=PaymentTypes)
    journal_checks: JournalChecks = field(default_factory=JournalChecks)
    caches: Caches = field(default_factory=Caches)
    receipt_listeners: ReceiptListeners = field(default_factory=ReceiptListeners)
    shift_reports: ShiftReportSections = field(default_factory=ShiftReportSections)
    item_segments: SegmentLookup | None = None  # the catalog's, for features that need it
    # The tills' scales, if a feature provides them (see :class:`Weigher`).
    weigher: Weigher | None = None
    payment_guards: PaymentGuards = field(default_factory=PaymentGuards)
    local_date: LocalDateLookup | None = None  # the stores', for features dating by calendar
    card_replaced: list[CardReplaced] = field(default_factory=list)  # run in the replacement
