"""The rules a receipt, its lines and payments keep, whether stored or built in memory.

The ORM classes (:mod:`pos.receipts.model`) and the one-shot upload's drafts
(:mod:`pos.receipts.draft`) share them: a sale follows the same rules either way.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pos.core.errors import ConflictError, NotFoundError, ValidationError
from pos.core.money import format_quantity

if TYPE_CHECKING:
    from pos.receipts.model import ReceiptLine, ReceiptPayment

OPEN, CLOSED, VOIDED = "open", "closed", "voided"


class ReceiptRules:
    """What a sale or return may do: lines and payments while open, totals, the close."""

    if TYPE_CHECKING:
        id: int
        state: str
        lines: list[ReceiptLine]
        payments: list[ReceiptPayment]
        total_minor: int
        change_minor: int
        closed_at: datetime | None
        voided_by_id: int | None
        approved_by_id: int | None

    @property
    def print_notes(self) -> list[dict[str, str]]:
        """Return what features asked the till to print on this receipt (this answer only)."""
        return list(self.__dict__.get("_print_notes", ()))

    @property
    def paid_minor(self) -> int:
        """Return everything tendered so far."""
        return sum(p.amount_minor for p in self.payments)

    @property
    def cash_tendered_minor(self) -> int:
        """Return the cash tendered so far."""
        return sum(p.amount_minor for p in self.payments if p.gives_change)

    @property
    def current_change_minor(self) -> int:
        """Return the change for cash beyond the total: shown while open, fixed once closed."""
        if self.state != OPEN:
            return self.change_minor
        # Only cash gives change: a card is never taken beyond what is due.
        return min(max(self.paid_minor - self.total_minor, 0), self.cash_tendered_minor)

    @property
    def due_minor(self) -> int:
        """Return what is still to pay (never negative)."""
        return max(self.total_minor - self.paid_minor, 0)

    def ensure_open(self) -> None:
        """Refuse changes to a closed or voided receipt."""
        if self.state != OPEN:
            raise ConflictError(f"Receipt {self.id} is {self.state}", code=f"receipt_{self.state}")

    def ensure_no_payments(self) -> None:
        """Refuse line changes once payment has started (remove the payments first)."""
        if self.payments:
            raise ConflictError("The receipt has payments; remove them to change lines",
                                code="receipt_has_payments")

    def add_line(self, line: ReceiptLine) -> ReceiptLine:
        """Append a line with the next line number."""
        self.ensure_open()
        self.ensure_no_payments()
        line.line_no = max((x.line_no for x in self.lines), default=0) + 1
        self.lines.append(line)
        return line

    def add_lines(self, lines: list[ReceiptLine]) -> None:
        """Append lines in order, numbered after the last (a receipt built at once)."""
        self.ensure_open()
        self.ensure_no_payments()
        last = max((x.line_no for x in self.lines), default=0)
        for line_no, line in enumerate(lines, start=last + 1):
            line.line_no = line_no
        self.lines.extend(lines)

    def line(self, line_no: int) -> ReceiptLine:
        """Return a line by number or raise ``line_not_found``."""
        for line in self.lines:
            if line.line_no == line_no:
                return line
        raise NotFoundError(f"No line {line_no} on receipt {self.id}", code="line_not_found")

    def remove_line(self, line_no: int) -> None:
        """Remove a line from an open receipt."""
        self.ensure_open()
        self.ensure_no_payments()
        self.lines.remove(self.line(line_no))

    def add_payment(self, payment: ReceiptPayment) -> None:
        """Take a payment; only change-giving types (cash) may exceed what is due."""
        self.ensure_open()
        if not self.lines:
            raise ConflictError("Add lines before paying", code="receipt_empty")
        due = self.due_minor
        if due == 0:
            raise ConflictError("Nothing is due on this receipt", code="nothing_due")
        if payment.amount_minor > due and not payment.gives_change:
            raise ValidationError(f"{payment.kind} payment exceeds the amount due",
                                  code="payment_exceeds_due", field="amount",
                                  extra={"due_minor": due})
        payment.seq = max((p.seq for p in self.payments), default=0) + 1
        self.payments.append(payment)

    def payment(self, seq: int) -> ReceiptPayment:
        """Return a payment by its sequence number or raise ``payment_not_found``."""
        for payment in self.payments:
            if payment.seq == seq:
                return payment
        raise NotFoundError(f"No payment {seq} on receipt {self.id}", code="payment_not_found")

    def close(self, now: datetime) -> None:
        """Close a fully paid receipt; change comes only from cash."""
        self.ensure_open()
        if not self.lines:
            raise ConflictError("A receipt needs at least one line", code="receipt_empty")
        if self.paid_minor < self.total_minor:
            raise ConflictError("The receipt is not fully paid", code="not_fully_paid",
                                extra={"due_minor": self.due_minor})
        self.change_minor = self.paid_minor - self.total_minor
        if self.change_minor > self.cash_tendered_minor:
            raise ConflictError("Change can only be given from cash", code="change_not_cash")
        self.state, self.closed_at = CLOSED, now

    def void(self, by_id: int, approved_by_id: int | None) -> None:
        """Void an open receipt."""
        self.ensure_open()
        self.state, self.voided_by_id, self.approved_by_id = VOIDED, by_id, approved_by_id

    def discount_summary(self) -> list[dict[str, Any]]:
        """Add up each discount over the lines, in order of first appearance (printed)."""
        totals: dict[str, dict[str, Any]] = {}
        for line in self.lines:
            for applied in line.discounts or ():
                entry = totals.setdefault(applied["discount_id"], {
                    "discount_id": applied["discount_id"], "name": applied["name"],
                    "amount_minor": 0})
                entry["amount_minor"] += applied["amount_minor"]
        return list(totals.values())

    def applied_minor(self, payment: ReceiptPayment) -> int:
        """Return what a payment actually paid: cash net of the change (taken from the last)."""
        if not payment.gives_change:
            return payment.amount_minor
        change = self.current_change_minor
        for other in reversed([p for p in self.payments if p.gives_change]):
            taken = min(change, other.amount_minor)
            if other is payment:
                return other.amount_minor - taken
            change -= taken
        return payment.amount_minor



class LineRules:
    """What a line says of itself: its quantity, weight source and canonical content."""

    if TYPE_CHECKING:
        line_no: int
        item_id: int
        sku: str
        name: str
        quantity_milli: int
        unit_price_minor: int
        base_amount_minor: int
        discount_minor: int
        amount_minor: int
        vat_rate: str
        weight_source: str | None
        is_gift: bool
        certificate_type_id: int | None
        certificate_id: int | None
        discounts: list[Any]
        original_line_id: int | None

    @property
    def quantity(self) -> Decimal:
        """Return the quantity as a three-place decimal."""
        return Decimal(self.quantity_milli).scaleb(-3)

    @property
    def is_manual_weight(self) -> bool:
        """Tell whether the weight was typed in rather than read from a scale."""
        return self.weight_source == "manual"

    def document(self) -> dict[str, Any]:
        """Return the line's canonical content."""
        return {"line_no": self.line_no, "item_id": self.item_id, "sku": self.sku,
                "name": self.name, "quantity": format_quantity(self.quantity),
                "unit_price_minor": self.unit_price_minor,
                "base_amount_minor": self.base_amount_minor,
                "discount_minor": self.discount_minor, "amount_minor": self.amount_minor,
                "vat_rate": self.vat_rate, "weight_source": self.weight_source,
                "is_manual_weight": self.is_manual_weight, "discounts": self.discounts,
                "original_line_id": self.original_line_id,
                # Only gift lines say so: documents journaled before gift lines existed keep
                # rebuilding to exactly what was journaled.
                **({"is_gift": True} if self.is_gift else {}),
                **self._certificate_document()}

    @property
    def is_certificate(self) -> bool:
        """Tell whether the line sells a gift certificate (not revenue, never discounted)."""
        return self.certificate_type_id is not None

    def _certificate_document(self) -> dict[str, Any]:
        # Only certificate lines say so, as gift lines do.
        if self.certificate_type_id is None:
            return {}
        return {"certificate_type_id": self.certificate_type_id,
                "certificate_id": self.certificate_id}



class PaymentRules:
    """What a payment says of itself: its canonical content."""

    if TYPE_CHECKING:
        kind: str
        amount_minor: int
        card_brand: str | None
        card_last4: str | None
        terminal_ref: str | None
        details: dict[str, Any]

    def document(self, applied_minor: int) -> dict[str, Any]:
        """Return the payment's canonical content."""
        return {"kind": self.kind, "amount_minor": applied_minor,
                "tendered_minor": self.amount_minor, "card_brand": self.card_brand,
                "card_last4": self.card_last4, "terminal_ref": self.terminal_ref,
                "details": self.details}

