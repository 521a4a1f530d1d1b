"""Use cases of wholesale customers: register and change them, link partners, take payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import column, func, select, table, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loyalty.customers.model import DEBT, AccountEntry, Customer, PartnerLink
from pos.core import audit
from pos.core.context import Context
from pos.core.db import Database
from pos.core.errors import ConflictError, NotFoundError, ValidationError

# Loyalty imports no model of pos.auth: a partner's user is checked by its table's id alone.
_USERS = table("users", column("id"))


@dataclass(frozen=True)
class NewCustomer:
    """What it takes to register a wholesale customer."""

    code: str
    legal_name: str
    tax_id: str | None = None
    segment: str | None = None
    parent_id: int | None = None
    credit_limit_minor: int = 0
    payment_terms_days: int = 0
    card_code: str | None = None
    is_blocked: bool = False


def create_customer(ctx: Context, cmd: NewCustomer) -> Customer:
    """Register a customer; its code must be unused and its parent must exist."""
    try:
        with ctx.db.transaction() as session:
            if cmd.parent_id is not None:
                _parent(session, cmd.parent_id)
            customer = Customer(**cmd.__dict__, created_at=ctx.now)
            session.add(customer)
            session.flush()
            audit.record(session, at=ctx.now, action="customer_created",
                         user_id=ctx.actor.user_id, target=f"customer:{customer.id}")
    except IntegrityError:
        raise ConflictError(f"A customer with code {cmd.code!r} or that card exists",
                            code="customer_code_taken", field="code") from None
    return customer


def update_customer(ctx: Context, customer_id: int, changes: dict[str, Any]) -> Customer:
    """Change a customer's names, segment, parent, limit, terms, card, or block it."""
    try:
        return _update(ctx, customer_id, changes)
    except IntegrityError:
        raise ConflictError("Another customer has that card", code="customer_card_taken",
                            field="card_code") from None


def _update(ctx: Context, customer_id: int, changes: dict[str, Any]) -> Customer:
    with ctx.db.transaction() as session:
        customer = get_customer(session, customer_id)
        parent_id = changes.get("parent_id")
        if parent_id is not None:
            _parent(session, parent_id)
            if parent_id == customer_id:
                raise ValidationError("A customer cannot be its own parent",
                                      code="customer_parent_invalid", field="parent_id")
        for name, value in changes.items():
            setattr(customer, name, value)
        audit.record(session, at=ctx.now, action="customer_changed", user_id=ctx.actor.user_id,
                     target=f"customer:{customer_id}", details={"fields": sorted(changes)})
    return customer


def list_customers(db: Database) -> list[Customer]:
    """Return every customer by code."""
    with db.read() as session:
        return list(session.scalars(select(Customer).order_by(Customer.code)))


def get_customer(session: Session, customer_id: int) -> Customer:
    """Return a customer or raise ``customer_not_found``."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFoundError(f"No customer {customer_id}", code="customer_not_found")
    return customer


def customer_for_sale(session: Session, *, code: str | None = None,
                      card_code: str | None = None) -> Customer:
    """Return the customer a till names by code or card, refusing an unknown or blocked one.

    Unknown is 422 ``unknown_customer``; blocked is 409 ``customer_blocked``.
    """
    if code is not None:
        customer = session.scalar(select(Customer).where(Customer.code == code.strip()))
    else:
        customer = session.scalar(select(Customer).where(
            Customer.card_code == (card_code or "").strip()))
    if customer is None:
        raise ValidationError("No such customer", code="unknown_customer",
                              field="code" if code is not None else "card_code")
    if customer.is_blocked:
        raise ConflictError(f"Customer {customer.code} is blocked", code="customer_blocked")
    return customer


def find_customer(db: Database, customer_id: int) -> Customer:
    """Return a customer or raise ``customer_not_found``."""
    with db.read() as session:
        return get_customer(session, customer_id)


def link_partner(ctx: Context, customer_id: int, user_id: int) -> None:
    """Let a user sign in for a customer (a partner): it then sees only that customer's."""
    with ctx.db.transaction() as session:
        get_customer(session, customer_id)
        if session.scalar(select(func.count()).select_from(_USERS)
                          .where(_USERS.c.id == user_id)) == 0:
            raise NotFoundError(f"No user {user_id}", code="user_not_found")
        link = session.get(PartnerLink, user_id) or PartnerLink(user_id=user_id)
        link.customer_id = customer_id
        session.add(link)
        audit.record(session, at=ctx.now, action="partner_linked", user_id=ctx.actor.user_id,
                     target=f"customer:{customer_id}", details={"partner": user_id})


def partner_customer(db: Database, user_id: int) -> int | None:
    """Return the customer a signed-in user stands for, or None when it is no partner."""
    with db.read() as session:
        return session.scalar(select(PartnerLink.customer_id)
                              .where(PartnerLink.user_id == user_id))


def overdue_minor(session: Session, customer_id: int, on: date) -> int:
    """Return the debt overdue on day ``on``: due before it, less everything paid before it.

    Every debt entry carries a day: a purchase the day it falls due, a payment or a refund
    the day it was made. Payments pay the oldest debt first, so what fell due and is not
    covered by payments is overdue whatever purchase it came from.
    """
    due = session.scalar(select(func.coalesce(func.sum(AccountEntry.amount_minor), 0)).where(
        AccountEntry.customer_id == customer_id, AccountEntry.account == DEBT,
        AccountEntry.due_on < on))
    return max(0, int(due or 0))


def move_debt(session: Session, ctx: Context, customer_id: int, amount_minor: int, *,
              kind: str, due_on: date, receipt_id: int | None = None,
              reference: str | None = None) -> None:
    """Change a customer's debt; a rise beyond its credit limit is refused (guarded update)."""
    guard = Customer.id == customer_id
    if amount_minor > 0:
        guard = guard & (Customer.debt_minor + amount_minor <= Customer.credit_limit_minor)
    moved = session.execute(update(Customer).where(guard).values(
        debt_minor=Customer.debt_minor + amount_minor).execution_options(
        synchronize_session=False))
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError("The purchase exceeds the customer's credit limit",
                            code="credit_limit_exceeded")
    session.add(AccountEntry(customer_id=customer_id, account=DEBT, kind=kind,
                             amount_minor=amount_minor, due_on=due_on, receipt_id=receipt_id,
                             reference=reference, at=ctx.now, user_id=ctx.actor.user_id))


def _parent(session: Session, parent_id: int) -> Customer:
    parent = session.get(Customer, parent_id)
    if parent is None:
        raise ValidationError(f"No customer {parent_id}", code="customer_parent_invalid",
                              field="parent_id")
    return parent
