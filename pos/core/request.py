"""Who and what a request is about: the app's services, the signed-in principal, the headers.

The JSON body is parsed once (:func:`json_body`), for the idempotency fingerprint and for the
arguments of the view alike.

The headers a view may read beyond authentication are few and documented by the blueprint
decorator that lets a route read them (:mod:`pos.core.web`): ``X-Till-Id`` on till-scoped
routes and the approval headers on approvable ones.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

from flask import current_app, g, request
from webargs.core import parse_json

from pos.core.barcode import WeightLayout
from pos.core.clock import Clock
from pos.core.config import Settings
from pos.core.context import Context
from pos.core.db import Database
from pos.core.errors import UnauthorizedError, ValidationError
from pos.core.registry import Registry
from pos.core.schemas import MAX_ID
from pos.core.security import Actor, Approval, Principal, TokenCache

APPROVAL_HEADERS = ("X-Approval-Code", "X-Manager-Credentials")
TILL_HEADER = "X-Till-Id"
_JSON_BODY = "pos.json_body"  # the parsed body (or why it is none), kept in the WSGI environ
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: "²" is a digit to str.isdigit, not to int


def current_db() -> Database:
    """Return the application's database."""
    return cast(Database, current_app.extensions["pos.db"])


def current_settings() -> Settings:
    """Return the application's settings."""
    return cast(Settings, current_app.extensions["pos.settings"])


def current_clock() -> Clock:
    """Return the application's clock."""
    return cast(Clock, current_app.extensions["pos.clock"])


def barcode_layouts() -> list[WeightLayout]:
    """Return the weight and price barcode layouts configured for this installation."""
    return cast(list[WeightLayout], current_app.extensions["pos.barcode_layouts"])


def current_actor() -> Actor:
    """Return who acts on this request, with a manager's approval if headers carry one."""
    code, credentials = (request.headers.get(name) for name in APPROVAL_HEADERS)
    for name, value in zip(APPROVAL_HEADERS, (code, credentials), strict=True):
        if value is not None and "\x00" in value:  # PostgreSQL cannot look a NUL up
            raise ValidationError(f"{name} must not contain a NUL character",
                                  code="invalid_approval_header", field=name)
    if (code or credentials) and not g.get("pos_approvable") and current_app.testing:
        # Tests catch a route whose use case takes approvals but whose documentation says not.
        raise RuntimeError(f"{request.endpoint} reads approval headers: mark it approvable")
    return Actor(authenticate(), Approval.from_headers(code, credentials), client_address())


def current_registry() -> Registry:
    """Return the application's registry: payment types, journal checks, caches."""
    return cast(Registry, current_app.extensions["pos.registry"])


def current_tokens() -> TokenCache:
    """Return this app's cache of looked-up bearer tokens."""
    return current_registry().caches.get(TokenCache)


def use_case(till_id: int | None = None) -> Context:
    """Return the context a use case runs in for this request (who acts, now, the app's)."""
    return Context(current_db(), current_registry(), current_actor(), current_clock().now(),
                   tuple(barcode_layouts()), till_id)


def client_address() -> str:
    """Return the caller's address (the proxy in front is expected to set REMOTE_ADDR)."""
    return request.remote_addr or "unknown"


def authenticate() -> Principal:
    """Return the principal of the bearer token on this request, or raise 401."""
    if "principal" in g:
        return cast(Principal, g.principal)
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError("Send 'Authorization: Bearer <token>'", code="unauthorized")
    resolve = current_app.extensions["pos.authenticate"]
    principal = resolve(current_db(), current_tokens(), token.strip(), current_clock().now())
    if principal is None:
        raise UnauthorizedError("The token is unknown, expired or revoked", code="invalid_token")
    g.principal = principal
    return cast(Principal, principal)


def read_till_header() -> int | None:
    """Read ``X-Till-Id``, the calling till; a value that is no till id is 422."""
    value = request.headers.get(TILL_HEADER)
    if value is None:
        return None
    if not _DIGITS.fullmatch(value.strip()) or not 1 <= int(value) <= MAX_ID:
        raise ValidationError("X-Till-Id is a till id", code="invalid_till_header",
                              field=TILL_HEADER)
    return int(value)


def till_header() -> int | None:
    """Return the calling till that a till-scoped route read from ``X-Till-Id``."""
    if "pos_till_header" not in g:
        raise RuntimeError(f"{request.endpoint} reads {TILL_HEADER}: mark it till_scoped")
    return cast(int | None, g.pos_till_header)


def json_body() -> Any:
    """Return the request body's JSON document, parsed once however often it is asked for.

    A body that is no JSON (an empty one too) raises the ``json.JSONDecodeError`` webargs'
    parser raises for it, every time: the arguments of a view read the body through here. Text
    holding a lone surrogate is refused (422 ``invalid_text``, naming where), every time.
    """
    # Kept with the request, not on ``g``: one app context may serve several requests.
    environ = request.environ
    if _JSON_BODY not in environ:
        raw = request.get_data(cache=True)
        try:
            environ[_JSON_BODY] = parse_json(raw)
        except json.JSONDecodeError as error:
            environ[_JSON_BODY] = _NotJson(error)
        else:
            where = _surrogate_at(environ[_JSON_BODY]) if _SURROGATE_ESCAPE.search(raw) else None
            if where is not None:
                environ[_JSON_BODY] = _NotText(where, environ[_JSON_BODY])
    document = environ[_JSON_BODY]
    if isinstance(document, _NotJson):
        raise json.JSONDecodeError(document.error.msg, document.error.doc, document.error.pos)
    if isinstance(document, _NotText):
        raise NotTextError(document)
    return document


# A lone surrogate is no character: UTF-8 cannot encode it, so no database stores it and the
# driver raised deep in a use case. Strict UTF-8 bodies cannot hold one; only a JSON escape
# (``"\ud800"`` alone; a pair is one character) makes one, so only such a body is walked.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _NotText:
    """Where a body's text holds a lone surrogate, kept to refuse it to the next reader."""

    def __init__(self, where: str, document: Any) -> None:
        self.where, self.document = where, document


class NotTextError(ValidationError):
    """422 ``invalid_text``: a body's text holds a lone surrogate, at ``field``.

    The field is a path of the client's own keys: the card-number guard looks at
    ``document`` first, so a card number sent as a key is refused as one, never echoed here.
    """

    def __init__(self, refused: _NotText) -> None:
        super().__init__("Text must be made of characters: a lone surrogate (an escape from "
                         "\\ud800 to \\udfff not in a pair) is none", code="invalid_text",
                         field=refused.where)
        self.document = refused.document


def _surrogate_at(value: Any, path: str = "") -> str | None:
    """Return the path (``lines/0/sku``) of the first text holding a lone surrogate, or None."""
    if isinstance(value, str):
        return path or "body" if _SURROGATE.search(value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
    for key, item in items:
        at = f"{path}/{key}" if path else str(key)
        if isinstance(key, str) and _SURROGATE.search(key):
            return at
        found = _surrogate_at(item, at)
        if found is not None:
            return found
    return None


class _NotJson:
    """Why the body is no JSON, kept to raise again to the next reader."""

    def __init__(self, error: json.JSONDecodeError) -> None:
        self.error = error
