"""The demo's wholesale side: two customers, a quarterly agreement each, a partner sign-in."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from loyalty.customers.service import NewCustomer, create_customer
from loyalty.rebates import period as periods
from loyalty.rebates.agreements import advance, create_agreement
from pos.core.context import Context

# (code, legal name, segment, credit limit in kopecks, days to pay)
CUSTOMERS = (
    ("AROMA", "Cafe Aroma LLC", "HORECA", 50_000_000, 14),
    ("CORNER", "Corner Shops Ltd", "RETAIL", 30_000_000, 30),
)


def previous_quarter(today: date) -> periods.Period:
    """Return the quarter before the one ``today`` falls in (over, so it can be claimed)."""
    return periods.containing(periods.containing(today, "quarter").start - timedelta(days=1),
                              "quarter")


def load_agreements(ctx: Context) -> dict[str, Any]:
    """Create the demo customers and approve their quarterly agreements.

    They run from the start of the previous quarter's year to the end of this year, so the
    previous quarter (which the demo also has sales in) can be claimed today.
    """
    start = previous_quarter(ctx.now.date()).start
    ids = {code: create_customer(ctx, NewCustomer(code, name, segment=segment,
                                                  credit_limit_minor=limit,
                                                  payment_terms_days=days)).id
           for code, name, segment, limit, days in CUSTOMERS}
    common = {"period_type": "quarter", "valid_from": date(start.year, 1, 1),
              "valid_to": date(ctx.now.year, 12, 31)}
    absolute = create_agreement(ctx, {
        **common, "name": "Aroma: from 10,000 3%, from 20,000 5%", "customer_id": ids["AROMA"],
        "tiers": [{"from": "10000.00", "rate": "3"}, {"from": "20000.00", "rate": "5"}],
        "compensation_minor": 50_000, "cap_percent": "5"})
    plan = create_agreement(ctx, {
        **common, "name": "Corner: plan 15,000, met 2%, beaten by a fifth 4%",
        "customer_id": ids["CORNER"], "plan_minor": 1_500_000,
        "tiers": [{"from": "100", "rate": "2"}, {"from": "120", "rate": "4"}],
        "requires_no_overdue": True})
    for agreement in (absolute, plan):
        advance(ctx, agreement.id, "approved")
    return ids
