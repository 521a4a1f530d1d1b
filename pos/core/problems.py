"""RFC 9457 problem responses for every error, so no client request ever sees an HTML 500."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from flask import Flask, Response, current_app, json
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from pos.core.errors import PosError, TooManyAttemptsError, ValidationError
from pos.core.money import format_minor
from pos.core.pan import mask_pans
from pos.core.schemas import CodedMessage, _exponent

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_failed", 429: "too_many_attempts",
}


def problem_response(body: dict[str, Any], status: int, *, replayed: bool = False) -> Response:
    """Serialise a problem body as ``application/problem+json``, amounts as decimal strings."""
    response = current_app.response_class(
        response=json.dumps(money_as_decimals(body)), status=status,
        mimetype="application/problem+json",
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    if "retry_after" in body:
        response.headers["Retry-After"] = str(body["retry_after"])
    return response


def money_as_decimals(body: dict[str, Any]) -> dict[str, Any]:
    """Render each ``*_minor`` member as a decimal string without the suffix (``due``).

    Errors carry amounts in minor units, as the code does; the API writes money as decimal
    strings everywhere (``"due": "12.30"``), problem details included.
    """
    exponent = _exponent()
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key.endswith("_minor") and isinstance(value, int) and not isinstance(value, bool):
            out[key.removesuffix("_minor")] = format_minor(value, exponent)
        else:
            out[key] = value
    return out


def _http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    code = _HTTP_CODES.get(status, "http_error")
    body: dict[str, Any] = {
        "type": f"https://errors.till.dev/{code}", "title": error.name, "status": status,
        "detail": error.description, "code": code,
    }
    messages = (getattr(error, "data", None) or {}).get("messages")
    if messages:
        body["errors"] = _flatten_locations(messages)
        body["detail"] = "Some fields are invalid: " + ", ".join(sorted(body["errors"]))
        code = _common_code(body["errors"])
        if code is not None:
            body["code"], body["type"] = code, f"https://errors.till.dev/{code}"
    response = problem_response(body, status)
    for name, value in error.get_headers():
        if name.lower() != "content-type":  # keep Allow (405), WWW-Authenticate, ...
            response.headers[name] = value
    return response


def _common_code(errors: Any) -> str | None:
    # A field may tag its message with a code (amount_too_large): when every message carries
    # the same one, it is the problem's code; any untagged or other message keeps the generic.
    leaves: list[Any] = []
    pending = [errors]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        else:
            leaves.append(item)
    codes = {leaf.code if isinstance(leaf, CodedMessage) else None for leaf in leaves}
    return codes.pop() if len(codes) == 1 else None


def _flatten_locations(messages: dict[str, Any]) -> dict[str, Any]:
    # webargs nests errors under the location ("json", "query", "headers"); clients want fields.
    flat: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def register_problem_handlers(app: Flask) -> None:
    """Install handlers turning every exception into a problem response."""

    @app.errorhandler(PosError)
    def _pos_error(error: PosError) -> Response:
        response = problem_response(error.to_problem(), error.status)
        if isinstance(error, TooManyAttemptsError):
            response.headers["Retry-After"] = str(error.retry_after_s)
        return response

    app.register_error_handler(HTTPException, _http_problem)

    @app.errorhandler(IntegrityError)
    def _integrity(error: IntegrityError) -> Response:
        log.warning("integrity conflict reached the web layer: %s", mask_pans(str(error.orig)))
        body = PosError("The change conflicts with existing data", code="integrity_conflict")
        body.status = 409
        return problem_response(body.to_problem(), 409)

    @app.errorhandler(OperationalError)
    def _busy(error: OperationalError) -> Response:
        log.error("database unavailable: %s", mask_pans(str(error.orig)))
        body = {"type": "https://errors.till.dev/database_unavailable", "title":
                "Database unavailable", "status": 503, "detail": "Try again shortly",
                "code": "database_unavailable"}
        return problem_response(body, 503)

    @app.errorhandler(RecursionError)
    def _too_deep(error: RecursionError) -> Response:
        # Only a body nested hundreds deep gets here (the JSON decoder, or a walk over every
        # value such as the card-number guard's): the client's doing, refused as such.
        log.warning("a request nested too deeply: %s", error)
        return problem_response(
            ValidationError("The body nests too deeply", code="too_deep").to_problem(), 422)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        # Formatted here so a card number in an exception's message is masked (pos.core.pan).
        log.error("unhandled error\n%s", mask_pans("".join(traceback.format_exception(error))))
        body = {"type": "https://errors.till.dev/internal_error", "title": "Internal error",
                "status": 500, "detail": "An unexpected error occurred", "code": "internal_error"}
        return problem_response(body, 500)
