"""Receipts (sales and returns), their lines and payments, and the rules a receipt keeps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.core.db import Base, BigId, UTCDateTime
from pos.receipts.rules import CLOSED, OPEN, VOIDED, LineRules, PaymentRules, ReceiptRules

__all__ = ["CLOSED", "OPEN", "VOIDED", "SALE", "RETURN", "MILLI", "Receipt", "ReceiptLine",
           "ReceiptPayment", "receipt_document"]
SALE, RETURN = "sale", "return"
MILLI = 1000


class Receipt(ReceiptRules, Base):
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

    lines: Mapped[list[ReceiptLine]] = relationship(
        back_populates="receipt", order_by="ReceiptLine.line_no", cascade="all, delete-orphan",
        lazy="selectin")
    payments: Mapped[list[ReceiptPayment]] = relationship(
        back_populates="receipt", order_by="ReceiptPayment.seq", cascade="all, delete-orphan",
        lazy="selectin")

    def new_line(self, **fields: Any) -> ReceiptLine:
        """Return a line of this receipt's kind (not yet added)."""
        return ReceiptLine(**fields)


class ReceiptLine(LineRules, Base):
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


class ReceiptPayment(PaymentRules, Base):
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
