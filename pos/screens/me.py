"""The card holder's and the partner's own screens (``/me``): the way in and out, and who is in.

Two kinds of principal sign in here, neither of them staff: a card holder (loyalty's holder
token, from a card number and PIN or a receipt's one-time code) and a partner (a user linked
to a wholesale customer, by user name and password). Their tokens live in this screen's own
session keys, :data:`HOLDER_KEY` and :data:`PARTNER_KEY`; ``/till`` reads only its own
(``token``), and ``/me`` never reads that one, so a browser signed in at one screen is signed
out at the other. Sign-ins are the API's use cases, throttled as the API's are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from loyalty.cards import codes, holders
from loyalty.customers.service import partner_customer
from pos.auth.service import login, logout
from pos.core.errors import ForbiddenError, PosError, UnauthorizedError
from pos.core.request import (
    client_address,
    current_clock,
    current_db,
    current_settings,
    current_tokens,
)
from pos.core.security import Principal
from pos.screens.web import csrf_token, problem_headers, screen_blueprint

blp = screen_blueprint("me", __name__, "/me")
HOLDER_KEY, PARTNER_KEY = "me_holder", "me_partner"


@dataclass(frozen=True)
class Partner:
    """A signed-in partner: the user and the customer it stands for."""

    principal: Principal
    customer_id: int


def signed_in_holder() -> int | None:
    """Return the holder this session signed in as, or None (expired, revoked, none)."""
    token = session.get(HOLDER_KEY)
    if not token:
        return None
    found = holders.holder_of(current_db(), str(token), current_clock().now())
    if found is None:
        session.pop(HOLDER_KEY, None)
    return found


def signed_in_partner() -> Partner | None:
    """Return the partner this session signed in as, or None (expired, unlinked, none)."""
    token = session.get(PARTNER_KEY)
    if not token:
        return None
    resolve = current_app.extensions["pos.authenticate"]
    who = resolve(current_db(), current_tokens(), str(token), current_clock().now())
    customer_id = partner_customer(current_db(), who.user_id) if who is not None else None
    if who is None or customer_id is None:
        session.pop(PARTNER_KEY, None)
        return None
    return Partner(who, customer_id)


def holder_id() -> int:
    """Return the signed-in holder, or send the browser to sign in."""
    found = signed_in_holder()
    if found is None:
        raise UnauthorizedError("Sign in first", code="signed_out")
    return found


def partner() -> Partner:
    """Return the signed-in partner, or send the browser to sign in."""
    found = signed_in_partner()
    if found is None:
        raise UnauthorizedError("Sign in first", code="signed_out")
    return found


@blp.get("")
def home() -> Any:
    """Show the sign-in forms, or send the signed-in to their own page."""
    if signed_in_holder() is not None:
        return redirect(url_for("me.cards"))
    if signed_in_partner() is not None:
        return redirect(url_for("me.agreements"))
    return _sign_in_page()


def _sign_in_page(error: PosError | None = None, form: str = "") -> Any:
    csrf_token()
    page = render_template("screens/me/sign_in.html", form=form, values=request.form,
                           problem=error.to_problem() if error else None)
    if error is None:
        return page
    return page, error.status, problem_headers(error)


def _signed_in(key: str, token: str, where: str) -> Response:
    session.clear()  # a fresh session (and CSRF token): one principal per browser session
    session.permanent = True
    session[key] = token
    return redirect(url_for(where))


@blp.post("/sign-in")
def sign_in() -> Any:
    """Sign a holder in by a card number and the holder's PIN."""
    number = "".join(request.form.get("card_number", "").split())
    try:
        signed = holders.sign_in(current_db(), number, request.form.get("pin", ""),
                                 client=client_address(), now=current_clock().now())
    except PosError as error:
        return _sign_in_page(error, "card")
    return _signed_in(HOLDER_KEY, signed.token, "me.cards")


@blp.post("/sign-in/code")
def sign_in_by_code() -> Any:
    """Sign a holder in by the one-time code printed on a receipt."""
    try:
        signed = codes.sign_in_with_code(
            current_db(), codes.holder_codes(current_settings().secret_key),
            request.form.get("code", "")[:32], client=client_address(),
            now=current_clock().now())
    except PosError as error:
        return _sign_in_page(error, "code")
    return _signed_in(HOLDER_KEY, signed.token, "me.cards")


@blp.post("/sign-in/partner")
def sign_in_partner() -> Any:
    """Sign a partner in by user name and password; a user who stands for no customer is 403."""
    settings = current_settings()
    try:
        result = login(current_db(), request.form.get("username", "").strip()[:100],
                       request.form.get("password", ""), client=client_address(),
                       now=current_clock().now(), ttl=timedelta(hours=settings.token_ttl_hours),
                       free_failures=settings.login_max_failures,
                       free_address_failures=settings.login_max_address_failures)
        if partner_customer(current_db(), result.principal.user_id) is None:
            _revoke(result.token)
            raise ForbiddenError("You do not sign in for a customer", code="not_a_partner")
    except PosError as error:
        return _sign_in_page(error, "partner")
    return _signed_in(PARTNER_KEY, result.token, "me.agreements")


@blp.post("/sign-out")
def sign_out() -> Response:
    """Sign out: the token is revoked and the session forgotten."""
    holder_token, partner_token = session.get(HOLDER_KEY), session.get(PARTNER_KEY)
    if holder_token:
        holders.sign_out(current_db(), str(holder_token))
    if partner_token:
        _revoke(str(partner_token))
    session.clear()
    return redirect(url_for("me.home"))


def _revoke(token: str) -> None:
    logout(current_db(), current_tokens(), token, current_clock().now())
