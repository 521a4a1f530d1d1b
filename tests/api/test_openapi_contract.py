"""The OpenAPI document is valid and says what each operation really answers and reads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import g
from openapi_spec_validator import validate

from pos.app import BLUEPRINTS
from pos.core.schemas import StrictSchema
from pos.core.web import till_header, use_case

WRITES = {"post", "put", "patch", "delete"}
APPROVAL = {"X-Approval-Code", "X-Manager-Credentials"}
# The document and the views are the same whatever the database.
pytestmark = pytest.mark.one_database


@pytest.fixture
def spec(client) -> dict[str, Any]:
    """The served document."""
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


def _headers(operation: dict[str, Any]) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}


def _views(app) -> Iterator[tuple[str, str, Any]]:
    """Each (OpenAPI path, method, view function) the app routes to."""
    for rule in app.url_map.iter_rules():
        view_class = getattr(app.view_functions[rule.endpoint], "view_class", None)
        if view_class is None or not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted(view_class.methods or ()):
            yield path, method.lower(), getattr(view_class, method.lower())


def _decorated_by(view: Any, name: str) -> bool:
    """Tell whether the kernel decorator ``name`` wraps ``view`` (functools.wraps chain)."""
    while view is not None:
        code = view.__code__
        if code.co_filename.endswith("pos/core/web.py") and f"{name}.<locals>" in code.co_qualname:
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def test_the_document_is_valid_openapi(spec):
    validate(spec)


def test_every_error_is_a_problem_in_problem_json(spec):
    problem = spec["components"]["schemas"]["Problem"]
    assert problem["properties"]["code"]["type"] == "string"
    assert problem["additionalProperties"] is True
    assert "Error" not in spec["components"]["schemas"]
    for path, method, operation in _operations(spec):
        assert "default" not in operation["responses"], f"{method} {path}"
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            name = response["$ref"].rsplit("/", 1)[1]
            content = spec["components"]["responses"][name]["content"]
            assert list(content) == ["application/problem+json"], f"{method} {path} {status}"
            assert content["application/problem+json"]["schema"]["$ref"].endswith("/Problem")


def test_each_operation_documents_the_statuses_its_parts_can_answer(spec):
    for path, method, operation in _operations(spec):
        statuses, where = set(operation["responses"]), f"{method.upper()} {path}"
        if "{" in path:
            assert "404" in statuses, where
        if operation.get("security"):
            assert {"401", "403"} <= statuses, where
        if "requestBody" in operation:
            assert {"400", "422"} <= statuses, where
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "422" in statuses, where
        if method in WRITES:
            assert {"409", "422"} <= statuses, where
        if APPROVAL & _headers(operation):
            assert {"403", "429"} <= statuses, where
    assert "429" in spec["paths"]["/api/v1/auth/login"]["post"]["responses"]


def test_each_header_a_view_reads_is_documented_on_its_operation(app, spec):
    views = list(_views(app))
    assert len(views) == len(list(_operations(spec)))
    marks = {"idempotent": {"Idempotency-Key"}, "idempotent_in_transaction": {"Idempotency-Key"},
             "approvable": APPROVAL, "till_scoped": {"X-Till-Id"}}
    counted = dict.fromkeys(marks, 0)
    for path, method, view in views:
        headers = _headers(spec["paths"][path][method])
        for mark, names in marks.items():
            if _decorated_by(view, mark):
                counted[mark] += 1
                assert names <= headers, f"{method.upper()} {path} lacks {names - headers}"
            elif mark in ("approvable", "till_scoped"):
                assert not names & headers, f"{method.upper()} {path} documents {names}"
    assert counted["idempotent"] + counted["idempotent_in_transaction"] >= 15
    assert counted["approvable"] >= 13 and counted["till_scoped"] >= 9


def _argument_schemas() -> Iterator[tuple[str, Any]]:
    for blueprint in BLUEPRINTS:
        for endpoint, methods in blueprint._docs.items():
            for method, info in methods.items():
                if method == "parameters" or not info:
                    continue
                for parameter in info.get("arguments", {}).get("parameters", []):
                    yield f"{endpoint} {method}", parameter["schema"]


def test_every_argument_schema_is_strict_so_unknown_fields_and_nuls_are_refused():
    schemas = list(_argument_schemas())
    assert len(schemas) >= 40
    for where, schema in schemas:
        cls = schema if isinstance(schema, type) else type(schema)
        assert issubclass(cls, StrictSchema), f"{where}: {cls.__name__}"


class TestTillHeader:
    @pytest.mark.parametrize("value", ["abc", "²", "-1", "0", str(2**63), "9" * 40])
    def test_a_header_that_is_no_till_id_is_422(self, api, value):
        response = api.post("/api/v1/receipts/1/close", headers={"X-Till-Id": value})
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["code"] == "invalid_till_header"

    def test_a_view_reading_the_header_must_be_till_scoped(self, app):
        with app.test_request_context("/", headers={"X-Till-Id": "1"}):
            with pytest.raises(RuntimeError, match="till_scoped"):
                till_header()

    def test_approval_headers_on_a_route_not_approvable_fail_loudly_in_tests(self, app):
        with app.test_request_context("/", headers={"X-Approval-Code": "123456"}):
            g.principal = object()
            with pytest.raises(RuntimeError, match="approvable"):
                use_case()
