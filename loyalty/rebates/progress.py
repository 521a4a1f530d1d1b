"""Live progress of an agreement: base so far, tier reached, projected bonus, what is left.

Read from the base accrual keeps (one row), never from the sales: a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.customers.service import overdue_minor
from loyalty.rebates import calc
from loyalty.rebates import period as periods
from loyalty.rebates.model import AccruedBase, Agreement
from loyalty.rebates.terms import base_of, terms_of
from pos.core.db import Database
from pos.core.errors import NotFoundError, ValidationError


@dataclass(frozen=True)
class Viewer:
    """Who reads: a manager (every agreement) or a partner (its customer's agreements only)."""

    customer_id: int | None = None

    def may_see(self, agreement: Agreement) -> bool:
        """Tell whether this viewer may see ``agreement``."""
        return self.customer_id is None or agreement.customer_id == self.customer_id


MANAGER = Viewer()


def agreement_progress(db: Database, agreement_id: int, today: date, *,
                       viewer: Viewer = MANAGER, period_key: str | None = None
                       ) -> dict[str, Any]:
    """Return an agreement's progress in the period of ``today`` (or ``period_key``).

    One query reads the agreement with its series' bases (one per period so far), so the
    live read is a single round trip.
    """
    with db.read() as session:
        found = session.execute(select(Agreement, AccruedBase).outerjoin(
            AccruedBase, AccruedBase.series_id == Agreement.series_id)
            .where(Agreement.id == agreement_id)).all()
        if not found or not viewer.may_see(found[0][0]):  # another customer's: no such one
            raise NotFoundError(f"No agreement {agreement_id}", code="agreement_not_found")
        agreement = found[0][0]
        period = _period(agreement, today, period_key)
        row = next((base for _, base in found if base is not None
                    and base.period_key == period.key), None)
        return _progress(session, agreement, period, today, row)


def progress_of(session: Session, agreement: Agreement, period: periods.Period,
                today: date) -> dict[str, Any]:
    """Return an agreement's progress in ``period`` as seen on ``today``."""
    row = session.get(AccruedBase, (agreement.series_id, period.key))
    return _progress(session, agreement, period, today, row)


def _progress(session: Session, agreement: Agreement, period: periods.Period, today: date,
              row: AccruedBase | None) -> dict[str, Any]:
    base = base_of(agreement, row)
    met, overdue = condition_met(session, agreement, today)
    left = period.days_left(today)
    result: dict[str, Any] = {
        "agreement_id": agreement.id, "name": agreement.name, "status": agreement.status,
        "measure": agreement.measure,
        "period": period.key, "days_left": left, "base_minor": base.amount_minor,
        "quantity_milli": base.quantity_milli, "overdue_minor": overdue,
        "is_condition_met": met, "billback_minor": row.billback_minor if row else 0,
    }
    if agreement.kind == "lump_sum":
        return {**result, "tier": None, "bonus_minor": agreement.lump_sum_minor,
                "projected_bonus_minor": agreement.lump_sum_minor,
                "next_threshold": None, "to_next_tier": None}
    terms = terms_of(agreement)
    now = calc.progress(terms, base, is_condition_met=met)
    ahead = calc.project(base, period.days - left, period.days)
    return {**result, "tier": None if now.bonus.tier is None else now.bonus.tier + 1,
            "bonus_minor": now.bonus.total_minor,
            "projected_bonus_minor": calc.calculate(terms, ahead,
                                                    is_condition_met=met).total_minor,
            "next_threshold": now.next_threshold, "to_next_tier": now.to_next_tier}


def condition_met(session: Session, agreement: Agreement, on: date) -> tuple[bool, int]:
    """Tell whether the customer meets the financial discipline condition, and its overdue."""
    if not agreement.requires_no_overdue or agreement.customer_id is None:
        return True, 0
    overdue = overdue_minor(session, agreement.customer_id, on)
    return overdue == 0, overdue


def _period(agreement: Agreement, today: date, key: str | None) -> periods.Period:
    if key is None:
        day = min(max(today, agreement.valid_from), agreement.valid_to)
        return periods.containing(day, agreement.period_type)
    return period_of(agreement, key)


def period_of(agreement: Agreement, key: str) -> periods.Period:
    """Return a period of the agreement's type within its validity, or refuse it."""
    try:
        period = periods.parse(key)
    except periods.PeriodError as error:
        raise ValidationError(str(error), code="period_invalid", field="period") from None
    if period.type != agreement.period_type:
        raise ValidationError(f"The agreement's periods are {agreement.period_type}s",
                              code="period_type_mismatch", field="period")
    if period.end <= agreement.valid_from or period.start > agreement.valid_to:
        raise ValidationError(f"{key} lies outside the agreement's validity",
                              code="period_outside_validity", field="period")
    return period
