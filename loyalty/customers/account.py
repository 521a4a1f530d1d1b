"""A customer's account at the till: buying on account, its payments, its rebate credit.

Two payment types (:class:`pos.core.extensions.Tender`): ``on_account`` raises the debt of the
receipt's customer within its credit limit, ``rebate_credit`` spends the rebate credit a
settlement gave it. Both move the balance with a guarded update in the payment's own
transaction, so two tills can never overdraw them, on either database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from loyalty.customers.model import CREDIT, AccountEntry, Customer
from loyalty.customers.service import get_customer, move_debt
from loyalty.rebates.accrual import accrue_payment
from pos.core import audit
from pos.core.context import Context
from pos.core.db import Database
from pos.core.errors import ConflictError, ValidationError
from pos.core.extensions import PaymentView, ReceiptView
from pos.core.registry import PaymentType, PaymentTypes

ON_ACCOUNT, REBATE_CREDIT = "on_account", "rebate_credit"


def register_payment_types(payment_types: PaymentTypes) -> None:
    """Register paying on account and paying with rebate credit."""
    payment_types.register(PaymentType(ON_ACCOUNT, tender=OnAccount()))
    payment_types.register(PaymentType(REBATE_CREDIT, tender=RebateCredit()))


def receipt_customer(session: Session, receipt: ReceiptView) -> Customer:
    """Return the wholesale customer a receipt names, or refuse the payment."""
    customer = None
    if receipt.customer_ref:
        customer = session.scalar(select(Customer).where(Customer.code == receipt.customer_ref))
    if customer is None:
        raise ConflictError("Attach a wholesale customer to the receipt first",
                            code="customer_required")
    return customer


class OnAccount:
    """Pay on account: the customer's debt rises, due after its payment terms."""

    def prepare(self, details: Mapping[str, Any]) -> dict[str, Any]:
        """Keep nothing: the customer is the receipt's."""
        return {}

    def take(self, session: Session, ctx: Context, receipt: ReceiptView,
             payment: PaymentView) -> None:
        """Raise the customer's debt within its limit, or refuse ``credit_limit_exceeded``."""
        customer = receipt_customer(session, receipt)
        due = ctx.now.date() + timedelta(days=customer.payment_terms_days)
        move_debt(session, ctx, customer.id, payment.amount_minor, kind="purchase", due_on=due,
                  receipt_id=receipt.id)

    def give_back(self, session: Session, ctx: Context, receipt: ReceiptView,
                  payment: PaymentView) -> None:
        """Lower the debt by a payment taken back."""
        customer = receipt_customer(session, receipt)
        move_debt(session, ctx, customer.id, -payment.amount_minor, kind="give_back",
                  due_on=ctx.now.date(), receipt_id=receipt.id)

    def refund(self, session: Session, ctx: Context, refund: ReceiptView,
               payment: PaymentView, original: PaymentView) -> None:
        """Lower the debt by what a return refunds of a purchase on account."""
        customer = receipt_customer(session, refund)
        move_debt(session, ctx, customer.id, -payment.amount_minor, kind="refund",
                  due_on=ctx.now.date(), receipt_id=refund.id)


class RebateCredit:
    """Pay with the rebate credit a settlement gave the customer."""

    def prepare(self, details: Mapping[str, Any]) -> dict[str, Any]:
        """Keep nothing: the customer is the receipt's."""
        return {}

    def take(self, session: Session, ctx: Context, receipt: ReceiptView,
             payment: PaymentView) -> None:
        """Spend the credit, or refuse ``insufficient_credit``."""
        customer = receipt_customer(session, receipt)
        move_credit(session, ctx, customer.id, -payment.amount_minor, kind="spend",
                    receipt_id=receipt.id)

    def give_back(self, session: Session, ctx: Context, receipt: ReceiptView,
                  payment: PaymentView) -> None:
        """Give the credit of a payment taken back."""
        customer = receipt_customer(session, receipt)
        move_credit(session, ctx, customer.id, payment.amount_minor, kind="give_back",
                    receipt_id=receipt.id)

    def refund(self, session: Session, ctx: Context, refund: ReceiptView,
               payment: PaymentView, original: PaymentView) -> None:
        """Give back the credit a return refunds."""
        customer = receipt_customer(session, refund)
        move_credit(session, ctx, customer.id, payment.amount_minor, kind="refund",
                    receipt_id=refund.id)


def move_credit(session: Session, ctx: Context, customer_id: int, amount_minor: int, *,
                kind: str, receipt_id: int | None = None, reference: str | None = None) -> None:
    """Change a customer's rebate credit; it never goes below zero (guarded update)."""
    guard = Customer.id == customer_id
    if amount_minor < 0:
        guard = guard & (Customer.credit_minor >= -amount_minor)
    moved = session.execute(update(Customer).where(guard).values(
        credit_minor=Customer.credit_minor + amount_minor).execution_options(
        synchronize_session=False))
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError("Not enough rebate credit", code="insufficient_credit")
    session.add(AccountEntry(customer_id=customer_id, account=CREDIT, kind=kind,
                             amount_minor=amount_minor, due_on=ctx.now.date(),
                             receipt_id=receipt_id, reference=reference, at=ctx.now,
                             user_id=ctx.actor.user_id))


def register_payment(ctx: Context, customer_id: int, amount_minor: int,
                     reference: str | None = None) -> Customer:
    """Record a customer's payment of its debt; it counts toward payment-based rebates."""
    if amount_minor <= 0:
        raise ValidationError("A payment must be positive", code="amount_invalid",
                              field="amount")
    with ctx.db.transaction() as session:
        customer = get_customer(session, customer_id)
        if amount_minor > customer.debt_minor:
            raise ConflictError("The payment exceeds the customer's debt",
                                code="payment_exceeds_debt",
                                extra={"debt_minor": customer.debt_minor})
        move_debt(session, ctx, customer_id, -amount_minor, kind="payment",
                  due_on=ctx.now.date(), reference=reference)
        accrue_payment(session, customer, amount_minor, ctx.now.date())
        audit.record(session, at=ctx.now, action="customer_payment", user_id=ctx.actor.user_id,
                     target=f"customer:{customer_id}", details={"amount_minor": amount_minor})
        session.refresh(customer)
    return customer


def entries(db: Database, customer_id: int, limit: int = 200) -> list[AccountEntry]:
    """Return a customer's latest account entries, newest first."""
    with db.read() as session:
        get_customer(session, customer_id)
        return list(session.scalars(select(AccountEntry).where(
            AccountEntry.customer_id == customer_id).order_by(AccountEntry.id.desc())
            .limit(limit)))
