"""The office's approvals: what waits for a manager, and one-time approval codes for a till.

A code is the API's (``POST /auth/approvals``): it lets a cashier exceed their rights once
within ten minutes, for any action or only the one chosen, at any till of the manager's stores
or only the one chosen; it is shown once on the answer to the form and never put into a URL.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request, url_for

from pos.auth.approval import APPROVAL_CODE_TTL, issue_approval_code
from pos.core.errors import ForbiddenError, ValidationError
from pos.core.request import current_clock, current_db
from pos.core.security import Right
from pos.screens.office import blp, manager
from pos.screens.office_approvals_state import code_tills, waiting_for
from pos.screens.office_ops_input import shows_problems

# The actions a code may be limited to: those the use cases ask a manager's approval for.
ACTIONS = {
    "": "Any action", "cash_out": "Cash out", "void_receipt": "Void a receipt",
    "manual_weight": "Weight typed in", "manual_discount": "Manual discount",
    "cash_difference": "Cash difference at close", "return_without_receipt":
    "Return without a receipt",
}


@blp.get("/approvals")
@shows_problems
def approvals() -> Any:
    """List what waits for the manager, with links, and the form for an approval code."""
    return _page()


def _page(code: str | None = None, action: str | None = None, at: str | None = None,
          tills: dict[int, str] | None = None) -> Any:
    who = manager()
    if not who.can(Right.APPROVE):
        raise ForbiddenError("Approvals are for managers who may approve", code="forbidden")
    return render_template("screens/office/approvals.html", who=who, actions=ACTIONS,
                           tills=code_tills(current_db(), who) if tills is None else tills,
                           waiting=waiting_for(current_db(), who, current_clock().now()),
                           link=served_url, code=code, action=action, at=at,
                           code_minutes=int(APPROVAL_CODE_TTL.total_seconds() // 60))


def served_url(endpoint: str, **values: Any) -> str | None:
    """Return the URL of an office page if this app serves it (pages slot in one by one)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


@blp.post("/approvals/code")
@shows_problems
def approval_code() -> Any:
    """Issue a one-time approval code (for one action or any, at one till or any); show it once."""
    who = manager()
    action = request.form.get("action", "")
    if action not in ACTIONS:
        raise ValidationError("Choose an action from the list", code="invalid_action",
                              field="action")
    tills, chosen = code_tills(current_db(), who), request.form.get("till_id", "")
    till_id = next((till for till in tills if str(till) == chosen), None)
    if chosen and till_id is None:
        raise ValidationError("Choose a till from the list", code="invalid_till",
                              field="till_id")
    code = issue_approval_code(current_db(), who, action or None, current_clock().now(),
                               till_id)
    return _page(code, ACTIONS[action], tills[till_id] if till_id else None, tills)
