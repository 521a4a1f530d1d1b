"""Allowances: a rebate settled as a discount on the customer's next purchases at the till.

A settlement by ``discount`` grants the customer an allowance for the agreement's period (one
row per customer, agreement and period; later settlements raise it). Pricing offers a
receipt's customer what its allowances have left (:func:`offers`); the discount engine takes
them off the receipt after its rules and explains each as "Rebate allowance for <agreement>,
period <key>". When the sale closes, :class:`AllowanceListener` charges what each one gave
with a guarded update in the close's transaction, so two tills can never use more than was
granted (the second gets ``allowance_exhausted`` and nothing is written); a return gives
back the part of it its lines refund.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from loyalty.customers.model import Customer
from loyalty.rebates.model import Agreement, Allowance, AllowanceMove, Claim
from loyalty.rebates.progress import Viewer
from pos.core.context import Context
from pos.core.db import Database
from pos.core.errors import ConflictError, NotFoundError
from pos.core.extensions import ReceiptView

PREFIX = "allowance:"  # how the engine names an allowance among a line's discounts
ALLOWANCE_KIND = "allowance"


@dataclass(frozen=True)
class Offer:
    """What an allowance may still give at the till, and what receipts explain it as."""

    id: int
    name: str
    left_minor: int


def grant(session: Session, ctx: Context, claim: Claim, amount_minor: int) -> Allowance:
    """Raise (or, negative, lower) the customer's allowance for the claim's agreement period."""
    assert claim.customer_id is not None
    allowance = session.scalars(select(Allowance).where(
        Allowance.customer_id == claim.customer_id, Allowance.series_id == claim.series_id,
        Allowance.period_key == claim.period_key).with_for_update()).first()
    if allowance is None and amount_minor > 0:
        allowance = Allowance(customer_id=claim.customer_id, series_id=claim.series_id,
                              period_key=claim.period_key, name=_name(session, claim),
                              granted_minor=0, used_minor=0, created_at=ctx.now)
        session.add(allowance)
        session.flush()
    if allowance is None or not _raise_granted(session, allowance.id, amount_minor):
        raise ConflictError("The customer has already used that much of its allowance",
                            code="allowance_already_used")
    session.add(AllowanceMove(allowance_id=allowance.id, kind="grant", amount_minor=amount_minor,
                              at=ctx.now))
    session.flush()
    session.refresh(allowance)
    return allowance


def _name(session: Session, claim: Claim) -> str:
    agreement = session.get(Agreement, claim.agreement_id)
    assert agreement is not None
    return f"Rebate allowance for {agreement.name}, period {claim.period_key}"


def _raise_granted(session: Session, allowance_id: int, amount_minor: int) -> bool:
    # Lowering it (recovering a settlement) never takes it below what was already used.
    result = session.execute(update(Allowance).where(
        Allowance.id == allowance_id,
        Allowance.granted_minor + amount_minor >= Allowance.used_minor)
        .values(granted_minor=Allowance.granted_minor + amount_minor)
        .execution_options(synchronize_session=False))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


_ALLOWANCES, _CUSTOMERS = Allowance.__table__, Customer.__table__
# Built once, in Core: pricing asks it for every sale to a named customer.
_OFFERS = select(_ALLOWANCES.c.id, _ALLOWANCES.c.name,
                 _ALLOWANCES.c.granted_minor - _ALLOWANCES.c.used_minor) \
    .join(_CUSTOMERS, _CUSTOMERS.c.id == _ALLOWANCES.c.customer_id) \
    .where(_CUSTOMERS.c.code == bindparam("code"),
           _ALLOWANCES.c.granted_minor > _ALLOWANCES.c.used_minor) \
    .order_by(_ALLOWANCES.c.id)


def offers(session: Session, customer_ref: str) -> list[Offer]:
    """Return what a receipt's customer (by its code) has left of each allowance, oldest first."""
    rows = session.connection().execute(_OFFERS, {"code": customer_ref})
    return [Offer(int(row[0]), row[1], int(row[2])) for row in rows]


def taken(lines: Iterable[Any]) -> dict[int, int]:
    """Return what each allowance gave over a receipt's lines (allowance id -> minor units)."""
    amounts: dict[int, int] = defaultdict(int)
    for line in lines:
        for applied in line.discounts or ():
            if applied.get("kind") == ALLOWANCE_KIND:
                amounts[int(applied["discount_id"].removeprefix(PREFIX))] += applied[
                    "amount_minor"]
    return {allowance_id: amount for allowance_id, amount in amounts.items() if amount}


class AllowanceListener:
    """Charge a closed sale's allowance discounts to their allowances; credit a return's back."""

    def closed(self, session: Session, ctx: Context, receipt: ReceiptView) -> None:
        """Use (a return: give back) what the receipt's lines took of each allowance."""
        amounts = taken(receipt.lines)
        if not amounts:
            return
        is_return = receipt.kind == "return"
        for allowance_id, amount in sorted(amounts.items()):
            if is_return:
                _give_back(session, allowance_id, amount)
            else:
                _use(session, allowance_id, amount, receipt.customer_ref)
        session.execute(insert(AllowanceMove), [
            {"allowance_id": allowance_id, "kind": "return" if is_return else "use",
             "amount_minor": amount, "receipt_id": receipt.id, "shift_id": receipt.shift_id,
             "at": ctx.now} for allowance_id, amount in sorted(amounts.items())])

    def voided(self, session: Session, ctx: Context, receipt: ReceiptView) -> None:
        """Nothing is used before a sale closes: nothing to undo."""


def _use(session: Session, allowance_id: int, amount_minor: int, customer_ref: str | None
         ) -> None:
    owner = select(Customer.id).where(Customer.code == customer_ref).scalar_subquery()
    result = session.execute(update(Allowance).where(
        Allowance.id == allowance_id, Allowance.customer_id == owner,
        Allowance.used_minor + amount_minor <= Allowance.granted_minor)
        .values(used_minor=Allowance.used_minor + amount_minor)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError("The customer's rebate allowance no longer covers this discount; "
                            "price the receipt again", code="allowance_exhausted",
                            extra={"allowance_id": allowance_id})


def _give_back(session: Session, allowance_id: int, amount_minor: int) -> None:
    result = session.execute(update(Allowance).where(
        Allowance.id == allowance_id, Allowance.used_minor >= amount_minor)
        .values(used_minor=Allowance.used_minor - amount_minor)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError("The allowance did not give that much", code="allowance_return_invalid",
                            extra={"allowance_id": allowance_id})


def list_allowances(db: Database, viewer: Viewer, customer_id: int | None = None
                    ) -> list[Allowance]:
    """Return the allowances a viewer may see (a partner: its customer's), newest first."""
    query = select(Allowance).order_by(Allowance.id.desc())
    if viewer.customer_id is not None:
        query = query.where(Allowance.customer_id == viewer.customer_id)
    if customer_id is not None:
        query = query.where(Allowance.customer_id == customer_id)
    with db.read() as session:
        return list(session.scalars(query))


def get_allowance(db: Database, allowance_id: int, viewer: Viewer) -> Allowance:
    """Return one allowance; another customer's (for a partner) is 404 like a missing one."""
    with db.read() as session:
        allowance = session.get(Allowance, allowance_id)
        if allowance is None or viewer.customer_id not in (None, allowance.customer_id):
            raise NotFoundError(f"No allowance {allowance_id}", code="allowance_not_found")
        return allowance


def shift_figures(session: Session, shift_id: int) -> dict[str, Any]:
    """Return the allowance a shift's sales used and its returns gave back (one query)."""
    rows = session.execute(
        select(AllowanceMove.kind, func.count(func.distinct(AllowanceMove.receipt_id)),
               func.sum(AllowanceMove.amount_minor))
        .where(AllowanceMove.shift_id == shift_id, AllowanceMove.kind.in_(("use", "return")))
        .group_by(AllowanceMove.kind)).all()
    found = {kind: (int(count), int(total or 0)) for kind, count, total in rows}
    return {name: {"count": found.get(kind, (0, 0))[0], "amount_minor": found.get(kind, (0, 0))[1]}
            for kind, name in (("use", "used"), ("return", "given_back"))}
