"""Funds (trade allowance budgets): create, approve, and what each committed, claimed, paid.

Committed is what the agreements drawing on a fund are projected to earn in their current
period (their share of it); claimed and settled are kept as counters by approvals and
settlements (:func:`loyalty.rebates.claims.draw_funds`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from loyalty.rebates import period as periods
from loyalty.rebates.model import ACCRUING, APPROVED, DRAFT, Agreement, Fund
from loyalty.rebates.progress import progress_of
from pos.core import audit
from pos.core.context import Context
from pos.core.db import Database
from pos.core.errors import ConflictError, NotFoundError, ValidationError
from pos.core.money import percent_of


def create_fund(ctx: Context, name: str, amount_minor: int, valid_from: date,
                valid_to: date) -> Fund:
    """Create a fund as a draft: agreements may draw on it once it is approved."""
    if amount_minor <= 0:
        raise ValidationError("A fund needs a positive amount", code="amount_invalid",
                              field="amount")
    if valid_from > valid_to:
        raise ValidationError("Validity ends before it starts", code="validity_invalid",
                              field="valid_to")
    with ctx.db.transaction() as session:
        fund = Fund(name=name, amount_minor=amount_minor, valid_from=valid_from,
                    valid_to=valid_to, status=DRAFT, claimed_minor=0, settled_minor=0,
                    created_at=ctx.now)
        session.add(fund)
        session.flush()
        audit.record(session, at=ctx.now, action="fund_created", user_id=ctx.actor.user_id,
                     target=f"fund:{fund.id}")
    return fund


def approve_fund(ctx: Context, fund_id: int) -> Fund:
    """Approve a draft fund once."""
    with ctx.db.transaction() as session:
        done = session.execute(update(Fund).where(Fund.id == fund_id, Fund.status == DRAFT)
                               .values(status=APPROVED, approved_by_id=ctx.actor.user_id)
                               .execution_options(synchronize_session=False))
        fund = session.get(Fund, fund_id)
        if fund is None:
            raise NotFoundError(f"No fund {fund_id}", code="fund_not_found")
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise ConflictError("The fund is already approved", code="fund_already_approved")
        audit.record(session, at=ctx.now, action="fund_approved", user_id=ctx.actor.user_id,
                     target=f"fund:{fund_id}")
        session.refresh(fund)
    return fund


def fund_report(db: Database, today: date) -> list[dict[str, Any]]:
    """Return each fund with its amount, committed (projected), claimed, settled and left."""
    with db.read() as session:
        funds = list(session.scalars(select(Fund).order_by(Fund.id)))
        committed = {fund.id: 0 for fund in funds}
        for agreement in session.scalars(select(Agreement).where(
                Agreement.status.in_(ACCRUING))):
            links = [f for f in agreement.funds if f["fund_id"] in committed]
            if not links:
                continue
            day = min(max(today, agreement.valid_from), agreement.valid_to)
            period = periods.containing(day, agreement.period_type)
            projected = progress_of(session, agreement, period, today)["projected_bonus_minor"]
            for link in links:
                committed[link["fund_id"]] += percent_of(projected, Decimal(link["share"]))
        return [{"id": f.id, "name": f.name, "status": f.status, "amount_minor": f.amount_minor,
                 "valid_from": f.valid_from, "valid_to": f.valid_to,
                 "committed_minor": committed[f.id], "claimed_minor": f.claimed_minor,
                 "settled_minor": f.settled_minor,
                 "left_minor": f.amount_minor - f.claimed_minor} for f in funds]
