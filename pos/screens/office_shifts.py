"""The office's shifts: the list, a shift's page, cash in and out, close, X and Z reports.

Every action is the API's use case run as the signed-in manager (:func:`office_context`), so
its rules apply as they do at the till: the reason of a cash movement, a cash out only as far
as the drawer holds, a manager's approval where the use case asks for one (given in place by
the approval fields of the same form), the blind count where the store closes blind. A shift
of a store the manager does not see does not exist for them (404).
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from pos.core.errors import ApprovalRequiredError, NotFoundError, PosError, ValidationError
from pos.core.request import current_db
from pos.core.security import Right
from pos.screens.office import blp, manager, office_context
from pos.screens.office_ops_input import (
    PAGE_SIZE,
    amount,
    day_range,
    known_id,
    optional_id,
    page_number,
    reason,
    require,
    shows_problems,
)
from pos.screens.office_shifts_state import (
    STATES,
    ShiftFilters,
    days_zone,
    list_shift_rows,
    shift_facts,
    store_choices,
)
from pos.screens.once import acts_once
from pos.screens.web import problem_headers
from pos.shifts import service as shift_service
from pos.shifts.model import CASH_IN, CASH_OUT, Shift


@blp.get("/shifts")
@shows_problems
def shifts() -> Any:
    """List the shifts of the stores the manager sees, newest first, filtered."""
    who, db = manager(), current_db()
    problem, rows = None, None
    try:
        rows = list_shift_rows(db, who, _filters(), page=page_number(request.args),
                               page_size=PAGE_SIZE)
    except ValidationError as error:
        problem = error
    page = render_template("screens/office/shifts.html", who=who, rows=rows,
                           args=request.args, stores=store_choices(db, who), states=STATES,
                           problem=problem.to_problem() if problem else None)
    return (page, problem.status) if problem else page


def _filters() -> ShiftFilters:
    args = request.args
    store_id = optional_id(args, "store")
    start, end = day_range(args, days_zone(current_db(), manager(), store_id))
    state = args.get("state") or None
    if state is not None and state not in STATES:
        raise ValidationError("state: open or closed", code="invalid_state", field="state")
    return ShiftFilters(store_id, optional_id(args, "till"), start, end, state)


def _shift(shift_id: str) -> Shift:
    """Return the shift if the manager sees it, else 404 ``shift_not_found`` (as the API)."""
    missing = NotFoundError("No such shift", code="shift_not_found")
    return shift_service.get_shift(current_db(), known_id(shift_id, missing), manager())


@blp.get("/shifts/<shift_id>")
@shows_problems
def shift_page(shift_id: str) -> Any:
    """Show a shift: its X report and forms while open, its Z report once closed."""
    return _shift_page(_shift(shift_id))


def _shift_page(shift: Shift, error: PosError | None = None, form: str | None = None) -> Any:
    who = manager()
    facts = shift_facts(current_db(), shift)
    report = shift.z_report
    if shift.is_open:
        report = shift_service.x_report(office_context(), shift.id)
    wants_approval = error is not None and (isinstance(error, ApprovalRequiredError)
                                            or error.code == "approval_invalid")
    page = render_template("screens/office/shift.html", who=who, facts=facts, shift=shift,
                           report=report, problem=error.to_problem() if error else None,
                           form=request.form if error else {}, failed_form=form,
                           wants_approval=wants_approval)
    if error is None:
        return page
    return page, error.status, problem_headers(error)


@blp.post("/shifts/<shift_id>/cash-in")
@shows_problems
@acts_once
def shift_cash_in(shift_id: str) -> Any:
    """Put cash into the drawer (a numbered fiscal document)."""
    require(Right.CASH_IN)
    return _move(shift_id, CASH_IN)


@blp.post("/shifts/<shift_id>/cash-out")
@shows_problems
@acts_once
def shift_cash_out(shift_id: str) -> Any:
    """Take cash out of the drawer, as far as it holds, with the approval the API asks for."""
    return _move(shift_id, CASH_OUT)


def _move(shift_id: str, kind: str) -> Any:
    shift = _shift(shift_id)
    form = request.form
    try:
        shift_service.move_cash(office_context(), shift.id, kind,
                                amount(form.get("amount"), "amount"), reason(form.get("reason")))
    except PosError as error:
        if error.code == "signed_out":
            raise
        return _shift_page(_shift(shift_id), error, kind)
    return redirect(url_for("office.shift_page", shift_id=shift.id) + "#cash")


@blp.post("/shifts/<shift_id>/close")
@shows_problems
@acts_once
def shift_close(shift_id: str) -> Any:
    """Close the shift with the counted cash (blind where the store closes blind)."""
    require(Right.OPEN_SHIFT)
    shift = _shift(shift_id)
    facts = shift_facts(current_db(), shift)
    try:
        counted = amount(request.form.get("counted"), "counted")
        shift_service.close_shift(office_context(), shift.id,
                           shift_service.CloseShift(counted, bool(facts.store.blind_close)))
    except PosError as error:
        if error.code == "signed_out":
            raise
        return _shift_page(_shift(shift_id), error, "close")
    return redirect(url_for("office.shift_page", shift_id=shift.id))


@blp.get("/shifts/<shift_id>/x-report")
@shows_problems
def shift_x_report(shift_id: str) -> Any:
    """Show the open shift's X report as a printable page (a closed shift has its Z)."""
    shift = _shift(shift_id)
    if not shift.is_open:
        return redirect(url_for("office.shift_z_report", shift_id=shift.id))
    report = shift_service.x_report(office_context(), shift.id)
    return _report_page(shift, report, "X report")


@blp.get("/shifts/<shift_id>/z-report")
@shows_problems
def shift_z_report(shift_id: str) -> Any:
    """Show the closed shift's Z report as a printable page (an open shift has its X)."""
    shift = _shift(shift_id)
    if shift.is_open or shift.z_report is None:
        return redirect(url_for("office.shift_x_report", shift_id=shift.id))
    return _report_page(shift, shift.z_report, f"Z report No. {shift.z_number}")


def _report_page(shift: Shift, report: dict[str, Any], title: str) -> Any:
    return render_template("screens/office/shift_report.html", who=manager(), shift=shift,
                           facts=shift_facts(current_db(), shift), report=report, title=title)
