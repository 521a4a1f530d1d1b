"""What one app owns beside its database: the registries features fill, and its caches.

``create_app`` builds one :class:`Registry` and has each feature register into it (receipts
the cash and card payment types, loyalty later its own), so two apps in one process (tests, a
store node beside its central) never share a payment type, a journal check or a cache.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from pos.core.errors import ValidationError

T = TypeVar("T")

# A journal check: (session, entries of its kinds) -> {entry id: what differs}. A feature that
# journals a kind of document registers how to rebuild it from its live rows, so verification
# also catches a row edited behind the journal's back.
LiveCheck = Callable[[Session, list[Any]], dict[int, str]]


@dataclass(frozen=True)
class PaymentType:
    """A way to pay: whether it gives change, which detail fields it takes, how it checks them."""

    name: str
    gives_change: bool = False
    fields: tuple[str, ...] = ()
    check: Callable[[dict[str, Any]], None] = field(default=lambda details: None)
    is_refundable: bool = True


class PaymentTypes:
    """The payment types an app accepts, by name."""

    def __init__(self) -> None:
        self._types: dict[str, PaymentType] = {}

    def register(self, payment_type: PaymentType) -> None:
        """Add (or replace) a payment type."""
        self._types[payment_type.name] = payment_type

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


class JournalChecks:
    """How to rebuild each journaled kind of document from its live rows."""

    def __init__(self) -> None:
        self._checks: dict[str, LiveCheck] = {}

    def register(self, kinds: Iterable[str], check: LiveCheck) -> None:
        """Have journal verification compare documents of ``kinds`` with their live rows."""
        for kind in kinds:
            self._checks[kind] = check

    def for_kind(self, kind: str) -> LiveCheck | None:
        """Return the check of a kind, or None when it has none."""
        return self._checks.get(kind)


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


@dataclass
class Registry:
    """The payment types, journal checks and caches of one app."""

    payment_types: PaymentTypes = field(default_factory=PaymentTypes)
    journal_checks: JournalChecks = field(default_factory=JournalChecks)
    caches: Caches = field(default_factory=Caches)
