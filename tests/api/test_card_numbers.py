"""No card number is ever stored or logged, whatever string of a request carries it."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from pos.models import metadata
from tests.helpers import Till

PAN = "4111111111111111"
STYLES = ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111",
          "4111.1111.1111.1111", "4111/1111/1111/1111"]
# The headers the service stores or acts on (pos.core.pan_guard.CHECKED_HEADERS).
CHECKED_HEADERS = ("Idempotency-Key", "X-Till-Id", "X-Approval-Code", "X-Manager-Credentials")
LUHN_EAN = "4600000000060"  # a valid EAN-13 that passes the Luhn check as well
_SEPARATORS = re.compile(r"[\s./-]")
# A number is refused before any view runs, whatever the database behind it.
pytestmark = pytest.mark.one_database


def holds_the_pan(text: str) -> bool:
    """Tell whether a text holds the planted number, whatever its separators."""
    return PAN in _SEPARATORS.sub("", text)


def stored_values(db) -> Iterator[tuple[str, str]]:
    """Yield (table.column, text) for every value of every row of every table."""
    with db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for column, value in zip(table.columns, row, strict=True):
                    yield f"{table.name}.{column.name}", str(value)


def assert_stored_and_logged_nowhere(db, caplog) -> None:
    """Fail naming the column or the log line that holds the planted number."""
    leaks = [where for where, text in stored_values(db) if holds_the_pan(text)]
    assert leaks == []
    logged = [record.getMessage() for record in caplog.records
              if holds_the_pan(record.getMessage())]
    assert logged == []
    assert not holds_the_pan(caplog.text)


def assert_refused(response, field: str) -> None:
    """Assert a 422 card_number_rejected naming ``field`` without echoing the number."""
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["code"] == "card_number_rejected"
    assert list(body["errors"]) == [field]
    assert not holds_the_pan(response.get_data(as_text=True))


@pytest.fixture
def logs(caplog):
    """Every log record of the test, at every level."""
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def till(api, shop) -> Till:
    """Till 1 with an open shift and an open receipt holding one line."""
    driver = Till(api, shop)
    driver.open_shift()
    driver.open_receipt()
    driver.sell("MILK-1L")
    return driver


# --- the requests a till really sends, each carrying a card number somewhere ---------------

def _card(till: Till, **fields: Any) -> Any:
    body = {"card_brand": "VISA", "card_last4": "1111", "terminal_ref": "T-1", **fields}
    return till.pay("card", "89.90", **body)


def nested_payment_details(till: Till, pan: str) -> tuple[Any, str]:
    return _card(till, details={"slip": {"note": pan}}), "details/slip/note"


def payment_details_list(till: Till, pan: str) -> tuple[Any, str]:
    return _card(till, details={"refs": ["A-1", pan]}), "details/refs/1"


def terminal_ref(till: Till, pan: str) -> tuple[Any, str]:
    return _card(till, terminal_ref=pan), "terminal_ref"


def one_shot_payment_details(till: Till, pan: str) -> tuple[Any, str]:
    response = till.checkout([{"sku": "MILK-1L"}], [
        {"type": "card", "amount": "89.90", "card_brand": "VISA", "card_last4": "1111",
         "details": {"note": pan}}])
    return response, "payments/0/details/note"


def one_shot_card_code(till: Till, pan: str) -> tuple[Any, str]:
    response = till.checkout([{"sku": "MILK-1L"}], [{"type": "cash", "amount": "100.00"}],
                             card_code=pan)
    return response, "card_code"


def one_shot_customer_ref(till: Till, pan: str) -> tuple[Any, str]:
    response = till.checkout([{"sku": "MILK-1L"}], [{"type": "cash", "amount": "100.00"}],
                             customer_ref=f"customer {pan}")
    return response, "customer_ref"


def cash_in_reason(till: Till, pan: str) -> tuple[Any, str]:
    assert till.shift is not None
    return till.api.post(f"/api/v1/shifts/{till.shift['id']}/cash-in",
                         json={"amount": "10.00", "reason": f"card {pan} left"}), "reason"


def manual_discount_reason(till: Till, pan: str) -> tuple[Any, str]:
    assert till.receipt is not None
    return till.api.as_("manager").post(
        f"/api/v1/receipts/{till.receipt['id']}/manual-discounts",
        json={"amount": "1.00", "reason": f"paid with {pan}"}), "reason"


def idempotency_key(till: Till, pan: str) -> tuple[Any, str]:
    assert till.receipt is not None
    return till.api.post(f"/api/v1/receipts/{till.receipt['id']}/lines", json={"sku": "MILK-1L"},
                         headers={"Idempotency-Key": pan}), "Idempotency-Key"


def login_user_name(till: Till, pan: str) -> tuple[Any, str]:
    return till.api.client.post("/api/v1/auth/login", json={
        "username": pan, "password": "whatever-it-is"}), "username"


REAL_REQUESTS = [nested_payment_details, payment_details_list, terminal_ref,
                 one_shot_payment_details, one_shot_card_code, one_shot_customer_ref,
                 cash_in_reason, manual_discount_reason, idempotency_key, login_user_name]


class TestRealRequests:
    @pytest.mark.parametrize("style", STYLES)
    @pytest.mark.parametrize("send", REAL_REQUESTS, ids=lambda f: f.__name__)
    def test_a_card_number_anywhere_is_refused_and_stored_nowhere(self, till, db, logs, send,
                                                                  style):
        response, field = send(till, style)
        assert_refused(response, field)
        assert_stored_and_logged_nowhere(db, logs)


# --- every string of the OpenAPI document -------------------------------------------------

Path = tuple[str | int, ...]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def string_fields(spec: dict[str, Any], schema: dict[str, Any], path: Path = ()
                  ) -> Iterator[Path]:
    """Yield the path of every string a body of ``schema`` may carry (free dicts: nested)."""
    schema = _resolve(spec, schema)
    if schema.get("readOnly"):
        return
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        for name, sub in schema.get("properties", {}).items():
            yield from string_fields(spec, sub, (*path, name))
        if schema.get("additionalProperties") not in (None, False):
            yield (*path, "note")
            yield (*path, "slip", "refs", 0)
    elif kind == "array":
        yield from string_fields(spec, schema.get("items", {}), (*path, 0))
    elif kind in (None, "string"):
        yield path


def planted(path: Path, value: str) -> Any:
    """Return a body holding ``value`` at ``path`` and nothing else."""
    if not path:
        return value
    inner = planted(path[1:], value)
    return [inner] if isinstance(path[0], int) else {path[0]: inner}


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (method, path with ids filled in, operation) of every documented operation."""
    for route, ops in spec["paths"].items():
        url = re.sub(r"\{\w+\}", "1", route.replace("{username}", "cashier"))
        for method, op in ops.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method, url, op


@pytest.fixture
def spec(client) -> dict[str, Any]:
    """The OpenAPI document."""
    return client.get("/api/openapi.json").get_json()


class TestEveryDocumentedString:
    def test_every_field_of_every_body_is_checked_by_name(self, api, spec, db, logs):
        admin, checked = api.as_("admin"), 0
        for method, url, op in operations(spec):
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            for path in string_fields(spec, body["schema"]) if body else ():
                for style in STYLES:
                    response = getattr(admin, method)(url, json=planted(path, style))
                    assert_refused(response, "/".join(map(str, path)))
                    checked += 1
        assert checked > 500
        assert_stored_and_logged_nowhere(db, logs)

    def test_every_query_parameter_is_checked(self, api, spec, db, logs):
        admin, checked = api.as_("admin"), 0
        for _method, url, op in operations(spec):
            for param in op.get("parameters", []):
                if param["in"] == "query" and param["schema"].get("type") in (None, "string"):
                    for style in STYLES:
                        assert_refused(admin.get(url, query_string={param["name"]: style}),
                                       param["name"])
                        checked += 1
        assert checked > 40
        assert_stored_and_logged_nowhere(db, logs)

    @pytest.mark.parametrize("header", CHECKED_HEADERS)
    def test_the_headers_the_service_reads_are_checked(self, till, db, logs, header):
        assert till.receipt is not None
        for style in STYLES:
            response = till.api.post(f"/api/v1/receipts/{till.receipt['id']}/lines",
                                     json={"sku": "MILK-1L"}, headers={header: style})
            assert_refused(response, header)
        assert_stored_and_logged_nowhere(db, logs)

    def test_a_path_parameter_is_checked(self, api, db, logs):
        response = api.as_("admin").put(f"/api/v1/users/{PAN}/password",
                                        json={"password": "long-enough-1"})
        assert_refused(response, "username")
        assert_stored_and_logged_nowhere(db, logs)

    def test_a_key_holding_a_card_number_is_refused_without_echoing_it(self, till):
        response = till.pay("card", "89.90", card_brand="VISA", details={PAN: "x"})
        assert_refused(response, "details")

    def test_escaped_json_cannot_hide_a_card_number(self, till):
        assert till.receipt is not None
        raw = '{"type": "card", "amount": "89.90", "details": {"note": "\\u0034111\\/1111' \
              '\\/1111\\/1111"}}'
        response = till.api.post(f"/api/v1/receipts/{till.receipt['id']}/payments", data=raw,
                                 content_type="application/json")
        assert_refused(response, "details/note")


# --- digit runs that are not card numbers ----------------------------------------------------

class TestCodesThatAreDigitRuns:
    def test_an_ean13_that_passes_luhn_is_created_scanned_searched_and_sold(self, api, till,
                                                                            shop):
        manager = api.as_("manager")
        created = manager.post("/api/v1/items", json={
            "sku": LUHN_EAN, "name": "Kefir", "vat_rate": "vat10", "barcodes": [
                {"code": LUHN_EAN}]})
        assert created.status_code == 201, created.get_json()
        manager.post(f"/api/v1/items/{created.get_json()['id']}/prices", json={
            "store_id": shop.store_id, "price_type": "retail", "price": "55.00",
            "valid_from": "2026-01-01"})
        found = api.get(f"/api/v1/catalog/lookup?code={LUHN_EAN}&store_id={shop.store_id}")
        assert found.status_code == 200, found.get_json()
        assert api.get(f"/api/v1/items?q={LUHN_EAN}").get_json()["items"][0]["sku"] == LUHN_EAN
        receipt = till.sell(code=LUHN_EAN)
        assert receipt["lines"][-1]["sku"] == LUHN_EAN

    def test_digit_heavy_uuids_are_not_card_numbers(self, till):
        client_uuid = "41111111-1111-4111-8111-111111111111"
        response = till.checkout([{"sku": "MILK-1L"}], [{"type": "cash", "amount": "100.00"}],
                                 client_uuid=client_uuid)
        assert response.status_code == 201, response.get_json()
        assert till.receipt is not None
        keyed = till.api.post(f"/api/v1/receipts/{till.receipt['id']}/lines",
                              json={"sku": "MILK-1L"},
                              headers={"Idempotency-Key": "40000000-0000-4000-8000-000000000006"})
        assert keyed.status_code == 201, keyed.get_json()

    def test_a_card_number_is_refused_even_in_a_code_field(self, till):
        assert_refused(till.sell_response(code=PAN), "code")
