"""Settlement: what was paid for an agreement's period, and how; it nets every claim of it.

What is owed for an agreement's period is its approved claims (adjustments included, so a
negative adjustment after a return lowers it) less what was settled before: a later
settlement nets the earlier ones. A settlement as ``credit`` gives the customer rebate credit
it spends at the till (payment type ``rebate_credit``); as ``discount``, an allowance the till
takes off its next purchases as a discount (:mod:`loyalty.rebates.allowance`); ``payout``,
``liability`` and ``goods`` record what was paid, owed, or handed over (a gift item) elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from loyalty.customers.account import move_credit
from loyalty.rebates.allowance import grant
from loyalty.rebates.claims import draw_funds, get_claim
from loyalty.rebates.model import APPROVED, SETTLED, Claim, Settlement
from pos.core import audit
from pos.core.context import Context
from pos.core.errors import ConflictError, ValidationError

METHODS = ("credit", "discount", "payout", "liability", "goods")
TO_CUSTOMER = ("credit", "discount")  # given to the one customer at the till


@dataclass(frozen=True)
class Owed:
    """An agreement's period: approved, settled, and what is left to settle."""

    approved_minor: int
    settled_minor: int

    @property
    def outstanding_minor(self) -> int:
        """Return what is left to settle (negative: the customer owes it back)."""
        return self.approved_minor - self.settled_minor


def owed(session: Session, series_id: int, period_key: str) -> Owed:
    """Return what an agreement's approved claims of a period add up to and what was settled."""
    approved = session.scalar(select(func.coalesce(func.sum(Claim.amount_minor), 0)).where(
        Claim.series_id == series_id, Claim.period_key == period_key,
        Claim.status.in_((APPROVED, SETTLED))))
    settled = session.scalar(select(func.coalesce(func.sum(Settlement.amount_minor), 0)).where(
        Settlement.series_id == series_id, Settlement.period_key == period_key))
    return Owed(int(approved or 0), int(settled or 0))


def settle(ctx: Context, claim_id: int, amount_minor: int, method: str,
           reference: str | None = None) -> Settlement:
    """Settle (part of) what a claim's agreement period owes; never more than was approved."""
    if method not in METHODS:
        raise ValidationError(f"Settle by one of {', '.join(METHODS)}",
                              code="settlement_method_invalid", field="method")
    if amount_minor == 0:
        raise ValidationError("Settle a non-zero amount", code="amount_invalid", field="amount")
    with ctx.db.transaction() as session:
        claim = get_claim(session, claim_id)
        # Lock the period's claims (PostgreSQL) so two settlements cannot both pass the check.
        session.scalars(select(Claim.id).where(
            Claim.series_id == claim.series_id, Claim.period_key == claim.period_key)
            .with_for_update()).all()
        left = owed(session, claim.series_id, claim.period_key).outstanding_minor
        if not _within(amount_minor, left):
            raise ConflictError("That is more than was approved and not yet settled",
                                code="settlement_exceeds_approved",
                                extra={"outstanding_minor": left})
        settlement = _record(session, ctx, claim, amount_minor, method, reference)
        if left == amount_minor:
            session.execute(update(Claim).where(
                Claim.series_id == claim.series_id, Claim.period_key == claim.period_key,
                Claim.status == APPROVED).values(status=SETTLED)
                .execution_options(synchronize_session=False))
    return settlement


def _within(amount_minor: int, left: int) -> bool:
    if amount_minor > 0:
        return amount_minor <= left
    return left <= amount_minor  # recovering what the customer owes back


def _record(session: Session, ctx: Context, claim: Claim, amount_minor: int, method: str,
            reference: str | None) -> Settlement:
    if method in TO_CUSTOMER and claim.customer_id is None:
        raise ConflictError("A segment's agreement has no one customer to credit",
                            code="settlement_needs_customer")
    if method == "credit":
        assert claim.customer_id is not None
        move_credit(session, ctx, claim.customer_id, amount_minor, kind="settlement",
                    reference=f"claim:{claim.id}")
    elif method == "discount":
        grant(session, ctx, claim, amount_minor)
    draw_funds(session, claim, "settled_minor", guard=False, amount_minor=amount_minor)
    settlement = Settlement(series_id=claim.series_id, period_key=claim.period_key,
                            customer_id=claim.customer_id, method=method,
                            amount_minor=amount_minor, reference=reference, at=ctx.now,
                            user_id=ctx.actor.user_id)
    session.add(settlement)
    session.flush()
    audit.record(session, at=ctx.now, action="rebate_settled", user_id=ctx.actor.user_id,
                 target=f"claim:{claim.id}",
                 details={"amount_minor": amount_minor, "method": method})
    return settlement
