"""The screens' foundation: a signed strict session cookie, CSRF, CSP, problems as messages.

A screen blueprint is made by :func:`screen_blueprint`; it gets every guard below, so a new
screen (the office, ``/me``) is protected by construction:

- the session is Flask's signed cookie (HttpOnly, SameSite=Strict, Secure over https); it holds
  the bearer token a sign-in issued (so expiry and revocation are the API's) and a CSRF token;
- every state-changing request carries that CSRF token (``X-CSRF-Token`` from htmx, or a
  ``csrf_token`` form field) or is refused with 403 ``csrf_failed``;
- every response has a Content-Security-Policy with no inline script or style;
- a :class:`PosError` becomes a readable message: for htmx it is swapped into ``#message``
  (with its stable ``code`` in ``data-code``), for a page the page is shown with it.
"""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from werkzeug.wrappers import Request, Response

from pos.core.barcode import is_digits
from pos.core.errors import (
    ApprovalRequiredError,
    ForbiddenError,
    PosError,
    TooManyAttemptsError,
    UnauthorizedError,
    ValidationError,
)
from pos.core.money import format_minor, format_quantity
from pos.core.pan import holds_pan
from pos.core.request import current_clock, current_db, current_settings, current_tokens
from pos.core.schemas import MAX_ID
from pos.core.security import Principal
from pos.screens.once import once_token

HERE = Path(__file__).parent
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "X-CSRF-Token"
APPROVAL_FIELDS = ("approval_user", "approval_pin")
SESSION_HOURS = 12
_ELEMENT_ID = re.compile(r"[A-Za-z][\w-]{0,63}", re.ASCII)
CSP = "; ".join((
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "connect-src 'self'", "font-src 'self'", "form-action 'self'", "base-uri 'none'",
    "frame-ancestors 'none'",
))


class ScreenSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever the request came over https.

    The API shares the app but never the session: a request without the cookie (every API
    request) gets an empty session without a signing serializer being made, and an empty
    session nobody touched is not saved, its cookie settings not even looked up.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        """Return True over https (or when configured so)."""
        return request.is_secure or super().get_cookie_secure(app)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Open the signed session; without its cookie, a new empty one, nothing verified."""
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Save the session into its cookie, unless it is empty and was never touched."""
        # An untouched empty session is what Flask would neither set, delete nor vary on.
        if session or session.modified or session.accessed:
            super().save_session(app, session, response)


def register_screens(app: Flask, blueprints: tuple[Blueprint, ...]) -> None:
    """Serve the screens' assets and ``blueprints`` with the session cookie they rely on."""
    app.config.update(SESSION_COOKIE_NAME="pos_screen", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Strict",
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS))
    app.session_interface = ScreenSessionInterface()
    assets = Blueprint("screens", __name__, static_folder="static",
                       static_url_path="/screens/static", template_folder="templates")
    assets.after_request(_asset_headers)
    app.register_blueprint(assets)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def screen_blueprint(name: str, import_name: str, url_prefix: str) -> Blueprint:
    """Return a blueprint whose routes get the screens' CSRF check, CSP and problem pages."""
    blueprint = Blueprint(name, import_name, url_prefix=url_prefix)
    blueprint.before_request(_check_csrf)
    blueprint.before_request(_refuse_nul)
    blueprint.after_request(_secure_headers)
    blueprint.register_error_handler(PosError, _problem)
    blueprint.app_context_processor(lambda: {"csrf_token": csrf_token, "once_token": once_token})
    blueprint.add_app_template_filter(money, "money")
    blueprint.add_app_template_filter(format_quantity, "quantity")
    return blueprint


def csrf_token() -> str:
    """Return this session's CSRF token, made on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return cast(str, session["csrf"])


def _check_csrf() -> None:
    if request.method not in WRITES:
        return
    sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token") or ""
    expected = session.get("csrf")
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        raise ForbiddenError("This form has expired: reload the page", code="csrf_failed")


def _refuse_nul() -> None:
    # PostgreSQL cannot store or look up text with a NUL in it: a query value or form field
    # holding one reached a lookup and failed with a 500. No screen's field can hold one.
    for name, value in (*request.args.items(multi=True), *request.form.items(multi=True)):
        if "\x00" in name or "\x00" in value:
            raise ValidationError("A field must not contain a NUL character",
                                  code="nul_character", field=name.replace("\x00", "")[:64])


def _secure_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _asset_headers(response: Response) -> Response:
    # The assets carry the same policy as the pages (a file opened on its own runs nothing
    # inline either) but keep the caching Flask gives static files.
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def is_htmx() -> bool:
    """Tell whether htmx sent this request (it swaps a fragment of the answer in)."""
    return request.headers.get("HX-Request") == "true"


def _problem(error: PosError) -> Any:
    if isinstance(error, UnauthorizedError) and error.code == "signed_out":
        if is_htmx():
            return Response(status=204, headers={"HX-Redirect": _sign_in_url()})
        return redirect(_sign_in_url())
    if not is_htmx():
        # A screen may have its own problem page (``screens/<blueprint>/problem_page.html``).
        page = render_template([f"screens/{request.blueprint}/problem_page.html",
                                "screens/problem_page.html"], problem=error.to_problem())
        return _secure_headers(Response(page, status=error.status, mimetype="text/html",
                                        headers=problem_headers(error)))
    body = render_template("screens/_problem.html", problem=error.to_problem())
    if isinstance(error, ApprovalRequiredError) or error.code == "approval_invalid":
        body += _approval_form()
    headers = {"HX-Retarget": "#message", "HX-Reswap": "innerHTML", **problem_headers(error)}
    return _secure_headers(Response(body, status=error.status, headers=headers,
                                    mimetype="text/html"))


def _sign_in_url() -> str:
    # The signed-out go to the sign-in page of the screen they asked for: its blueprint's root.
    blueprint = current_app.blueprints.get(request.blueprint or "")
    prefix = getattr(blueprint, "url_prefix", None) or "/till"
    return request.script_root + prefix


def _approval_form() -> str:
    # The same request again, with the fields it carried, once a manager types their PIN.
    carried = [(name, value) for name, value in request.form.items(multi=True)
               if name not in APPROVAL_FIELDS and name != "csrf_token"]
    # htmx names the element that asked (its id); anything else a client sent is not echoed.
    sent = request.headers.get("HX-Target", "")
    target = sent if _ELEMENT_ID.fullmatch(sent) and not holds_pan(None, sent) else "receipt"
    return render_template("screens/_approval.html", path=request.full_path.rstrip("?"),
                           method=request.method.lower(), carried=carried, target=target)


def problem_headers(error: PosError) -> dict[str, str]:
    """Return the headers a refusal carries, as the API's: ``Retry-After`` when throttled."""
    if isinstance(error, TooManyAttemptsError):
        return {"Retry-After": str(error.retry_after_s)}
    return {}


def as_id(text: str | None) -> int | None:
    """Return a form's or query's id as a number, or None when it is no id (1 to 2^63-1).

    ``str.isdigit`` takes "²" (which ``int`` refuses) and any length (which the database
    refuses): both were 500s.
    """
    text = (text or "").strip()
    if len(text) > len(str(MAX_ID)) or not is_digits(text) or not 1 <= int(text) <= MAX_ID:
        return None
    return int(text)


def money(amount_minor: int | None) -> str:
    """Format minor units as the installation's decimal amount ("149.90")."""
    if amount_minor is None:
        return ""
    return format_minor(int(amount_minor), current_settings().currency_exponent)


def signed_in(key: str = "token") -> Principal | None:
    """Return the principal of the sign-in kept under ``key``, or None (expired, revoked, none).

    Each screen keeps its own sign-in under its own key (the till ``token``, the office
    ``office_token``), so signing in at one is not signing in at another.
    """
    if "principal" in g:
        return cast(Principal, g.principal)
    token = session.get(key)
    if not token:
        return None
    resolve = current_app.extensions["pos.authenticate"]
    principal = resolve(current_db(), current_tokens(), token, current_clock().now())
    if principal is None:
        session.pop(key, None)
        return None
    g.principal = principal
    return cast(Principal, principal)


def principal(key: str = "token") -> Principal:
    """Return the principal signed in under ``key``, or send the browser to sign in."""
    found = signed_in(key)
    if found is None:
        raise UnauthorizedError("Sign in first", code="signed_out")
    return found
