"""The OpenAPI document, true by construction: problems, statuses and headers of each operation.

Every error is an RFC 9457 problem (``application/problem+json``, schema ``Problem``: a string
``code`` and extension members such as ``right``, ``due`` or ``errors``). Each operation
documents the statuses it can answer, derived from what the route is made of rather than
written route by route:

- a path id: 404 (an id that cannot exist never reaches the view either);
- a JSON body: 400 (malformed JSON), 413 and 422; a query: 422; a body or query naming ids: 404;
- a write (POST, PUT, PATCH, DELETE): 409 (a state conflict, an idempotent twin in flight)
  and 422 (what it asks cannot be done: deleting the root group);
- what the kernel's decorators declare through :func:`declare`: a guard 401 and 403, an
  ``Idempotency-Key`` (422 for a reused key), ``X-Till-Id``, the approval headers (403, 429).

There is no catch-all ``default`` response: a status an operation does not list is a defect,
and the API fuzz test (``tests/api/test_fuzz.py``) fails on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from copy import deepcopy
from http import HTTPStatus
from typing import Any, TypeVar

from flask_smorest import Api
from flask_smorest.utils import prepare_response, resolve_schema_instance
from marshmallow import INCLUDE, Schema, fields, validate

from pos.core.idempotency import MAX_KEY_LENGTH
from pos.core.schemas import MAX_ID, Id, Int

V = TypeVar("V")
PROBLEM_JSON = "application/problem+json"
WRITES = frozenset({"post", "put", "patch", "delete"})

HEADERS: dict[str, dict[str, Any]] = {
    "Idempotency-Key": {
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
        "description": "retry safely: a repeat gets the first response; the same key with "
                       "another body is 422 idempotency_key_reused, one still running 409"},
    "X-Till-Id": {
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "description": "the calling till: a receipt of another till is 409 wrong_till"},
    "X-Approval-Code": {
        "schema": {"type": "string", "maxLength": 200},
        "description": "a one-time code a manager issued (POST /auth/approvals), when the "
                       "action needs a right the user lacks (403 approval_required)"},
    "X-Manager-Credentials": {
        "schema": {"type": "string", "maxLength": 400},
        "description": "username:password or username:PIN of a manager present, instead "
                       "of an approval code"},
}


class ProblemSchema(Schema):
    """An RFC 9457 problem document; extension members depend on the ``code``."""

    class Meta:
        """Problems carry extension members (``right``, ``due``, ``retry_after``...)."""

        unknown = INCLUDE

    type = fields.String(metadata={"example": "https://errors.till.dev/shift_not_open"})
    title = fields.String()
    status = Int(400, 599)
    detail = fields.String()
    code = fields.String(metadata={"description": "stable machine-readable code"})
    errors = fields.Dict(metadata={"description": "messages per field (validation)"})
    missing_rights = fields.List(fields.String(), metadata={"description": "403 forbidden"})
    right = fields.String(metadata={"description": "the right an approval must grant"})
    action = fields.String(metadata={"description": "the action that needs approval"})
    retry_after = Int(0, metadata={"description": "seconds to wait (429)"})
    due = fields.String(metadata={"description": "amount still due, a decimal string"})
    expected_cash = fields.String(metadata={"description": "a decimal string"})
    cash_refund = fields.String(metadata={"description": "a decimal string"})


class PosApi(Api):
    """flask-smorest's Api, documenting every error as a problem and no catch-all response."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_responses(self) -> None:
        for status in HTTPStatus:
            if status >= 400:
                response = {"description": status.phrase, "schema": ProblemSchema}
                prepare_response(response, self.spec, PROBLEM_JSON)
                self.spec.components.response(status.name, response, lazy=True)


def declare(view: V, *, statuses: tuple[int, ...] = (), headers: tuple[str, ...] = ()) -> V:
    """Record on ``view`` statuses it may answer and request headers it reads."""
    doc = deepcopy(getattr(view, "_apidoc", {}))  # shared with the view it wraps otherwise
    extend(doc, statuses=statuses, headers=headers)
    view._apidoc = doc  # type: ignore[attr-defined]
    return view


def extend(doc_info: dict[str, Any], *, statuses: tuple[int, ...] = (),
           headers: tuple[str, ...] = ()) -> None:
    """Add statuses and headers to an operation's doc info."""
    pos = doc_info.setdefault("pos", {})
    pos["statuses"] = sorted(set(pos.get("statuses", [])) | set(statuses))
    known = pos.setdefault("headers", [])
    known.extend(name for name in headers if name not in known)


def document_operation(doc: dict[str, Any], doc_info: dict[str, Any], *, method: str,
                       **_: Any) -> dict[str, Any]:
    """Complete an operation's doc: its error statuses and the headers it reads.

    Runs last among a blueprint's doc callbacks, once the request body and parameters are in.
    """
    pos = doc_info.get("pos", {})
    parameters = doc.setdefault("parameters", [])
    for name in pos.get("headers", []):
        parameters.append({"in": "header", "name": name, "required": False, **HEADERS[name]})
    responses = doc.setdefault("responses", {})
    given = {int(code): code for code in responses if int(code) >= 400}
    for code in given.values():  # alt_response(409, schema="Problem"): becomes the component
        del responses[code]
    statuses = set(pos.get("statuses", [])) | _statuses_of(doc, method) | set(given)
    for status in sorted(statuses):
        responses[status] = HTTPStatus(status).name  # -> #/components/responses/NOT_FOUND
    if not parameters:
        del doc["parameters"]
    return doc


def _statuses_of(doc: dict[str, Any], method: str) -> set[int]:
    # A write may be refused by the state (409) or by what it asks of it (422 root_is_fixed).
    statuses = {409, 422} if method in WRITES else set()
    body = doc.get("requestBody", {}).get("content", {})
    queries = [p["schema"] for p in doc.get("parameters", [])
               if p.get("in") == "query" and "schema" in p]
    if body:
        statuses |= {400, 413, 422}
    if queries:
        statuses.add(422)
    schemas = [media["schema"] for media in body.values() if "schema" in media] + queries
    if any(_names_ids(schema) for schema in schemas):
        statuses.add(404)
    return statuses


def _names_ids(schema: Any) -> bool:
    if isinstance(schema, str | dict):
        return False
    return any(_is_id(field) for field in _fields(resolve_schema_instance(schema), set()))


def _fields(schema: Schema, seen: set[type]) -> Iterator[fields.Field]:
    if type(schema) in seen:
        return
    seen.add(type(schema))
    for field in schema.fields.values():
        while isinstance(field, fields.List):
            field = field.inner
        if isinstance(field, fields.Nested):
            yield from _fields(field.schema, seen)
        else:
            yield field


_ID_BOUNDS = next(v for v in Id().validators if isinstance(v, validate.Range))


def _is_id(field: fields.Field) -> bool:
    return isinstance(field, fields.Integer) and any(
        isinstance(v, validate.Range) and (v.min, v.max) == (_ID_BOUNDS.min, _ID_BOUNDS.max)
        for v in field.validators)
