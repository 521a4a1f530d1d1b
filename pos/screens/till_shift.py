"""The till's way in and out: sign in by PIN, open the shift, X report, close with the count."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from pos.auth.pin import login_at_till
from pos.auth.service import logout
from pos.core.barcode import is_digits
from pos.core.errors import PosError, ValidationError
from pos.core.request import (
    client_address,
    current_clock,
    current_db,
    current_settings,
    current_tokens,
)
from pos.screens.till import blp, current_state, parse_amount, till_context, till_id
from pos.screens.till_card import card_shown
from pos.screens.till_state import till_choices
from pos.screens.web import csrf_token, problem_headers, signed_in
from pos.shifts import blind
from pos.shifts import service as shifts
from pos.shifts.report import present


@blp.get("")
def home() -> Any:
    """Show sign-in, the shift to open, or the sale in progress."""
    who = signed_in()
    if who is None or "till_id" not in session:
        return _sign_in_page()
    state = current_state()
    if state.shift is None:
        return render_template("screens/till/open_shift.html", state=state, who=who)
    return render_template("screens/till/sale.html", state=state, who=who,
                           receipt=state.receipt,
                           card=card_shown(current_db(),
                                           state.receipt.card_code if state.receipt else None))


def _sign_in_page(error: PosError | None = None) -> Any:
    csrf_token()
    page = render_template("screens/till/sign_in.html", tills=till_choices(current_db()),
                           problem=error.to_problem() if error else None, form=request.form)
    if error is None:
        return page
    return page, error.status, problem_headers(error)


@blp.post("/sign-in")
def sign_in() -> Any:
    """Sign in at the chosen till by user name and PIN."""
    form = request.form
    settings = current_settings()
    try:
        chosen = _till_field(form.get("till_id"))
        result = login_at_till(
            current_db(), form.get("username", "").strip(), form.get("pin", ""), chosen,
            client=client_address(), now=current_clock().now(),
            ttl=timedelta(hours=settings.token_ttl_hours),
            free_failures=settings.login_max_failures,
            free_address_failures=settings.login_max_address_failures)
    except PosError as error:
        return _sign_in_page(error)
    session.clear()  # a fresh session (and CSRF token) for the signed-in user
    session.permanent = True
    session.update(token=result.token, till_id=chosen)
    return redirect(url_for("till.home"))


def _till_field(text: str | None) -> int:
    if not is_digits(text or "") or not 0 < int(text or "0") < 2**63:
        raise ValidationError("Choose a till", code="invalid_till", field="till_id")
    return int(text or "0")


@blp.post("/sign-out")
def sign_out() -> Response:
    """Sign out: the token is revoked and the session forgotten."""
    token = session.get("token")
    if token:
        logout(current_db(), current_tokens(), token, current_clock().now())
    session.clear()
    return _go(url_for("till.home"))


def _go(url: str) -> Response:
    # htmx follows HX-Location without a full reload; a plain form post gets a redirect.
    if request.headers.get("HX-Request") == "true":
        return Response(status=204, headers={"HX-Redirect": url})
    return redirect(url)  # type: ignore[return-value]


@blp.post("/shift")
def open_shift() -> Response:
    """Open the shift with the counted float."""
    float_minor = parse_amount(request.form.get("float"), "float")
    shifts.open_shift(till_context(), till_id(), float_minor)
    return _go(url_for("till.home"))


@blp.get("/x-report")
def x_report() -> Any:
    """Show the shift's totals so far (refused to cashiers of a blind-close store)."""
    state = current_state()
    if state.shift is None:
        return redirect(url_for("till.home"))
    report = present(shifts.x_report(till_context(), state.shift.id))
    return render_template("screens/till/report.html", state=state, report=report,
                           title="X report")


@blp.get("/shift/close")
def close_shift_form() -> Any:
    """Ask for the drawer's count (blind where the store says so)."""
    state = current_state()
    if state.shift is None:
        return redirect(url_for("till.home"))
    return render_template("screens/till/close_shift.html", state=state)


@blp.post("/shift/close")
def close_shift() -> Any:
    """Close the shift with the counted cash and show its Z report as this user may see it."""
    state = current_state()
    if state.shift is None:
        return _go(url_for("till.home"))
    counted = parse_amount(request.form.get("counted"), "counted")
    ctx = till_context()
    closed = shifts.close_shift(ctx, state.shift.id,
                                shifts.CloseShift(counted, state.is_blind_close))
    shown = blind.redact(closed, ctx.actor.principal)
    return render_template("screens/till/_closed_shift.html", shift=shown,
                           report=present(shown.z_report) if shown.z_report else None)
