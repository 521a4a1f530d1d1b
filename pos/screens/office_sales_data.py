"""The office's sales figures: revenue by hour, day and payment type, top items, discounts.

Read-only aggregate queries (GROUP BY in the database), one store at a time, in the store's
own time zone. Revenue is as the Z report counts it: sales minus returns, without the gift
certificates sold (a liability). Receipts are found through their shifts (a receipt closes
inside its shift: a shift does not close with an open receipt), so the existing indexes on
shifts (store, till, opened) and receipts (shift, state, kind) serve every query.

Times are bucketed by quarter hour of UTC in SQL and the buckets mapped to the store's local
hours and days here: every time zone's offset is a whole number of quarter hours, so the
mapping is exact, daylight saving days included, and a month is at most 2,976 rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Text,
    case,
    cast,
    column,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from pos.receipts.model import CLOSED, RETURN, SALE, Receipt, ReceiptLine, ReceiptPayment
from pos.shifts.model import Shift

QUARTER_S = 900
TOP_ITEMS = 10


@dataclass(frozen=True)
class Period:
    """A store and the local days ``first`` to ``last`` (inclusive) in its time zone."""

    store_id: int
    zone: ZoneInfo
    first: date
    last: date

    @property
    def start(self) -> datetime:
        """Return the period's first instant (local midnight of ``first``) in UTC."""
        return datetime.combine(self.first, time(0), self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """Return the instant after the period (local midnight after ``last``) in UTC."""
        return datetime.combine(self.last + timedelta(days=1), time(0), self.zone).astimezone(UTC)

    def days(self) -> list[date]:
        """Return each local day of the period."""
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def closed_in(period: Period) -> list[ColumnElement[bool]]:
    """Return the conditions of a receipt of the store closed within ``period``."""
    start, end = period.start, period.end
    shifts = select(Shift.id).where(
        Shift.store_id == period.store_id, Shift.opened_at < end,
        or_(Shift.closed_at.is_(None), Shift.closed_at >= start))
    return [Receipt.shift_id.in_(shifts), Receipt.state == CLOSED,
            Receipt.closed_at >= start, Receipt.closed_at < end]


def _signed(amount: Any) -> Any:
    return case((Receipt.kind == RETURN, -amount), else_=amount)


def _quarter(session: Session) -> Any:
    # Quarter hours since the epoch, no bound parameters (PostgreSQL groups by the expression).
    if session.get_bind().dialect.name == "sqlite":
        seconds = cast(func.strftime(literal_column("'%s'"), Receipt.closed_at), BigInteger)
    else:
        seconds = cast(func.floor(func.extract("epoch", Receipt.closed_at)), BigInteger)
    return (seconds // literal_column(str(QUARTER_S))).label("quarter")


def revenue_by_quarter(session: Session, period: Period) -> dict[int, int]:
    """Return revenue (sales - returns - certificates sold) per UTC quarter hour."""
    quarter = _quarter(session)
    totals = session.execute(
        select(quarter, func.sum(_signed(Receipt.total_minor)))
        .where(*closed_in(period)).group_by(quarter)).all()
    certificates = session.execute(
        select(quarter, func.sum(_signed(ReceiptLine.amount_minor)))
        .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
        .where(*closed_in(period), ReceiptLine.certificate_type_id.is_not(None))
        .group_by(quarter)).all()
    out = {int(q): int(total or 0) for q, total in totals}
    for q, total in certificates:
        out[int(q)] = out.get(int(q), 0) - int(total or 0)
    return out


def _local(quarter: int, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(quarter * QUARTER_S, UTC).astimezone(zone)


def revenue_by_hour(session: Session, period: Period) -> list[int]:
    """Return the revenue of each local hour (0-23) of a one-day ``period``."""
    hours = [0] * 24
    for quarter, amount in revenue_by_quarter(session, period).items():
        hours[_local(quarter, period.zone).hour] += amount
    return hours


def revenue_by_day(session: Session, period: Period) -> list[tuple[date, int]]:
    """Return each local day of ``period`` with its revenue."""
    days = dict.fromkeys(period.days(), 0)
    for quarter, amount in revenue_by_quarter(session, period).items():
        day = _local(quarter, period.zone).date()
        days[day] = days.get(day, 0) + amount
    return sorted(days.items())


@dataclass(frozen=True)
class PaymentRow:
    """What one payment type took on sales and gave back on returns (cash net of change)."""

    kind: str
    sales_minor: int
    refunds_minor: int

    @property
    def net_minor(self) -> int:
        """Return what the payment type kept: taken minus refunded."""
        return self.sales_minor - self.refunds_minor


def by_payment_type(session: Session, period: Period) -> list[PaymentRow]:
    """Return per payment type the sales and refunds of ``period`` (cash net of change)."""
    rows = session.execute(
        select(Receipt.kind, ReceiptPayment.kind, func.sum(ReceiptPayment.amount_minor))
        .join(Receipt, Receipt.id == ReceiptPayment.receipt_id)
        .where(*closed_in(period)).group_by(Receipt.kind, ReceiptPayment.kind)).all()
    # Change is only ever given from cash (as the Z report counts it).
    change = session.scalar(select(func.sum(Receipt.change_minor))
                            .where(*closed_in(period), Receipt.kind == SALE)) or 0
    taken: dict[str, list[int]] = {}
    for receipt_kind, kind, amount in rows:
        taken.setdefault(kind, [0, 0])[receipt_kind == RETURN] += int(amount or 0)
    if change:
        taken.setdefault("cash", [0, 0])[0] -= int(change)
    return sorted((PaymentRow(kind, sales, refunds) for kind, (sales, refunds) in taken.items()),
                  key=lambda row: (-row.net_minor, row.kind))


@dataclass(frozen=True)
class ItemRow:
    """An item's quantity and revenue in a period (returns subtracted)."""

    sku: str
    name: str
    quantity_milli: int
    amount_minor: int


def top_items(session: Session, period: Period, limit: int = TOP_ITEMS) -> list[ItemRow]:
    """Return the items with the most revenue in ``period`` (certificates left out)."""
    amount = func.sum(_signed(ReceiptLine.amount_minor))
    rows = session.execute(
        select(ReceiptLine.sku, func.max(ReceiptLine.name),
               func.sum(_signed(ReceiptLine.quantity_milli)), amount)
        .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
        .where(*closed_in(period), ReceiptLine.certificate_type_id.is_(None))
        .group_by(ReceiptLine.sku).order_by(amount.desc(), ReceiptLine.sku).limit(limit)).all()
    return [ItemRow(sku, name, int(qty or 0), int(total or 0)) for sku, name, qty, total in rows]


@dataclass(frozen=True)
class DiscountRow:
    """What one discount rule gave on sales in a period, and on how many lines."""

    discount_id: str
    name: str
    lines: int
    amount_minor: int


def discounts_given(session: Session, period: Period) -> list[DiscountRow]:
    """Return per discount rule what it gave on the period's sales, most first.

    A return line keeps its share of the discount as an amount, not by rule (see
    :func:`discounts_returned`).
    """
    rule, name, amount, applied = _applied(session)
    total = func.sum(amount)
    rows = session.execute(
        select(rule, func.max(name), func.count(), total)
        .select_from(Receipt).join(ReceiptLine, ReceiptLine.receipt_id == Receipt.id)
        .join(applied, true())
        .where(*closed_in(period), Receipt.kind == SALE, ReceiptLine.discount_minor != 0)
        .group_by(rule).order_by(total.desc(), rule)).all()
    return [DiscountRow(str(rule_id), str(label), int(count), int(given or 0))
            for rule_id, label, count, given in rows]


def discounts_returned(session: Session, period: Period) -> int:
    """Return the discount that went back with the goods returned in ``period``."""
    return int(session.scalar(
        select(func.sum(ReceiptLine.discount_minor))
        .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
        .where(*closed_in(period), Receipt.kind == RETURN)) or 0)


def _applied(session: Session) -> tuple[Any, Any, Any, Any]:
    # A line's applied discounts as rows: a table function of the line's JSON list (both
    # databases let a function in FROM read the tables before it).
    if session.get_bind().dialect.name == "sqlite":
        each = func.json_each(ReceiptLine.discounts).table_valued("value").alias("applied")
        rule, name, amount = (func.json_extract(each.c.value, literal_column(f"'$.{key}'"))
                              for key in ("discount_id", "name", "amount_minor"))
        return rule, name, amount, each
    records = (func.json_to_recordset(ReceiptLine.discounts)
               .table_valued(column("discount_id", Text), column("name", Text),
                             column("amount_minor", BigInteger))
               .render_derived(name="applied", with_types=True))
    return records.c.discount_id, records.c.name, records.c.amount_minor, records
