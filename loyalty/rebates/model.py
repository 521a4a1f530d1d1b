"""Tables of rebates: agreements (versioned), bases, bill-backs, claims, funds, allowances."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pos.core.db import Base, BigId, UTCDateTime

DRAFT, APPROVED, ACTIVE, CLOSED = "draft", "approved", "active", "closed"
ACCRUING = (APPROVED, ACTIVE)
CALCULATED, SETTLED = "calculated", "settled"


class Agreement(Base):
    """One version of an agreement; versions of one agreement share its ``series_id``.

    Only an approved or active version accrues. Changing an approved agreement writes a new
    draft version; approving that version closes the one it replaces.
    """

    __tablename__ = "rebate_agreements"
    __table_args__ = (UniqueConstraint("series_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    series_id: Mapped[int] = mapped_column(BigInteger, index=True)
    version: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="retro")  # retro bill_back lump_sum
    status: Mapped[str] = mapped_column(String(16), default=DRAFT, index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("wholesale_customers.id"),
                                                    index=True)
    include_children: Mapped[bool] = mapped_column(default=False)
    customer_segment: Mapped[str | None] = mapped_column(String(64), index=True)
    period_type: Mapped[str] = mapped_column(String(8))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    measure: Mapped[str] = mapped_column(String(8), default="amount")
    is_net: Mapped[bool] = mapped_column(default=True)  # net of discounts, else gross
    source: Mapped[str] = mapped_column(String(8), default="sales")  # sales or payments
    item_segments: Mapped[list[str]] = mapped_column(JSON, default=list)  # segment codes
    mode: Mapped[str] = mapped_column(String(8), default="whole")
    rate_kind: Mapped[str] = mapped_column(String(8), default="percent")
    plan_minor: Mapped[int | None] = mapped_column(BigInteger)  # set: tiers are % of plan
    tiers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    cap_percent: Mapped[Any] = mapped_column(Numeric(7, 3), nullable=True)
    compensation_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    lump_sum_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    requires_no_overdue: Mapped[bool] = mapped_column(default=False)
    settlement: Mapped[str] = mapped_column(String(16), default="credit")
    gift_sku: Mapped[str | None] = mapped_column(String(64))
    funds: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # fund_id, share
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(BigInteger)


class AccruedBase(Base):
    """An agreement's base in one period, kept up to date by each receipt that closes."""

    __tablename__ = "rebate_bases"

    series_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    period_key: Mapped[str] = mapped_column(String(8), primary_key=True)
    gross_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    net_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    quantity_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    billback_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    lines: Mapped[int] = mapped_column(BigInteger, default=0)


class BillBack(Base):
    """A bill-back rebate recorded for one qualifying sale (or return) line as it happened."""

    __tablename__ = "rebate_billbacks"
    __table_args__ = (Index("ix_rebate_billbacks_series_period", "series_id", "period_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    series_id: Mapped[int] = mapped_column(BigInteger)
    period_key: Mapped[str] = mapped_column(String(8))
    receipt_id: Mapped[int] = mapped_column(BigInteger)
    line_no: Mapped[int] = mapped_column()
    amount_minor: Mapped[int] = mapped_column(BigInteger)


class Claim(Base):
    """What an agreement owes for a period: the first claim, then adjustments that net it."""

    __tablename__ = "rebate_claims"
    __table_args__ = (UniqueConstraint("series_id", "period_key", "seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    series_id: Mapped[int] = mapped_column(BigInteger, index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("rebate_agreements.id"))
    customer_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    period_key: Mapped[str] = mapped_column(String(8), index=True)
    seq: Mapped[int] = mapped_column()
    is_adjustment: Mapped[bool] = mapped_column(default=False)
    base_minor: Mapped[int] = mapped_column(BigInteger)
    quantity_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    premium_minor: Mapped[int] = mapped_column(BigInteger)
    compensation_minor: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default=CALCULATED, index=True)
    calculated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(BigInteger)


class Settlement(Base):
    """What was paid, how, for an agreement's period; it nets every approved claim of it."""

    __tablename__ = "rebate_settlements"
    __table_args__ = (Index("ix_rebate_settlements_series_period", "series_id", "period_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    series_id: Mapped[int] = mapped_column(BigInteger)
    period_key: Mapped[str] = mapped_column(String(8))
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(BigInteger)


class Fund(Base):
    """A trade allowance budget for a period; agreements draw on it once it is approved."""

    __tablename__ = "rebate_funds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    claimed_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    settled_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(BigInteger)


class UnpaidBase(Base):
    """What of a customer's debt on account qualifies for a payment-based agreement.

    A sale on account adds its qualifying lines' unpaid share (a return on account takes it
    off); a payment of the debt counts toward the agreement only in the proportion this bears
    to the whole debt, and lowers it by what it counted.
    """

    __tablename__ = "rebate_unpaid"

    series_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)


class Allowance(Base):
    """A customer's rebate given as a discount on its next purchases: granted, and used so far.

    One per customer, agreement and period; settlements as a discount raise ``granted_minor``,
    closed sales raise ``used_minor`` by a guarded update (a return lowers it), and the
    database refuses ``used_minor`` above ``granted_minor`` whatever the code does.
    """

    __tablename__ = "rebate_allowances"
    __table_args__ = (UniqueConstraint("customer_id", "series_id", "period_key"),
                      CheckConstraint("used_minor <= granted_minor", name="used_within_granted"),
                      CheckConstraint("used_minor >= 0", name="used_not_negative"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("wholesale_customers.id"), index=True)
    series_id: Mapped[int] = mapped_column(BigInteger)
    period_key: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(300))  # what receipts explain it as
    granted_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    used_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def left_minor(self) -> int:
        """Return what the allowance may still take off the customer's receipts."""
        return self.granted_minor - self.used_minor


class AllowanceMove(Base):
    """One move of an allowance: granted by a settlement, used by a sale, given back by a return."""

    __tablename__ = "rebate_allowance_moves"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    allowance_id: Mapped[int] = mapped_column(ForeignKey("rebate_allowances.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # grant, use, return
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    receipt_id: Mapped[int | None] = mapped_column(BigInteger)
    shift_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
