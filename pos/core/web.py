"""HTTP plumbing shared by every feature: the blueprint, its guards, idempotency.

Views stay thin: they parse with a schema, call a service with what these helpers give them
(the database, the clock, the signed-in principal, from :mod:`pos.core.request`) and return.
Whatever a route is made of - a guard, a path id, a body, a header it reads - documents itself
in OpenAPI (:mod:`pos.core.apidoc`), so a new route is documented right by construction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from flask import Request, current_app, g, request
from flask_smorest import Blueprint
from marshmallow import Schema
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from webargs import core as webargs_core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter
from werkzeug.routing import ValidationError as NoMatch

from pos.core import idempotency
from pos.core.apidoc import declare, document_operation, extend
from pos.core.db import JsonText
from pos.core.errors import ForbiddenError, PosError, ValidationError
from pos.core.request import (
    APPROVAL_HEADERS,
    TILL_HEADER,
    authenticate,
    barcode_layouts,
    client_address,
    current_actor,
    current_clock,
    current_db,
    current_registry,
    current_settings,
    current_tokens,
    json_body,
    read_till_header,
    till_header,
    use_case,
)
from pos.core.schemas import MAX_ID
from pos.core.security import Right

__all__ = [  # what features take from here; the request helpers live in pos.core.request
    "ApiBlueprint", "IdConverter", "KeyedReply", "TextConverter", "authenticate", "barcode_layouts",
    "client_address", "current_actor", "current_clock", "current_db", "current_registry",
    "current_settings", "current_tokens", "idempotent", "idempotent_in_transaction",
    "till_header", "use_case",
]

F = TypeVar("F", bound=Callable[..., Any])
BEARER_AUTH = [{"bearerAuth": []}]
WRITES = ("POST", "PUT", "PATCH", "DELETE")


class IdConverter(IntegerConverter):
    """``<int:...>`` in a route: matches only ids that can exist (1 to 2^63-1), else 404.

    Without the bound a path id past 64 bits reached the database driver and overflowed.
    """

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = 1,
                 max: int | None = MAX_ID, signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits, min, max, signed)

    def to_python(self, value: str) -> Any:
        """Return the id, or refuse to match a number too long to be one."""
        if len(value) > len(str(MAX_ID)):
            raise NoMatch()
        return super().to_python(value)


class TextConverter(UnicodeConverter):
    """``<name>`` or ``<string:name>`` in a route: never matches a NUL (%00), so that is 404.

    PostgreSQL cannot compare text with a NUL in it: the lookup failed with a 500.
    """

    def __init__(self, url_map: Map, minlength: int = 1, maxlength: int | None = None,
                 length: int | None = None) -> None:
        super().__init__(url_map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")


class BodyOnceParser(FlaskParser):
    """webargs' Flask parser reading the JSON body parsed once per request (:func:`json_body`).

    The idempotency fingerprint of a keyed request has parsed it already; the view's
    arguments take that document rather than parse the body again.
    """

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            return webargs_core.missing
        return json_body()


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose routes document what they are made of in OpenAPI."""

    ARGUMENTS_PARSER = BodyOnceParser()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(document_operation)  # last: sees body and parameters

    def add_url_rule(self, rule: str, endpoint: str | None = None, view_func: Any = None,
                     provide_automatic_options: bool | None = None, **options: Any) -> None:
        """Register a route; one with an id in its path documents 404."""
        super().add_url_rule(rule, endpoint, view_func, provide_automatic_options, **options)
        if "<" in rule:
            for method, info in self._docs[self._endpoints[-1]].items():
                if method != "parameters":
                    extend(info, statuses=(404,))

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any
                  ) -> Callable[[F], F]:
        """Parse the request's ``location`` with ``schema``; a PATCH must change something."""
        if isinstance(schema, type):
            # One instance for the route: given a class, webargs would build one per request.
            schema = schema()
        parse = super().arguments(schema, location=location, **kwargs)
        if location != "json":
            return cast(Callable[[F], F], parse)

        def decorator(view: F) -> F:
            @functools.wraps(view)
            def checked(*args: Any, **kw: Any) -> Any:
                # The parsed body is the last positional argument webargs adds.
                if request.method == "PATCH" and args and args[-1] == {}:
                    raise ValidationError("Send at least one field to change",
                                          code="empty_patch")
                return view(*args, **kw)

            return cast(F, parse(checked))

        return decorator

    def requires(self, *rights: Right) -> Callable[[F], F]:
        """Guard a view: a valid bearer token holding every one of ``rights``."""

        def decorator(view: F) -> F:
            @functools.wraps(view)
            def guarded(*args: Any, **kwargs: Any) -> Any:
                principal = authenticate()
                missing = [r.value for r in rights if not principal.can(r)]
                if missing:
                    raise ForbiddenError(
                        f"Your role ({principal.role}) lacks: {', '.join(missing)}",
                        code="forbidden", extra={"missing_rights": missing},
                    )
                return view(*args, **kwargs)

            return declare(self.doc(security=BEARER_AUTH)(guarded), statuses=(401, 403))

        return decorator

    @staticmethod
    def approvable(view: F) -> F:
        """Let a view's use case take a manager's approval from the approval headers."""

        @functools.wraps(view)
        def approvable(*args: Any, **kwargs: Any) -> Any:
            g.pos_approvable = True
            return view(*args, **kwargs)

        return declare(approvable, statuses=(403, 422, 429), headers=APPROVAL_HEADERS)

    @staticmethod
    def till_scoped(view: F) -> F:
        """Let a view read the calling till from ``X-Till-Id`` (:func:`till_header`)."""

        @functools.wraps(view)
        def scoped(*args: Any, **kwargs: Any) -> Any:
            g.pos_till_header = read_till_header()
            return view(*args, **kwargs)

        return declare(scoped, statuses=(409, 422), headers=(TILL_HEADER,))


def idempotent(view: F) -> F:
    """Make an effectful POST safe to retry with an ``Idempotency-Key`` header."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        principal = authenticate()
        db, now = current_db(), current_clock().now()
        scope = f"user:{principal.user_id}"
        fingerprint = _fingerprint()
        ttl = timedelta(days=current_settings().idempotency_ttl_days)
        stored = idempotency.begin(db, scope, key, fingerprint, now, ttl)
        if stored is not None:
            return _replay(stored)
        _purge_expired_keys_now_and_then(now)
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except PosError as error:
            if error.status in (409, 429):
                idempotency.release(db, scope, key)
                raise
            idempotency.finish(db, scope, key, error.status, error.to_problem())
            raise
        except BaseException:
            idempotency.release(db, scope, key)
            raise
        if response.status_code >= 500:
            idempotency.release(db, scope, key)
        else:
            idempotency.finish(db, scope, key, response.status_code, response.get_json())
        return response

    return _keyed(wrapper)


def idempotent_in_transaction(view: F) -> F:
    """Make a POST safe to retry by recording its key in its use case's write transaction.

    The view passes a :class:`KeyedReply` to its use case, which calls it inside its write
    transaction once the effect is written; see :class:`idempotency.Claim`. Nothing is read
    beforehand: a key already used makes that transaction fail on the key's primary key (or
    the use case refuse, its effect being done), and the stored response is replayed then (or
    the reuse with another body refused).
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        idempotency.check_key(key)
        principal = authenticate()
        fingerprint = _fingerprint()
        ttl = timedelta(days=current_settings().idempotency_ttl_days)
        g.idempotency_claim = claim = idempotency.Claim(
            f"user:{principal.user_id}", key, fingerprint, current_clock().now(), ttl)
        _purge_expired_keys_now_and_then(claim.now)
        try:
            return view(*args, **kwargs)
        except (IntegrityError, PosError):
            # The key's row stopped a twin at commit, or the use case refused because its
            # effect is already done (a receipt closed by the first try): if the key was
            # answered, answer the same.
            stored = claim.stored(current_db())
            if stored is None:
                raise
            return _replay(stored)

    return _keyed(wrapper)


def _fingerprint() -> str:
    # What makes a retry the same request: the method, the path with its query (another
    # ?view= asks another answer, not a replay of the first) and the body's JSON document.
    target = request.path
    if request.query_string:
        target += "?" + request.query_string.decode("utf-8", "replace")
    try:
        document = json_body()
    except ValueError:  # no JSON (or none at all): hashed from its bytes, as always
        return idempotency.request_fingerprint(request.method, target,
                                               request.get_data(cache=True))
    return idempotency.document_fingerprint(request.method, target, document)


def _keyed(wrapper: Callable[..., Any]) -> Any:
    # A keyed request may be refused for its key (422 reused or invalid, 409 still running).
    return declare(wrapper, statuses=(409, 422), headers=("Idempotency-Key",))


@dataclass
class KeyedReply:
    """The response of a keyed request, stored in the use case's own write transaction.

    Call it with the session and the result once the effect is written; the view then returns
    :meth:`response`. Without an ``Idempotency-Key`` it stores nothing.
    """

    schema: Schema
    status: int
    claim: idempotency.Claim | None = field(
        default_factory=lambda: cast(idempotency.Claim | None, g.get("idempotency_claim")))
    body: JsonText | None = None  # the recorded answer, written once for the store and reply

    def __call__(self, session: Session, result: Any) -> None:
        """Dump ``result`` and record it under the request's key (no key: do nothing)."""
        if self.claim is not None:
            self.body = JsonText(current_app.json.dumps(self.schema.dump(result)))
            self.claim.record(session, self.status, self.body)

    def response(self, result: Any, status: int) -> Any:
        """Return the response: the recorded body, a replay, or ``result`` for the schema.

        When the use case wrote nothing (it found its effect already done), a stored response
        for the key is replayed as the first request was answered.
        """
        if self.body is not None and status == self.status:
            return current_app.response_class(self.body, status=status,
                                              mimetype="application/json")
        if self.claim is not None and self.body is None:
            stored = self.claim.stored(current_db())
            if stored is not None:
                return _replay(stored)
        return result, status


def _purge_expired_keys_now_and_then(now: datetime) -> None:
    # One keyed request in many also deletes a bounded batch of expired keys.
    schedule = current_registry().caches.get(idempotency.PurgeSchedule)
    idempotency.purge_now_and_then(current_db(), now, schedule)


def _replay(stored: idempotency.StoredResponse) -> Any:
    from pos.core.problems import problem_response

    if stored.status >= 400:
        return problem_response(stored.body, stored.status, replayed=True)
    response = current_app.response_class(
        response=current_app.json.dumps(stored.body), status=stored.status,
        mimetype="application/json",
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response
