"""The office's sales at a glance (``/office/sales``): charts, each with its figures as a table.

The page shows every figure as a table (server-rendered, printable); ``office_sales.js``
draws the charts with uPlot from the read-only JSON routes below, which answer the same
figures for the same query (``store``, ``day``, ``from``, ``to``). One store at a time, among
those the manager sees; days are the store's local days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import jsonify, render_template, request
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from pos.core.errors import ForbiddenError, NotFoundError, PosError, ValidationError
from pos.core.money import format_quantity
from pos.core.problems import problem_response
from pos.core.request import current_clock, current_db
from pos.core.scope import visible_stores
from pos.core.security import Principal, Right
from pos.screens import office_sales_data as data
from pos.screens.office import blp, manager
from pos.screens.web import money
from pos.stores.model import Store

DEFAULT_DAYS = 30
MAX_DAYS = 366
# Far enough either side for any business day, near enough that a week or a month before
# and a time zone's offset stay within what datetime holds.
EARLIEST, LATEST = date(1970, 1, 1), date(9000, 12, 31)


@dataclass(frozen=True)
class StoreChoice:
    """A store the manager may chart."""

    id: int
    code: str
    name: str
    timezone: str


@dataclass(frozen=True)
class SalesQuery:
    """What the sales page and its data routes were asked for, checked."""

    store: StoreChoice
    stores: tuple[StoreChoice, ...]
    day: date
    first: date
    last: date

    def period(self, first: date, last: date | None = None) -> data.Period:
        """Return the store's local days ``first`` to ``last`` (one day if no ``last``)."""
        return data.Period(self.store.id, ZoneInfo(self.store.timezone), first, last or first)

    def args(self) -> dict[str, str]:
        """Return the query as URL arguments (for the data routes)."""
        return {"store": str(self.store.id), "day": self.day.isoformat(),
                "from": self.first.isoformat(), "to": self.last.isoformat()}


def _reader() -> Principal:
    who = manager()
    if not who.can(Right.VIEW_REPORTS):
        raise ForbiddenError("Sales figures are for managers", code="office_forbidden")
    return who


def _stores(who: Principal) -> tuple[StoreChoice, ...]:
    query = select(Store.id, Store.code, Store.name, Store.timezone).order_by(Store.code)
    visible = visible_stores(who)
    if visible is not None:
        query = query.where(Store.id.in_(visible))
    with current_db().read() as session:
        return tuple(StoreChoice(*row) for row in session.execute(query).all())


def _date(args: MultiDict[str, str], name: str, default: date) -> date:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        found = date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"{name} is not a date (YYYY-MM-DD)", code="bad_date",
                              field=name) from None
    if not EARLIEST <= found <= LATEST:
        raise ValidationError(f"{name} is out of range", code="date_out_of_range", field=name)
    return found


def _store(args: MultiDict[str, str], stores: tuple[StoreChoice, ...]) -> StoreChoice:
    raw = args.get("store", "").strip()
    if not raw:
        if not stores:
            raise NotFoundError("You see no stores", code="store_not_found")
        return stores[0]
    if not raw.isascii() or not raw.isdigit():
        raise ValidationError("store is a store's id", code="bad_store", field="store")
    for store in stores:
        if store.id == int(raw):
            return store
    raise NotFoundError(f"No store {raw}", code="store_not_found")


def sales_query(who: Principal, args: MultiDict[str, str]) -> SalesQuery:
    """Check the page's query: a store the manager sees, a day and a period of local days."""
    stores = _stores(who)
    store = _store(args, stores)
    today = current_clock().now().astimezone(ZoneInfo(store.timezone)).date()
    day = _date(args, "day", today)
    last = _date(args, "to", today)
    first = _date(args, "from", last - timedelta(days=DEFAULT_DAYS - 1))
    if first > last:
        raise ValidationError("from is after to", code="bad_period", field="from")
    if (last - first).days >= MAX_DAYS:
        raise ValidationError(f"A period is at most {MAX_DAYS} days", code="period_too_long",
                              field="from")
    return SalesQuery(store, stores, day, first, last)


def hourly(query: SalesQuery) -> dict[str, Any]:
    """Return revenue by local hour on the day and on the same weekday a week before."""
    week_before = query.day - timedelta(days=7)
    with current_db().read() as session:
        day = data.revenue_by_hour(session, query.period(query.day))
        before = data.revenue_by_hour(session, query.period(week_before))
    return {"day": query.day.isoformat(), "compare_day": week_before.isoformat(),
            "rows": [{"hour": hour, "revenue": money(day[hour]), "compare": money(before[hour])}
                     for hour in range(24)]}


def daily(query: SalesQuery) -> dict[str, Any]:
    """Return revenue by local day over the 30 days up to the period's last day."""
    first = query.last - timedelta(days=DEFAULT_DAYS - 1)
    with current_db().read() as session:
        days = data.revenue_by_day(session, query.period(first, query.last))
    return {"from": first.isoformat(), "to": query.last.isoformat(),
            "rows": [{"day": day.isoformat(), "revenue": money(amount)} for day, amount in days]}


def payments(query: SalesQuery) -> dict[str, Any]:
    """Return per payment type what was taken and refunded on the day."""
    with current_db().read() as session:
        rows = data.by_payment_type(session, query.period(query.day))
    return {"day": query.day.isoformat(),
            "rows": [{"kind": row.kind, "sales": money(row.sales_minor),
                      "refunds": money(row.refunds_minor), "net": money(row.net_minor)}
                     for row in rows]}


def items(query: SalesQuery) -> dict[str, Any]:
    """Return the period's top items by revenue."""
    with current_db().read() as session:
        rows = data.top_items(session, query.period(query.first, query.last))
    return {"from": query.first.isoformat(), "to": query.last.isoformat(),
            "rows": [{"sku": row.sku, "name": row.name,
                      "quantity": format_quantity(Decimal(row.quantity_milli).scaleb(-3)),
                      "revenue": money(row.amount_minor)} for row in rows]}


def discounts(query: SalesQuery) -> dict[str, Any]:
    """Return per discount rule what it gave on sales, and what went back with returns."""
    with current_db().read() as session:
        period = query.period(query.first, query.last)
        rows = data.discounts_given(session, period)
        returned = data.discounts_returned(session, period)
    given = sum(row.amount_minor for row in rows)
    return {"from": query.first.isoformat(), "to": query.last.isoformat(),
            "rows": [{"discount_id": row.discount_id, "name": row.name, "lines": row.lines,
                      "amount": money(row.amount_minor)} for row in rows],
            "given": money(given), "returned": money(returned),
            "net": money(given - returned)}


CHARTS = {"hourly": hourly, "daily": daily, "payments": payments, "items": items,
          "discounts": discounts}


@blp.get("/sales")
def sales() -> Any:
    """Show the sales charts of a store with every figure as a table."""
    who = _reader()
    query = sales_query(who, request.args)
    figures = {name: chart(query) for name, chart in CHARTS.items()}
    return render_template("screens/office/sales.html", who=who, query=query,
                           figures=figures)


@blp.get("/sales/<any(hourly, daily, payments, items, discounts):chart>.json")
def sales_data(chart: str) -> Any:
    """Answer one chart's figures as JSON (problem+json for a bad query)."""
    who = _reader()
    try:
        query = sales_query(who, request.args)
    except PosError as error:
        return problem_response(error.to_problem(), error.status)
    response = jsonify({"store": {"id": query.store.id, "code": query.store.code,
                                  "timezone": query.store.timezone},
                        **CHARTS[chart](query)})
    response.headers["Cache-Control"] = "no-store"
    return response
