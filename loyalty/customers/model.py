"""Tables of wholesale customers: the customer, its account ledger, its partner sign-ins."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pos.core.db import Base, BigId, UTCDateTime

# The two balances a customer has with us, each kept by a guarded update beside its ledger:
DEBT = "debt"  # what the customer owes for purchases on account (never above the limit)
CREDIT = "credit"  # rebate credit it may spend at the till (never negative)


class Customer(Base):
    """A wholesale customer; its ``code`` is what the till sends as a receipt's customer_ref."""

    __tablename__ = "wholesale_customers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    # The number on the customer's card, which a till may scan instead of typing the code.
    card_code: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_blocked: Mapped[bool] = mapped_column(default=False)  # no sales to it at the till
    legal_name: Mapped[str] = mapped_column(String(200))
    tax_id: Mapped[str | None] = mapped_column(String(32))
    segment: Mapped[str | None] = mapped_column(String(64), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("wholesale_customers.id"),
                                                  index=True)
    credit_limit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    payment_terms_days: Mapped[int] = mapped_column(default=0)
    debt_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AccountEntry(Base):
    """One move of a customer's debt or rebate credit; rows are only ever inserted.

    ``amount_minor`` is signed: positive raises the balance of its ``account``. A purchase on
    account carries the day it falls due; a payment pays the oldest debt first, so the debt
    overdue on a day is what fell due before it less everything paid (see ``overdue_minor``).
    """

    __tablename__ = "wholesale_account_entries"
    __table_args__ = (Index("ix_wholesale_account_entries_customer", "customer_id", "account"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("wholesale_customers.id"))
    account: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))  # purchase refund payment settlement spend ...
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[date | None] = mapped_column(Date)
    receipt_id: Mapped[int | None] = mapped_column(BigInteger)
    reference: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(BigInteger)


class PartnerLink(Base):
    """A user who signs in for a customer (a partner): it sees that customer's agreements."""

    __tablename__ = "wholesale_partners"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("wholesale_customers.id"), index=True)
