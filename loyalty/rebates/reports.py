"""Reports: agreements with their progress, claims by status, fund consumption; CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select

from loyalty.rebates import period as periods
from loyalty.rebates.funds import fund_report
from loyalty.rebates.model import ACCRUING, Agreement, Claim
from loyalty.rebates.progress import Viewer, progress_of
from loyalty.rebates.schemas import in_base_units
from pos.core.db import Database
from pos.core.money import format_minor

AGREEMENT_COLUMNS = ("agreement_id", "name", "status", "period", "days_left", "base_minor",
                     "tier", "bonus_minor", "projected_bonus_minor", "to_next_tier",
                     "overdue_minor")
CLAIM_COLUMNS = ("status", "count", "amount_minor")
FUND_COLUMNS = ("id", "name", "status", "amount_minor", "committed_minor", "claimed_minor",
                "settled_minor", "left_minor")


def agreements_report(db: Database, today: date, viewer: Viewer | None = None
                      ) -> list[dict[str, Any]]:
    """Return every approved or active agreement (a partner's only) with its progress now."""
    with db.read() as session:
        query = select(Agreement).where(Agreement.status.in_(ACCRUING)).order_by(Agreement.id)
        if viewer is not None and viewer.customer_id is not None:
            query = query.where(Agreement.customer_id == viewer.customer_id)
        rows = []
        for agreement in session.scalars(query):
            day = min(max(today, agreement.valid_from), agreement.valid_to)
            rows.append(progress_of(session, agreement,
                                    periods.containing(day, agreement.period_type), today))
        return rows


def _csv_row(progress: dict[str, Any]) -> dict[str, Any]:
    # What is missing to the next tier is an amount or a quantity, written as either.
    return {**progress, "to_next_tier": in_base_units(progress["to_next_tier"],
                                                      progress["measure"])}


def claims_report(db: Database, period_key: str | None = None) -> list[dict[str, Any]]:
    """Return how many claims each status has and what they add up to."""
    query = select(Claim.status, func.count(), func.coalesce(func.sum(Claim.amount_minor), 0)
                   ).group_by(Claim.status).order_by(Claim.status)
    if period_key is not None:
        query = query.where(Claim.period_key == period_key)
    with db.read() as session:
        return [{"status": status, "count": int(count), "amount_minor": int(amount)}
                for status, count, amount in session.execute(query)]


def funds_report(db: Database, today: date) -> list[dict[str, Any]]:
    """Return each fund's amount, committed, claimed, settled and what is left."""
    return fund_report(db, today)


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """Return rows as CSV, money (``*_minor``) as decimal strings under names without it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.removesuffix("_minor") for c in columns])
    for row in rows:
        writer.writerow([_cell(column, row.get(column)) for column in columns])
    return out.getvalue()


def _cell(column: str, value: Any) -> Any:
    if value is None:
        return ""
    return format_minor(value) if column.endswith("_minor") else value


def export(db: Database, report: str, today: date) -> str:
    """Return a report (agreements, claims or funds) as CSV."""
    if report == "agreements":
        return to_csv(map(_csv_row, agreements_report(db, today)), AGREEMENT_COLUMNS)
    if report == "claims":
        return to_csv(claims_report(db), CLAIM_COLUMNS)
    return to_csv(funds_report(db, today), FUND_COLUMNS)
