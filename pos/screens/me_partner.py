"""A partner's own page at ``/me/partner``: its agreements' progress and its allowances.

Everything is read through a :class:`~loyalty.rebates.progress.Viewer` of the partner's own
customer, as the partner API reads it, so another customer's agreement or allowance is never
in the answer. The figures are the rebate use cases'; this module only lays them out.
"""

from __future__ import annotations

from typing import Any

from flask import render_template

from loyalty.customers.service import find_customer
from loyalty.rebates import allowance, reports
from loyalty.rebates.progress import Viewer
from loyalty.rebates.schemas import in_base_units
from pos.core.request import current_clock, current_db
from pos.screens.me import blp, partner


@blp.get("/partner")
def agreements() -> Any:
    """Show the partner's agreements (period, base, tier, what is left, rebate) and allowances."""
    who = partner()
    db, today = current_db(), current_clock().now().date()
    viewer = Viewer(customer_id=who.customer_id)  # never None: None would be a manager's view
    rows = [_shown(progress) for progress in reports.agreements_report(db, today, viewer)]
    return render_template("screens/me/partner.html", customer=find_customer(db, who.customer_id),
                           agreements=rows, allowances=allowance.list_allowances(db, viewer),
                           who=who.principal)


def _shown(progress: dict[str, Any]) -> dict[str, Any]:
    # A base counts money or quantity (thousandths); shown in the unit the agreement counts.
    measure = progress["measure"]
    base = progress["base_minor"] if measure == "amount" else progress["quantity_milli"]
    return {**progress, "base": in_base_units(base, measure),
            "next_threshold_text": in_base_units(progress["next_threshold"], measure),
            "to_next_tier_text": in_base_units(progress["to_next_tier"], measure)}
