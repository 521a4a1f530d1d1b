"""How features beyond receipts take part in a sale, through the app's registry.

Loyalty (bonus points, gift certificates, wholesale credit) imports only ``pos.core`` and
receipts never import loyalty: a feature registers here what it does when

- a payment of its type is taken, taken back, or refunded by a return (a :class:`Tender`:
  points or a certificate's balance move in the same transaction as the payment row);
- a receipt or return closes, or an open receipt is voided (a :class:`ReceiptListener`:
  points earned, a sold certificate activated, a rebate's base accrued);
- a payment is about to be taken (a :class:`PaymentGuard`: a certificate of a type sold
  only for money refuses a points payment);
- a shift's X or Z report is made (a report section: points earned and spent, certificates
  sold and redeemed).

Features see a receipt through the read-only protocols below, never through its model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from pos.core.context import Context


class LineView(Protocol):
    """What a feature reads of a receipt line (a return's line names its sale's line).

    A line selling a gift certificate names its type (and, for a printed one, the
    certificate): it is not revenue, takes no discount and earns no points. ``id`` is set
    once the line is written (a one-shot upload's lines are read back before features hear).
    ``discounts`` are what priced it (each a dict with ``discount_id``, ``kind``,
    ``amount_minor``); a return's line carries the share of its sale's allowance it refunds.
    """

    id: int
    line_no: int
    item_id: int
    sku: str
    quantity_milli: int
    base_amount_minor: int
    discount_minor: int
    amount_minor: int
    is_gift: bool
    original_line_id: int | None
    certificate_type_id: int | None
    certificate_id: int | None
    discounts: list[dict[str, Any]]


class PaymentView(Protocol):
    """What a feature reads of a payment; a tender may fill ``details`` when it prepares it."""

    seq: int
    kind: str
    amount_minor: int
    details: dict[str, Any]
    original_payment_id: int | None


class ReceiptView(Protocol):
    """What a feature reads of a receipt or return."""

    id: int
    store_id: int
    till_id: int
    shift_id: int
    kind: str  # "sale" or "return"
    state: str
    number: int | None
    card_code: str | None
    customer_ref: str | None
    total_minor: int
    discount_minor: int
    opened_at: datetime
    closed_at: datetime | None
    original_receipt_id: int | None

    @property
    def lines(self) -> Sequence[Any]:
        """Return the lines (each a :class:`LineView`)."""

    @property
    def payments(self) -> Sequence[Any]:
        """Return the payments (each a :class:`PaymentView`)."""


def print_on(receipt: Any, kind: str, text: str) -> None:
    """Have a closed receipt's answer carry a line for the till to print (kept nowhere)."""
    receipt.__dict__.setdefault("_print_notes", []).append({"kind": kind, "text": text})


class Tender(Protocol):
    """A payment type that holds value elsewhere: points, a certificate, a customer's credit.

    ``prepare`` runs when the payment is built, before anything is read or written: it checks
    what the till sent and returns what the payment row keeps (never a secret such as a full
    certificate code). ``take`` runs in the write transaction that records the payment, after
    the receipt has its id: it moves the value with a guarded update and raises a problem
    (409) when it is not there, which rolls the payment back with it. ``give_back`` undoes a
    ``take`` when the payment is taken back or the open receipt is voided. ``refund`` runs when
    a closed return refunds part of an original payment of this type.
    """

    def prepare(self, details: Mapping[str, Any]) -> dict[str, Any]:
        """Check the payment's details as the till sent them; return what the row keeps."""

    def take(self, session: Session, ctx: Context, receipt: ReceiptView,
             payment: PaymentView) -> None:
        """Move the payment's value off its holder, or raise a problem."""

    def give_back(self, session: Session, ctx: Context, receipt: ReceiptView,
                  payment: PaymentView) -> None:
        """Undo ``take`` for a payment taken back or an open receipt voided."""

    def refund(self, session: Session, ctx: Context, refund: ReceiptView,
               payment: PaymentView, original: PaymentView) -> None:
        """Give back to its holder what a return refunds of ``original`` (``payment``)."""


class PaymentGuard(Protocol):
    """A feature's say on a payment at the moment it is taken, before any tender's ``take``.

    It reads the receipt (its lines, its payments including this one) and raises a problem
    (409) to refuse the payment; the payment's transaction is rolled back with it. It should
    write nothing and read nothing on a payment it has no say on (a cash payment, usually).
    """

    def check(self, session: Session, ctx: Context, receipt: ReceiptView,
              payment: PaymentView) -> None:
        """Refuse ``payment`` on ``receipt`` with a problem, or return."""


class PaymentGuards:
    """The guards every payment passes before it is taken, in the order they registered."""

    def __init__(self) -> None:
        self._guards: list[PaymentGuard] = []

    def register(self, guard: PaymentGuard) -> None:
        """Have ``guard`` check every payment taken from now on."""
        self._guards.append(guard)

    def check(self, session: Session, ctx: Context, receipt: ReceiptView,
              payment: PaymentView) -> None:
        """Have every guard check a payment about to be taken."""
        for guard in self._guards:
            guard.check(session, ctx, receipt, payment)


# Where a return refunds a payment of a type: (session, ctx, the sale's payment) -> the name of
# the payment type the refund is paid as: its own (back to its holder) or another, e.g. "cash"
# when a certificate can no longer take it and its type allows cash. Optional on a type.
RefundRoute = Callable[[Session, "Context", PaymentView], str]


class ReceiptListener(Protocol):
    """A feature's part in a receipt's end: closed (a sale or a return) or voided."""

    def closed(self, session: Session, ctx: Context, receipt: ReceiptView) -> None:
        """React to a receipt or return closed and numbered, in its transaction."""

    def voided(self, session: Session, ctx: Context, receipt: ReceiptView) -> None:
        """React to an open receipt voided, in its transaction."""


class ReceiptListeners:
    """The listeners told of every receipt's end, in the order they registered."""

    def __init__(self) -> None:
        self._listeners: list[ReceiptListener] = []

    def register(self, listener: ReceiptListener) -> None:
        """Tell ``listener`` of every receipt closed or voided from now on."""
        self._listeners.append(listener)

    def closed(self, session: Session, ctx: Context, receipt: ReceiptView) -> None:
        """Tell every listener a receipt or return closed."""
        for listener in self._listeners:
            listener.closed(session, ctx, receipt)

    def voided(self, session: Session, ctx: Context, receipt: ReceiptView) -> None:
        """Tell every listener an open receipt was voided."""
        for listener in self._listeners:
            listener.voided(session, ctx, receipt)


# What earning rules read of the catalog: (session, item ids) -> {item id: segment codes}.
# Optional: a feature that needs it checks it is registered.
SegmentLookup = Callable[[Session, Sequence[int]], Mapping[int, frozenset[str]]]


# A store's local date at a moment: (session, store id, aware time) -> date. Optional; a feature
# that dates things by the store's calendar (campaign days) falls back to the UTC date.
LocalDateLookup = Callable[[Session, int, datetime], date]

# What happens beside a card's own rows when a loyalty card is replaced: (session, old number,
# new number). Features keyed by the card's number (the purchase history) move their rows.
CardReplaced = Callable[[Session, str, str], None]


# A section of a shift's X and Z reports: (session, shift id) -> plain data, ``*_minor`` money.
# It should take a fixed number of statements whatever the number of receipts.
ReportSection = Callable[[Session, int], dict[str, Any]]


class ShiftReportSections:
    """What features add to a shift's X and Z reports, by section name."""

    def __init__(self) -> None:
        self._sections: dict[str, ReportSection] = {}

    def register(self, name: str, section: ReportSection) -> None:
        """Add (or replace) a named section."""
        self._sections[name] = section

    def of(self, session: Session, shift_id: int) -> dict[str, Any]:
        """Return every section of a shift's report, by name."""
        return {name: section(session, shift_id) for name, section in self._sections.items()}
