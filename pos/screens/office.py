"""The manager's office (``/office``): sign in by password, a page per concern, a shared nav.

A manager signs in with user name and password through the API's own sign-in (the same
slow-down on guessing, the same audit); a user without the right to read reports is refused.
The sign-in is kept under its own session key, so the office and a till in one browser are
separate sign-ins. Every page is a client of the same use cases as the API and shows only
the stores the manager may see.

A page joins the navigation by an entry in :data:`NAV`; the nav shows the entries whose
endpoint the app serves and whose right the manager holds, so pages slot in one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app, redirect, render_template, request, session, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from pos.auth.service import login, logout
from pos.core.context import Context
from pos.core.errors import ForbiddenError, PosError
from pos.core.request import (
    barcode_layouts,
    client_address,
    current_clock,
    current_db,
    current_registry,
    current_settings,
    current_tokens,
)
from pos.core.security import Actor, Principal, Right
from pos.screens.office_state import store_overview
from pos.screens.till import approval_in_form
from pos.screens.web import csrf_token, principal, problem_headers, screen_blueprint, signed_in

blp = screen_blueprint("office", __name__, "/office")
SESSION_KEY = "office_token"


@dataclass(frozen=True)
class NavEntry:
    """A page of the office in the navigation."""

    label: str
    endpoint: str
    right: Right = Right.VIEW_REPORTS


NAV: tuple[NavEntry, ...] = (
    NavEntry("Overview", "office.home"),
    NavEntry("Shifts", "office.shifts"),
    NavEntry("Receipts", "office.receipts"),
    NavEntry("Sales", "office.sales"),
    NavEntry("Discounts", "office.discounts", Right.MANAGE_DISCOUNTS),
    NavEntry("Loyalty", "office.loyalty", Right.MANAGE_LOYALTY),
    NavEntry("Gift certificates", "office.gift_certificates", Right.MANAGE_LOYALTY),
    NavEntry("Rebates", "office.rebates", Right.MANAGE_LOYALTY),
    NavEntry("Devices", "office.devices", Right.MANAGE_DEVICES),
    NavEntry("Approvals", "office.approvals", Right.APPROVE),
)


def manager() -> Principal:
    """Return the manager signed in at the office, or send the browser to sign in."""
    return principal(SESSION_KEY)


def office_context() -> Context:
    """Return the context a use case runs in for the signed-in manager (no till)."""
    actor = Actor(manager(), approval_in_form(), client_address())
    return Context(current_db(), current_registry(), actor, current_clock().now(),
                   tuple(barcode_layouts()))


def nav() -> list[NavEntry]:
    """Return the office's pages this app serves that the signed-in manager may open."""
    who = signed_in(SESSION_KEY)
    if who is None:
        return []
    served = current_app.view_functions
    return [entry for entry in NAV if entry.endpoint in served and who.can(entry.right)]


@blp.app_context_processor
def _office_nav() -> dict[str, Any]:
    return {"office_nav": nav}


@blp.get("")
def home() -> Any:
    """Show the sign-in, or the stores the manager sees with each till's shift."""
    who = signed_in(SESSION_KEY)
    if who is None:
        return _sign_in_page()
    return render_template("screens/office/home.html", who=who,
                           stores=store_overview(current_db(), who))


def _sign_in_page(error: PosError | None = None) -> Any:
    csrf_token()
    page = render_template("screens/office/sign_in.html", form=request.form,
                           problem=error.to_problem() if error else None)
    if error is None:
        return page
    return page, error.status, problem_headers(error)


@blp.post("/sign-in")
def sign_in() -> Any:
    """Sign in by user name and password; only those who may read reports get in."""
    form, settings, client = request.form, current_settings(), client_address()
    # Capped as /me's partner sign-in is: a longer name is no user's, and the throttle's key
    # column (200) refused one past it with a 500.
    username, password = form.get("username", "").strip()[:100], form.get("password", "")
    try:
        result = login(
            current_db(), username, password, client=client, now=current_clock().now(),
            ttl=timedelta(hours=settings.token_ttl_hours),
            free_failures=settings.login_max_failures,
            free_address_failures=settings.login_max_address_failures, admit=_admit)
    except PosError as error:
        return _sign_in_page(error)
    session.pop("csrf", None)  # a fresh CSRF token for the signed-in manager
    session.permanent = True
    session[SESSION_KEY] = result.token
    return redirect(url_for("office.home"))


def _admit(_session: Session, who: Principal) -> None:
    if not who.can(Right.VIEW_REPORTS):
        raise ForbiddenError("The office is for managers", code="office_forbidden")


@blp.post("/sign-out")
def sign_out() -> Response:
    """Sign out of the office: the token is revoked; a till's sign-in is kept."""
    token = session.pop(SESSION_KEY, None)
    if token:
        logout(current_db(), current_tokens(), token, current_clock().now())
    return redirect(url_for("office.home"))  # type: ignore[return-value]
