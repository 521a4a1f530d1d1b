"""The office's rebates page: agreements with their progress, claims, and a claim's approval.

A client of the rebates feature's services: the progress report (base so far, tier reached,
what is left to the next tier), the claims list and report, and ``approve_claim`` (its
guarded update and audit). Rebate agreements are the chain's, with its wholesale customers,
not a store's. Approving needs the right to approve, as in the API.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from sqlalchemy import select

from loyalty.customers.model import Customer
from loyalty.rebates import claims, reports
from loyalty.rebates.schemas import in_base_units
from pos.core.errors import ForbiddenError, PosError
from pos.core.request import current_clock, current_db
from pos.core.security import Principal, Right
from pos.screens.office import blp, office_context
from pos.screens.office_loyalty import loyalty_manager
from pos.screens.web import problem_headers

CLAIM_ROWS = 100


def _page(who: Principal, **extra: Any) -> str:
    db, today = current_db(), current_clock().now().date()
    with db.read() as session:
        customers = dict(session.execute(select(Customer.id, Customer.code)).all())
    progress = [{**row, "to_next": in_base_units(row["to_next_tier"], row["measure"]),
                 "base": in_base_units(row["base_minor"] if row["measure"] == "amount"
                                       else row["quantity_milli"], row["measure"])}
                for row in reports.agreements_report(db, today)]
    return render_template(
        "screens/office/rebates.html", who=who, progress=progress, customers=customers,
        claims=claims.list_claims(db)[:CLAIM_ROWS], by_status=reports.claims_report(db),
        can_approve=who.can(Right.APPROVE), **extra)


@blp.get("/rebates")
def rebates() -> Any:
    """Show the agreements accruing now with their progress, and the claims."""
    return _page(loyalty_manager())


@blp.post("/rebates/claims/<int:claim_id>/approve")
def approve_rebate_claim(claim_id: int) -> Any:
    """Approve a calculated claim (overdrawing a fund only when ticked)."""
    who = loyalty_manager()
    if not who.can(Right.APPROVE):
        raise ForbiddenError("Approving claims needs the right to approve",
                             code="forbidden")
    try:
        claims.approve_claim(office_context(), claim_id,
                             allow_overdraw=request.form.get("allow_overdraw") == "yes")
    except PosError as error:
        return _page(who, problem=error.to_problem()), error.status, problem_headers(error)
    return redirect(url_for("office.rebates", _anchor=f"claim-{claim_id}"), code=303)
