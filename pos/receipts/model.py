"""Receipts (sales and returns), their lines and payments, and the rules a receipt keeps."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.core.db import Base, BigId, UTCDateTime
from pos.core.errors import ConflictError, NotFoundError, ValidationError
from pos.core.money import format_quantity

OPEN, CLOSED, VOIDED = "open", "closed", "voided"
SALE, RETURN = "sale", "return"
MILLI = 1000


class Receipt(Base):
    """A sale or a return: lines, payments and totals; never edited once closed."""

    __tablename__ = "receipts"
    __table_args__ = (
        UniqueConstraint("store_id", "client_uuid"),
        Index("ix_receipts_shift_state", "shift_id", "state", "kind"),
        Index("ix_receipts_store_till_number", "store_id", "till_id", "number"),
        # The receipt list's common filters: a till's receipts in a state (newest first), and
        # a till's receipt by number (migration 0006).
        Index("ix_receipts_till_state_opened", "till_id", "state", "opened_at"),
        Index("ix_receipts_till_number", "till_id", "number"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id"))
    kind: Mapped[str] = mapped_column(String(8), default=SALE)
    state: Mapped[str] = mapped_column(String(8), default=OPEN)
    client_uuid: Mapped[str] = mapped_column(String(36))
    number: Mapped[int | None] = mapped_column(BigInteger)
    cashier_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    change_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    original_receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"),
                                                            index=True)
    card_code: Mapped[str | None] = mapped_column(String(64))
    customer_ref: Mapped[str | None] = mapped_column(String(64))
    pricing_trace: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Discounts the cashier gave: {id, line_no|None, percent|amount_minor, reason, by, approved}
    manual_discounts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    approved_by_id: Mapped[int | None] = mapped_column(BigInteger)
    voided_by_id: Mapped[int | None] = mapped_column(BigInteger)
    # Set by the fiscal worker once the registrar signed it (not part of the journaled content).
    fiscal_document_number: Mapped[int | None] = mapped_column(BigInteger)
    fiscal_sign: Mapped[int | None] = mapped_column(BigInteger)
    fiscal_shift_number: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def print_notes(self) -> list[dict[str, str]]:
        """Return what features asked the till to print on this receipt (this answer only)."""
        return list(self.__dict__.get("_print_notes", ()))

    lines: Mapped[list[ReceiptLine]] = relationship(
        back_populates="receipt", order_by="ReceiptLine.line_no", cascade="all, delete-orphan",
        lazy="selectin")
    payments: Mapped[list[ReceiptPayment]] = relationship(
        back_populates="receipt", order_by="ReceiptPayment.seq", cascade="all, delete-orphan",
        lazy="selectin")

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


class ReceiptLine(Base):
    """One item on a receipt: quantity, price, discount and amount, rounded once."""

    __tablename__ = "receipt_lines"
    __table_args__ = (UniqueConstraint("receipt_id", "line_no"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id", ondelete="CASCADE"))
    line_no: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(64))
    # Thousandths of the unit (grams for kg): integers keep SQLite exact.
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    base_amount_minor: Mapped[int] = mapped_column(BigInteger)
    discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    vat_rate: Mapped[str] = mapped_column(String(16))
    is_weighed: Mapped[bool] = mapped_column(default=False)
    weight_source: Mapped[str | None] = mapped_column(String(8))
    # A line the receipt added itself because a gift rule gave the item away.
    is_gift: Mapped[bool] = mapped_column(default=False, server_default=false())
    manual_weight_approved_by_id: Mapped[int | None] = mapped_column(BigInteger)
    # A line selling a gift certificate (loyalty.gift_certificates): a liability, not revenue;
    # it names the certificate's type and, for a printed one, the certificate.
    certificate_type_id: Mapped[int | None] = mapped_column(BigInteger)
    certificate_id: Mapped[int | None] = mapped_column(BigInteger)
    discounts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    original_line_id: Mapped[int | None] = mapped_column(ForeignKey("receipt_lines.id"),
                                                         index=True)

    receipt: Mapped[Receipt] = relationship(back_populates="lines")

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


class ReceiptPayment(Base):
    """A payment (or, on a return, a refund) of one registered payment type."""

    __tablename__ = "receipt_payments"
    __table_args__ = (UniqueConstraint("receipt_id", "seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id", ondelete="CASCADE"))
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    gives_change: Mapped[bool] = mapped_column(default=False)
    card_brand: Mapped[str | None] = mapped_column(String(32))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    terminal_ref: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    original_payment_id: Mapped[int | None] = mapped_column(BigInteger)

    receipt: Mapped[Receipt] = relationship(back_populates="payments")

    def document(self, applied_minor: int) -> dict[str, Any]:
        """Return the payment's canonical content."""
        return {"kind": self.kind, "amount_minor": applied_minor,
                "tendered_minor": self.amount_minor, "card_brand": self.card_brand,
                "card_last4": self.card_last4, "terminal_ref": self.terminal_ref,
                "details": self.details}


def receipt_document(receipt: Receipt, cashier: str) -> dict[str, Any]:
    """Return the canonical content of a closed receipt, as journaled and fiscalised."""
    return {
        "kind": receipt.kind, "number": receipt.number, "receipt_id": receipt.id,
        "uuid": receipt.client_uuid, "store_id": receipt.store_id, "till_id": receipt.till_id,
        "shift_id": receipt.shift_id, "cashier_id": receipt.cashier_id, "cashier": cashier,
        "closed_at": receipt.closed_at.isoformat() if receipt.closed_at else None,
        "original_receipt_id": receipt.original_receipt_id,
        "lines": [line.document() for line in receipt.lines],
        "payments": [p.document(receipt.applied_minor(p)) for p in receipt.payments],
        "total_minor": receipt.total_minor, "discount_minor": receipt.discount_minor,
        "change_minor": receipt.change_minor, "card_code": receipt.card_code,
        "discounts": receipt.discount_summary(),
    }
