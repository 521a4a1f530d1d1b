"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis 4).

Every operation of ``/api/openapi.json`` is called through the Flask app (WSGI, no network)
with generated requests, valid ones and invalid ones, as a manager and as a cashier of the
seeded shop, on each database of the run. A response fails the run when it is a 5xx, has a
status the operation does not document, or a content type or body that does not match what
is documented. Examples per operation are few and derandomized: the run is stable and quick.

Schemathesis' own pytest integration (``from_fixture``) does not run under pytest 9.2, so the
operations are driven here with its Python API: one Hypothesis test per operation and mode.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers import CHANNEL_POLL_S, ApiClient, issue_card

# Requests per operation, role and database: a few of each kind keep the run to a minute or
# so on two cores; raise them to fuzz harder by hand (80 and 60 found nothing more).
EXAMPLES = {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 3}
KNOWN_ID_EXAMPLES = 4  # again with the ids of things that exist, to get past the 404s
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Signing out would revoke the token the rest of the run signs with.
SKIPPED = {"POST /api/v1/auth/logout"}


@dataclass
class Tally:
    """What a run did: operations, requests sent, and the failures found."""

    operations: int = 0
    examples: int = 0
    failures: dict[str, str] = field(default_factory=dict)  # one per operation and kind
    statuses: dict[int, int] = field(default_factory=dict)


def _fuzz(app: Any, operation: Any, mode: GenerationMode, headers: dict[str, str],
          tally: Tally, known: dict[str, Any] | None = None) -> None:
    pass_name = f"{mode.value}{' known ids' if known else ''}"
    for case in _drawn(operation, mode, known):
        tally.examples += 1
        try:
            response = case.call_and_validate(headers=headers, checks=CHECKS, app=app)
            tally.statuses[response.status_code] = tally.statuses.get(response.status_code, 0) + 1
        except (AssertionError, BaseExceptionGroup) as failure:  # the checks that failed
            kind = f"{operation.label} [{pass_name}] {type(failure).__name__}"
            tally.failures.setdefault(kind, f"{failure}\n{case.as_curl_command()}")


# Derandomized, every run draws the same requests for an operation: they are drawn once per
# test worker and sent again on the other database and as the other role (drawing them was
# half of a run). scripts/test.sh runs the three on one worker (tests/worker_groups.py).
_DRAWN: dict[tuple[Any, ...], list[Any]] = {}


def _drawn(operation: Any, mode: GenerationMode, known: dict[str, Any] | None) -> list[Any]:
    """Return the operation's generated requests of this kind, drawn on first use."""
    key = (operation.label, mode, tuple(sorted((known or {}).items())))
    if key not in _DRAWN:
        cases: list[Any] = []

        @settings(max_examples=KNOWN_ID_EXAMPLES if known else EXAMPLES[mode], deadline=None,
                  derandomize=True, database=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=known))
        def draw(case: Any) -> None:
            cases.append(case)

        draw()
        _DRAWN[key] = cases
    return _DRAWN[key]


def _known_ids(api: ApiClient, shop: Any) -> dict[str, Any]:
    """Open a shift and a receipt with lines and a payment, add a discount: their ids."""
    manager = api.as_("manager")

    def made(response: Any) -> Any:
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()

    shift = made(api.post("/api/v1/shifts", json={"till_id": shop.till_id,
                                                  "opening_float": "500.00"}))
    receipt = made(api.post("/api/v1/receipts", json={"till_id": shop.till_id}))
    for line in ({"sku": "OAT-MILK-1L", "quantity": "2"}, {"sku": "APPLE-KG", "quantity": 0.5,
                                                          "weight_source": "scale"}):
        made(api.post(f"/api/v1/receipts/{receipt['id']}/lines", json=line))
    made(api.post(f"/api/v1/receipts/{receipt['id']}/payments", json={
        "type": "card", "amount": "10.00", "card_brand": "VISA", "card_last4": "4242",
        "terminal_ref": "T-1"}))
    group = made(manager.post("/api/v1/discount-groups", json={"name": "Fuzz", "rule": "sum"}))
    discount = made(manager.post("/api/v1/discounts", json={
        "name": "Five off", "group_id": group["id"],
        "benefit": {"type": "percent_off", "percent": "5"}}))
    kind = made(manager.post("/api/v1/gift-certificate-types", json={
        "code": "GC-FUZZ", "name": "Fuzz", "sku": "MILK-1L", "face_value": "100.00"}))
    batch = made(manager.post("/api/v1/gift-certificate-batches", json={
        "type_id": kind["id"], "count": 2}))
    code = made(manager.get(f"/api/v1/gift-certificate-batches/{batch['id']}/codes"))[0]["code"]
    # Till 1's devices serve the device routes; this one (another till's) may be deleted.
    device = made(manager.post(f"/api/v1/tills/{shop.other_till_id}/devices", json={
        "kind": "printer", "protocol": "fake", "url": "fuzz"}))
    return {"shift_id": shift["id"], "receipt_id": receipt["id"], "line_no": 1, "seq": 1,
            "item_id": shop.items["MILK-1L"], "store_id": shop.store_id,
            "till_id": shop.till_id, "discount_id": discount["id"], "group_id": group["id"],
            "username": "cashier", "number": issue_card(api),
            "batch_id": batch["id"], "code": code, "device_id": device["id"],
            **_known_rebate_ids(manager, made)}


def _known_rebate_ids(manager: ApiClient, made: Any) -> dict[str, Any]:
    """A wholesale customer, an approved fund and an agreement drawing on it: their ids."""
    customer = made(manager.post("/api/v1/customers", json={
        "code": "FUZZ", "legal_name": "Fuzz Wholesale", "credit_limit": "100.00"}))
    fund = made(manager.post("/api/v1/rebates/funds", json={
        "name": "Fuzz fund", "amount": "100.00", "valid_from": "2026-01-01",
        "valid_to": "2026-12-31"}))
    made(manager.post(f"/api/v1/rebates/funds/{fund['id']}/approve"))
    agreement = made(manager.post("/api/v1/rebates/agreements", json={
        "name": "Fuzz", "customer_id": customer["id"], "period_type": "quarter",
        "valid_from": "2026-01-01", "valid_to": "2026-12-31",
        "tiers": [{"from": "10.00", "rate": "3"}], "funds": [{"fund_id": fund["id"],
                                                              "share": "50"}]}))
    return {"customer_id": customer["id"], "agreement_id": agreement["id"],
            "fund_id": fund["id"], "claim_id": 1, "allowance_id": 1, "report": "claims"}


@pytest.fixture
def fake_devices(app, db, shop, fixed_clock) -> Iterator[None]:
    """Till 1's fake registrar, printer and scale (1 kg on it), owned by a device service."""
    from pos.hardware.daemon import DeviceService
    from pos.hardware.service import add_device

    for kind in ("fiscal", "printer", "scale"):
        add_device(db, shop.till_id, {"kind": kind, "protocol": "fake", "url": "fake"},
                   fixed_clock.now())
    service = DeviceService(db, fixed_clock.now, address="127.0.0.1:0",
                            channel_poll_s=CHANNEL_POLL_S).start(outbox=False)
    service.port(shop.till_id, "scale").call(lambda scale: scale.place(Decimal("1.000")), 30)
    app.extensions["pos.settings"] = dataclasses.replace(app.extensions["pos.settings"],
                                                         device_service=service.address)
    yield
    service.stop()


# Every operation is fuzzed on each database as the manager, who gets past the scope checks
# to the queries. The cashier's run finds what a refusal answers, the same on any database,
# so it runs on one (a quarter of the fuzz's time).
@pytest.mark.parametrize("role", ["manager", pytest.param("cashier",
                                                          marks=pytest.mark.one_database)])
def test_no_request_gets_a_server_error_or_an_undocumented_answer(app, client, shop, role,
                                                                  fake_devices):
    api = ApiClient(client).as_(role)
    known = _known_ids(api, shop)
    headers = {"Authorization": f"Bearer {api.token(role)}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    tally = Tally()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in SKIPPED:
            continue
        tally.operations += 1
        for mode in EXAMPLES:
            _fuzz(app, operation, mode, headers, tally)
        names = set(re.findall(r"{(\w+)}", operation.path))
        if names:  # again on things that exist, to reach past the 404s
            _fuzz(app, operation, GenerationMode.POSITIVE, headers, tally,
                  {name: known[name] for name in names})
    print(f"fuzz {role}: {tally.operations} operations, {tally.examples} requests, "
          f"{len(tally.failures)} failures", sorted(tally.statuses.items()))
    assert tally.operations >= 60 and tally.examples >= 6 * tally.operations
    assert not tally.failures, "\n\n".join(f"{k}\n{v}" for k, v in tally.failures.items())
