"""Period end: one claim per agreement and period, adjustments for changes, approval.

Calculating a period again is idempotent: it compares what the agreement earns now with what
its claims for that period already add up to, and writes an adjustment claim for the
difference (none when there is none). A claim is never edited. A bill-back's first claim is
what its lines recorded; the tiers' recalculation adjusts it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from loyalty.rebates import calc
from loyalty.rebates import period as periods
from loyalty.rebates.agreements import get_agreement
from loyalty.rebates.model import APPROVED, CALCULATED, DRAFT, AccruedBase, Agreement, Claim, Fund
from loyalty.rebates.progress import condition_met, period_of
from loyalty.rebates.terms import base_of, terms_of
from pos.core import audit
from pos.core.context import Context
from pos.core.db import Database
from pos.core.errors import ConflictError, NotFoundError, ValidationError
from pos.core.money import percent_of


def calculate_period(ctx: Context, key: str, agreement_id: int | None = None) -> list[Claim]:
    """Claim what each agreement earned in a period that is over; return the new claims."""
    period = _ended(key, ctx.now.date())
    with ctx.db.transaction() as session:
        if agreement_id is not None:
            agreement = get_agreement(session, agreement_id)
            period_of(agreement, key)
            if agreement.status == DRAFT:
                raise ConflictError("A draft agreement earns nothing",
                                    code="agreement_status_invalid")
            agreements = [agreement]
        else:
            agreements = _claimable(session, period)
        claims = _claims_for(session, ctx, agreements, period)
        session.add_all(claims)
        session.flush()
        audit.record(session, at=ctx.now, action="rebates_calculated",
                     user_id=ctx.actor.user_id, target=f"period:{key}",
                     details={"agreements": len(agreements), "claims": len(claims)})
    return claims


def _ended(key: str, today: date) -> periods.Period:
    try:
        period = periods.parse(key)
    except periods.PeriodError as error:
        raise ValidationError(str(error), code="period_invalid", field="period") from None
    if period.end > today:
        raise ConflictError(f"{key} is not over yet", code="period_not_over")
    return period


def _claimable(session: Session, period: periods.Period) -> list[Agreement]:
    # The latest approved version of each agreement of this period type that overlaps it.
    latest: dict[int, Agreement] = {}
    for agreement in session.scalars(select(Agreement).where(
            Agreement.approved_at.is_not(None), Agreement.period_type == period.type.value,
            Agreement.valid_from < period.end, Agreement.valid_to >= period.start)):
        known = latest.get(agreement.series_id)
        if known is None or known.version < agreement.version:
            latest[agreement.series_id] = agreement
    return list(latest.values())


def _claims_for(session: Session, ctx: Context, agreements: list[Agreement],
                period: periods.Period) -> list[Claim]:
    series = [a.series_id for a in agreements]
    bases = {row.series_id: row for row in session.scalars(select(AccruedBase).where(
        AccruedBase.period_key == period.key, AccruedBase.series_id.in_(series)))}
    claimed = {row[0]: (int(row[1]), int(row[2])) for row in session.execute(
        select(Claim.series_id, func.sum(Claim.amount_minor), func.max(Claim.seq))
        .where(Claim.period_key == period.key, Claim.series_id.in_(series))
        .group_by(Claim.series_id))}
    claims: list[Claim] = []
    for agreement in agreements:
        row = bases.get(agreement.series_id)
        base = base_of(agreement, row)
        bonus = _bonus(session, agreement, base, period)
        done, seq = claimed.get(agreement.series_id, (0, 0))
        if seq == 0 and agreement.kind == "bill_back":
            first = calc.Bonus(None, row.billback_minor if row else 0, 0,
                               row.billback_minor if row else 0, False)
            claims.append(_claim(ctx, agreement, period.key, 1, base, first, first.total_minor))
            done, seq = first.total_minor, 1
        change = calc.adjustment(bonus.total_minor, [done])
        if seq == 0 or change != 0:
            claims.append(_claim(ctx, agreement, period.key, seq + 1, base, bonus, change))
    return claims


def _bonus(session: Session, agreement: Agreement, base: calc.Base,
           period: periods.Period) -> calc.Bonus:
    if agreement.kind == "lump_sum":
        return calc.Bonus(None, agreement.lump_sum_minor, 0, agreement.lump_sum_minor, False)
    met, _ = condition_met(session, agreement, period.end)
    return calc.calculate(terms_of(agreement), base, is_condition_met=met)


def _claim(ctx: Context, agreement: Agreement, key: str, seq: int, base: calc.Base,
           bonus: calc.Bonus, amount_minor: int) -> Claim:
    return Claim(series_id=agreement.series_id, agreement_id=agreement.id,
                 customer_id=agreement.customer_id, period_key=key, seq=seq,
                 is_adjustment=seq > 1, base_minor=base.amount_minor,
                 quantity_milli=base.quantity_milli, premium_minor=bonus.premium_minor,
                 compensation_minor=bonus.compensation_minor, amount_minor=amount_minor,
                 status=CALCULATED, calculated_at=ctx.now)


def approve_claim(ctx: Context, claim_id: int, *, allow_overdraw: bool = False) -> Claim:
    """Approve a calculated claim once; one that would overdraw a fund needs ``allow_overdraw``."""
    with ctx.db.transaction() as session:
        claim = get_claim(session, claim_id)
        approved = session.execute(update(Claim).where(
            Claim.id == claim_id, Claim.status == CALCULATED).values(
            status=APPROVED, approved_at=ctx.now, approved_by_id=ctx.actor.user_id)
            .execution_options(synchronize_session=False))
        if approved.rowcount != 1:  # type: ignore[attr-defined]
            raise ConflictError(f"Claim {claim_id} is already {claim.status}",
                                code="claim_already_approved")
        overdrawn = draw_funds(session, claim, "claimed_minor", guard=not allow_overdraw)
        audit.record(session, at=ctx.now, action="claim_approved", user_id=ctx.actor.user_id,
                     target=f"claim:{claim_id}", details={"amount_minor": claim.amount_minor,
                                                          "overdrawn_funds": overdrawn})
        session.refresh(claim)
    return claim


def draw_funds(session: Session, claim: Claim, column: str, *, guard: bool,
               amount_minor: int | None = None) -> list[int]:
    """Add a claim's (or a settlement's) shares to its funds; return the funds overdrawn."""
    agreement = session.get(Agreement, claim.agreement_id)
    amount = claim.amount_minor if amount_minor is None else amount_minor
    overdrawn: list[int] = []
    for link in agreement.funds if agreement else []:
        part = percent_of(amount, Decimal(link["share"]))
        counter = getattr(Fund, column)
        fund_id = int(link["fund_id"])
        where = Fund.id == fund_id
        if part > 0 and guard:  # a guarded update: two approvals cannot both slip under
            where = where & (counter + part <= Fund.amount_minor)
        moved = session.execute(update(Fund).where(where).values({column: counter + part})
                                .execution_options(synchronize_session=False))
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise ConflictError(f"The claim would overdraw fund {fund_id}: approve it "
                                "with allow_overdraw", code="fund_overdrawn",
                                extra={"fund_id": fund_id})
        if part > 0 and session.scalar(select(counter > Fund.amount_minor)
                                       .where(Fund.id == fund_id)):
            overdrawn.append(fund_id)
    return overdrawn


def get_claim(session: Session, claim_id: int) -> Claim:
    """Return a claim or raise ``claim_not_found``."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFoundError(f"No claim {claim_id}", code="claim_not_found")
    return claim


def list_claims(db: Database, *, status: str | None = None, period_key: str | None = None,
                customer_id: int | None = None) -> list[Claim]:
    """Return claims, newest first, filtered by status, period or customer."""
    query = select(Claim).order_by(Claim.id.desc())
    for column, value in ((Claim.status, status), (Claim.period_key, period_key),
                          (Claim.customer_id, customer_id)):
        if value is not None:
            query = query.where(column == value)
    with db.read() as session:
        return list(session.scalars(query.limit(1000)))
