"""Every route x role x own till / another cashier's till / another store.

Out of scope is 404 (the thing's ``*_not_found`` code), in scope succeeds, and a role without
the route's right gets 403. The routes come from the app's URL map: one that is neither in
:data:`ROUTES` (store-bound, with how to call it) nor in :data:`GLOBAL` (with why it is not)
fails :func:`test_every_route_is_in_the_matrix`, so a new route is covered by construction.

The three places (``own``, ``other_till``, ``other_store``) are :class:`World`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from tests.api.matrix_world import World
from tests.helpers import OAT_MILK_EAN, ApiClient, issue_card

ROLES = ("cashier", "manager", "admin")
TARGETS = ("own", "other_till", "other_store")
ALL, MANAGERS, ADMINS = frozenset(ROLES), frozenset({"manager", "admin"}), frozenset({"admin"})
OK, NOT_FOUND, FORBIDDEN = "2xx", "404", "403"
TILL, STORE = "till", "store"  # what a route is bound to
MILK = [{"sku": "MILK-1L"}]

Call = Callable[[World, ApiClient, str], Any]
Rows = Callable[[World, Any], set[int]]


@dataclass(frozen=True)
class Route:
    """How to call a store-bound route at a target, and who may call it at all.

    ``rows`` marks a list: it answers 200 and shows the target's rows (their till or store
    ids) exactly when the target is in scope. ``cashier_own`` is what the cashier gets at her
    own till when the action needs a manager there too.
    """

    bound_to: str
    roles: frozenset[str]
    call: Call
    rows: Rows | None = None
    cashier_own: str = OK

    def expect(self, role: str, target: str) -> str:
        """Return what ``role`` acting at ``target`` should get."""
        if role not in self.roles:
            return FORBIDDEN
        if role == "admin":
            return OK
        if target == "other_store":
            return NOT_FOUND
        if role == "cashier" and target == "own":
            return self.cashier_own
        if role == "cashier" and self.bound_to == TILL:
            return NOT_FOUND
        return OK

    def key(self, world: World, target: str) -> int:
        """Return the id a list shows for the target: its till, or its store."""
        return world.till(target) if self.bound_to == TILL else world.store(target)


def _shift_route(suffix: str, method: str = "post", body: Any = None, **kw: Any) -> Route:
    def call(w: World, c: ApiClient, t: str) -> Any:
        path = f"/api/v1/shifts/{w.shift(t)}{suffix}"
        return c.get(path) if method == "get" else c.post(path, json=body)

    return Route(TILL, ALL, call, **kw)


def _receipt_route(suffix: str, method: str = "post", body: Any = None, roles: frozenset[str] = ALL,
                   **make: Any) -> Route:
    def call(w: World, c: ApiClient, t: str) -> Any:
        path = f"/api/v1/receipts/{w.receipt(t, **make)}{suffix}"
        if method == "get":
            return c.get(path)
        return c.delete(path) if method == "delete" else getattr(c, method)(path, json=body)

    return Route(TILL, roles, call)


def _open_shift(w: World, c: ApiClient, t: str) -> Any:
    w.free_till(t)
    return c.post("/api/v1/shifts", json={"till_id": w.till(t), "opening_float": "100.00"})


def _list(path: str) -> Call:
    def call(w: World, c: ApiClient, t: str) -> Any:
        w.shift(t)
        return c.get(path.format(till=w.till(t)))

    return call


def _ids(field: str, rows_key: str | None = "items") -> Rows:
    def rows(w: World, body: Any) -> set[int]:
        return {row[field] for row in (body[rows_key] if rows_key else body)}

    return rows


def _card_route(suffix: str, method: str) -> Route:
    # A card is attached (by the admin, who may touch any receipt) before it is read or removed.
    def call(w: World, c: ApiClient, t: str) -> Any:
        receipt = w.receipt(t, lines=1)
        path = f"/api/v1/receipts/{receipt}"
        number = issue_card(w.api)
        if method == "put":
            return c.put(f"{path}/card", json={"card_code": number})
        attached = w.api.as_("admin").put(f"{path}/card", json={"card_code": number})
        assert attached.status_code == 200, attached.get_json()
        return c.delete(f"{path}/card") if method == "delete" else c.get(f"{path}{suffix}")

    return Route(TILL, ALL, call)


def _certificate_payout(w: World, c: ApiClient, t: str) -> Any:
    # A 50.00 certificate of a type paying out remainders below 100.00, sold at the target.
    from loyalty.gift_certificates import service as gift_service
    from loyalty.gift_certificates.model import CertificateType
    from tests.gift_helpers import GIFT_SKU, add_certificate_item, sell

    with w.db.read() as session:
        known = session.scalar(select(CertificateType.id).where(CertificateType.code == "GC-50"))
    if known is None:
        add_certificate_item(w.db, w.now)
        gift_service.create_type(w.ctx("admin"), gift_service.NewType(
            "GC-50", "Fifty", GIFT_SKU, face_value_minor=5000, cash_out_below_minor=10000))
    shift = w.shift(t)
    _, code = sell(w.ctx(w.places[t][2]), w.till(t), "GC-50", 5000)
    return c.post(f"/api/v1/shifts/{shift}/gift-certificate-payouts", json={"code": code})


def _customer_route(method: str) -> Route:
    # A wholesale customer is registered (and attached by the admin) before it is removed.
    def call(w: World, c: ApiClient, t: str) -> Any:
        path = f"/api/v1/receipts/{w.receipt(t)}/customer"
        admin = w.api.as_("admin")
        if admin.get("/api/v1/customers").get_json() == []:
            made = admin.post("/api/v1/customers", json={"code": "ACME", "legal_name": "ACME"})
            assert made.status_code == 201, made.get_json()
        if method == "put":
            return c.put(path, json={"code": "ACME"})
        attached = admin.put(path, json={"code": "ACME"})
        assert attached.status_code == 200, attached.get_json()
        return c.delete(path)

    return Route(TILL, ALL, call)


ROUTES: dict[str, Route] = {
    # Shifts
    "POST /api/v1/shifts": Route(TILL, ALL, _open_shift),
    "GET /api/v1/shifts": Route(TILL, MANAGERS, _list("/api/v1/shifts?till={till}"),
                                rows=_ids("till_id")),
    "GET /api/v1/shifts/<int:shift_id>": _shift_route("", "get"),
    "POST /api/v1/shifts/<int:shift_id>/cash-in": _shift_route(
        "/cash-in", body={"amount": "1.00", "reason": "change"}),
    "POST /api/v1/shifts/<int:shift_id>/cash-out": _shift_route(
        "/cash-out", body={"amount": "1.00", "reason": "safe"}, cashier_own=FORBIDDEN),
    "GET /api/v1/shifts/<int:shift_id>/x-report": _shift_route("/x-report", "get"),
    "POST /api/v1/shifts/<int:shift_id>/gift-certificate-payouts": Route(
        TILL, ALL, _certificate_payout),
    "POST /api/v1/shifts/<int:shift_id>/close": _shift_route(
        "/close", body={"counted_cash": "100.00"}),
    # Receipts and returns
    "POST /api/v1/receipts": Route(TILL, ALL, lambda w, c, t: (
        w.shift(t), c.post("/api/v1/receipts", json={"till_id": w.till(t)}))[1]),
    "GET /api/v1/receipts": Route(TILL, ALL, lambda w, c, t: (
        w.receipt(t), c.get(f"/api/v1/receipts?till={w.till(t)}"))[1], rows=_ids("till_id")),
    "POST /api/v1/receipts/quote": Route(STORE, ALL, lambda w, c, t: c.post(
        "/api/v1/receipts/quote", json={"till_id": w.till(t), "lines": MILK})),
    "GET /api/v1/receipts/<int:receipt_id>": _receipt_route("", "get"),
    "POST /api/v1/receipts/<int:receipt_id>/lines": _receipt_route("/lines", body=MILK[0]),
    "PATCH /api/v1/receipts/<int:receipt_id>/lines/<int:line_no>": _receipt_route(
        "/lines/1", "patch", {"quantity": "2"}, lines=1),
    "DELETE /api/v1/receipts/<int:receipt_id>/lines/<int:line_no>": _receipt_route(
        "/lines/1", "delete", lines=1),
    "POST /api/v1/receipts/<int:receipt_id>/payments": _receipt_route(
        "/payments", body={"type": "cash", "amount": "100.00"}, lines=1),
    "DELETE /api/v1/receipts/<int:receipt_id>/payments/<int:seq>": _receipt_route(
        "/payments/1", "delete", lines=1, paid=True),
    "POST /api/v1/receipts/<int:receipt_id>/close": _receipt_route("/close", lines=1, paid=True),
    "POST /api/v1/receipts/<int:receipt_id>/void": _receipt_route("/void"),
    "POST /api/v1/receipts/<int:receipt_id>/manual-discounts": _receipt_route(
        "/manual-discounts", body={"percent": "1", "line_no": 1}, lines=1),
    "DELETE /api/v1/receipts/<int:receipt_id>/manual-discounts/<int:discount_id>":
        _receipt_route("/manual-discounts/1", "delete", lines=1, discounted=True),
    "GET /api/v1/receipts/<int:receipt_id>/card": _card_route("/card", "get"),
    "PUT /api/v1/receipts/<int:receipt_id>/card": _card_route("/card", "put"),
    "DELETE /api/v1/receipts/<int:receipt_id>/card": _card_route("/card", "delete"),
    "PUT /api/v1/receipts/<int:receipt_id>/customer": _customer_route("put"),
    "DELETE /api/v1/receipts/<int:receipt_id>/customer": _customer_route("delete"),
    "GET /api/v1/receipts/<int:receipt_id>/points-payable": _card_route("/points-payable",
                                                                        "get"),
    "GET /api/v1/receipts/<int:receipt_id>/discounts": _receipt_route(
        "/discounts", "get", lines=1),
    "POST /api/v1/returns": Route(TILL, ALL, lambda w, c, t: c.post("/api/v1/returns", json={
        "till_id": w.till(t), "original_receipt_id": w.sale(t),
        "lines": [{"line_no": 1, "quantity": "1"}]})),
    "POST /api/v1/discounts/simulate": Route(TILL, MANAGERS, lambda w, c, t: c.post(
        "/api/v1/discounts/simulate", json={"receipt_id": w.receipt(t, lines=1),
                                            "draft": {"discounts": [], "deactivate": []}})),
    # Stores, tills, prices, lookups
    "GET /api/v1/stores": Route(STORE, ALL, lambda w, c, t: c.get("/api/v1/stores"),
                                rows=_ids("id", None)),
    "PATCH /api/v1/stores/<int:store_id>": Route(STORE, ADMINS, lambda w, c, t: c.patch(
        f"/api/v1/stores/{w.store(t)}", json={"address": "1 Scope Street"})),
    "POST /api/v1/stores/<int:store_id>/tills": Route(STORE, ADMINS, lambda w, c, t: c.post(
        f"/api/v1/stores/{w.store(t)}/tills", json={"number": next(w.numbers)})),
    "PATCH /api/v1/tills/<int:till_id>": Route(STORE, ADMINS, lambda w, c, t: c.patch(
        f"/api/v1/tills/{w.till(t)}", json={"name": "Renamed"})),
    "POST /api/v1/items/<int:item_id>/prices": Route(STORE, MANAGERS, lambda w, c, t: c.post(
        f"/api/v1/items/{w.item_id}/prices", json={
            "store_id": w.store(t), "price_type": "retail", "price": "95.00",
            "valid_from": "2026-12-01"})),
    "GET /api/v1/catalog/lookup": Route(STORE, ALL, lambda w, c, t: c.get(
        f"/api/v1/catalog/lookup?code={OAT_MILK_EAN}&store_id={w.store(t)}")),
    # Reports
    "GET /api/v1/fiscal/outbox": Route(TILL, MANAGERS, _list(
        "/api/v1/fiscal/outbox?till_id={till}"), rows=_ids("till_id")),
    "GET /api/v1/journal/verify": Route(STORE, MANAGERS, lambda w, c, t: c.get(
        f"/api/v1/journal/verify?till_id={w.till(t)}")),
    "GET /api/v1/audit": Route(STORE, MANAGERS, lambda w, c, t: c.get(
        "/api/v1/audit?action=matrix"), rows=_ids("store_id")),
    # Devices and fiscalisation
    "GET /api/v1/tills/<int:till_id>/devices": Route(TILL, MANAGERS, lambda w, c, t: c.get(
        f"/api/v1/tills/{w.till(t)}/devices")),
    "POST /api/v1/tills/<int:till_id>/devices": Route(TILL, MANAGERS, lambda w, c, t: c.post(
        f"/api/v1/tills/{w.till(t)}/devices", json={
            "kind": "scale", "protocol": "fake", "url": f"fake-{next(w.numbers)}"})
        if not _detach(w, t) else None),
    "PATCH /api/v1/devices/<int:device_id>": Route(TILL, MANAGERS, lambda w, c, t: c.patch(
        f"/api/v1/devices/{w.device(t)}", json={"retries": 1})),
    "DELETE /api/v1/devices/<int:device_id>": Route(TILL, MANAGERS, lambda w, c, t: c.delete(
        f"/api/v1/devices/{w.device(t)}")),
    "GET /api/v1/tills/<int:till_id>/scale/weight": Route(TILL, ALL, lambda w, c, t: c.get(
        f"/api/v1/tills/{w.devices(t)}/scale/weight")),
    "POST /api/v1/tills/<int:till_id>/printer/slip": Route(TILL, ALL, lambda w, c, t: c.post(
        f"/api/v1/tills/{w.devices(t)}/printer/slip", json={"title": "Tag", "lines": ["x"]})),
    "POST /api/v1/receipts/<int:receipt_id>/copy": Route(TILL, ALL, lambda w, c, t: (
        w.devices(t), c.post(f"/api/v1/receipts/{w.sale(t)}/copy"))[1]),
    "POST /api/v1/shifts/<int:shift_id>/x-report/print": Route(TILL, ALL, lambda w, c, t: (
        w.devices(t), c.post(f"/api/v1/shifts/{w.shift(t)}/x-report/print"))[1]),
    "POST /api/v1/fiscal/corrections": Route(TILL, MANAGERS, lambda w, c, t: (
        w.shift(t), c.post("/api/v1/fiscal/corrections", json={
            "till_id": w.till(t), "operation": "sale", "amount": "1.00", "cash": "1.00",
            "reason": "matrix"}))[1]),
    "GET /api/v1/fiscal/queue": Route(TILL, MANAGERS, _list(
        "/api/v1/fiscal/queue?till_id={till}"), rows=_ids("till_id")),
    "GET /api/v1/fiscal/shifts/<int:shift_id>": Route(TILL, MANAGERS, lambda w, c, t: c.get(
        f"/api/v1/fiscal/shifts/{w.device_shift(t)}")),
}


def _detach(w: World, t: str) -> None:
    """Take the target till's scale off, so the next attach succeeds."""
    from sqlalchemy import delete

    from pos.hardware.model import TillDevice

    with w.db.transaction() as session:
        session.execute(delete(TillDevice).where(TillDevice.till_id == w.till(t),
                                                 TillDevice.kind == "scale"))

# Routes bound to no store, and why.
_USERS = "signing in and user administration: about people, not a store"
_CATALOG = "the catalog is global: items, groups, segments and price types (prices are not)"
_DISCOUNTS = "discount rules are global; a discount names the stores it applies in"
_WHOLESALE = "wholesale customers, their agreements, claims and funds belong to the chain"
_PARTNER = "a partner sees its own customer's agreements (tests/api/test_rebates.py)"
_PARTNER_ALLOWANCES = "a partner sees its own customer's allowances (tests/api/test_rebates.py)"
_LOYALTY = "loyalty cards and their types are chain-wide: a card is used in every store"
_HOLDERS = "a card holder's own cards, by the holder's own token (tests/loyalty/test_holders.py)"
_GIFTS = "a certificate is sold in one store and spent in any: types, batches, codes are global"
_GIFTS_SOLD = ("a sale's codes are shown to its cashier and the store's managers only, anyone "
               "else gets an empty list (tests/api/test_gift_certificates.py)")
_GIFTS_LIABILITY = ("rows of the caller's stores only, whatever store_id asks "
                    "(tests/api/test_gift_certificates.py)")
GLOBAL: dict[str, str] = {
    "POST /api/v1/auth/login": _USERS, "POST /api/v1/auth/logout": _USERS,
    "GET /api/v1/auth/me": _USERS, "POST /api/v1/auth/approvals": _USERS,
    "GET /api/v1/users": _USERS, "POST /api/v1/users": _USERS,
    "PUT /api/v1/users/<string:username>/password": _USERS,
    "PUT /api/v1/users/<string:username>/stores": _USERS,
    "POST /api/v1/stores": "creating a store (admins only, who see every store)",
    "GET /api/v1/items": _CATALOG, "POST /api/v1/items": _CATALOG,
    "GET /api/v1/items/<int:item_id>": _CATALOG, "PATCH /api/v1/items/<int:item_id>": _CATALOG,
    "DELETE /api/v1/items/<int:item_id>": _CATALOG,
    "GET /api/v1/price-groups": _CATALOG, "POST /api/v1/price-groups": _CATALOG,
    "GET /api/v1/segments": _CATALOG, "POST /api/v1/segments": _CATALOG,
    "GET /api/v1/price-types": _CATALOG, "POST /api/v1/price-types": _CATALOG,
    "GET /api/v1/discounts": _DISCOUNTS, "POST /api/v1/discounts": _DISCOUNTS,
    "GET /api/v1/discounts/tree": _DISCOUNTS,
    "PATCH /api/v1/discounts/<int:discount_id>": _DISCOUNTS,
    "DELETE /api/v1/discounts/<int:discount_id>": _DISCOUNTS,
    "POST /api/v1/discounts/<int:discount_id>/activate": _DISCOUNTS,
    "POST /api/v1/discounts/<int:discount_id>/deactivate": _DISCOUNTS,
    "POST /api/v1/discounts/<int:discount_id>/move": _DISCOUNTS,
    "POST /api/v1/discount-groups": _DISCOUNTS,
    "PATCH /api/v1/discount-groups/<int:group_id>": _DISCOUNTS,
    "DELETE /api/v1/discount-groups/<int:group_id>": _DISCOUNTS,
    "POST /api/v1/discount-groups/<int:group_id>/move": _DISCOUNTS,
    "GET /api/v1/manual-discount-limits": _DISCOUNTS,
    "PUT /api/v1/manual-discount-limits": _DISCOUNTS,
    "GET /api/v1/customers": _WHOLESALE,
    "GET /api/v1/customers/<int:customer_id>": _WHOLESALE,
    "GET /api/v1/customers/<int:customer_id>/account": _WHOLESALE,
    "GET /api/v1/rebates/agreements": _WHOLESALE,
    "GET /api/v1/rebates/agreements/<int:agreement_id>": _WHOLESALE,
    "GET /api/v1/rebates/agreements/<int:agreement_id>/progress": _WHOLESALE,
    "GET /api/v1/rebates/claims": _WHOLESALE,
    "GET /api/v1/rebates/allowances": _WHOLESALE,
    "GET /api/v1/rebates/funds": _WHOLESALE,
    "GET /api/v1/rebates/reports/<any(agreements, claims, funds):report>.csv": _WHOLESALE,
    "GET /api/v1/rebates/reports/agreements": _WHOLESALE,
    "GET /api/v1/rebates/reports/claims": _WHOLESALE,
    "PATCH /api/v1/customers/<int:customer_id>": _WHOLESALE,
    "PATCH /api/v1/rebates/agreements/<int:agreement_id>": _WHOLESALE,
    "POST /api/v1/customers": _WHOLESALE,
    "POST /api/v1/customers/<int:customer_id>/partners": _WHOLESALE,
    "POST /api/v1/customers/<int:customer_id>/payments": _WHOLESALE,
    "POST /api/v1/rebates/agreements": _WHOLESALE,
    "POST /api/v1/rebates/agreements/<int:agreement_id>/status": _WHOLESALE,
    "POST /api/v1/rebates/calculations": _WHOLESALE,
    "POST /api/v1/rebates/claims/<int:claim_id>/approve": _WHOLESALE,
    "POST /api/v1/rebates/claims/<int:claim_id>/settlements": _WHOLESALE,
    "POST /api/v1/rebates/funds": _WHOLESALE,
    "POST /api/v1/rebates/funds/<int:fund_id>/approve": _WHOLESALE,
    "GET /api/v1/partner/agreements": _PARTNER,
    "GET /api/v1/partner/agreements/<int:agreement_id>/progress": _PARTNER,
    "GET /api/v1/partner/allowances": _PARTNER_ALLOWANCES,
    "GET /api/v1/partner/allowances/<int:allowance_id>": _PARTNER_ALLOWANCES,
    **{f"{method} /api/v1/loyalty{path}": _LOYALTY for method, path in (
        ("GET", "/card-types"), ("POST", "/card-types"), ("POST", "/cards"),
        ("GET", "/cards/<string:number>"), ("POST", "/cards/<string:number>/activate"),
        ("POST", "/cards/<string:number>/block"), ("POST", "/cards/<string:number>/unblock"),
        ("POST", "/cards/<string:number>/expire"), ("POST", "/cards/<string:number>/replace"),
        ("GET", "/cards/<string:number>/entries"),
        ("POST", "/cards/<string:number>/adjustments"), ("GET", "/reports/liability"))},
    **{f"{method} /api/v1/loyalty/me{path}": _HOLDERS for method, path in (
        ("POST", "/sign-in"), ("POST", "/sign-in/code"), ("POST", "/sign-out"), ("GET", "/cards"),
        ("GET", "/cards/<string:number>"), ("GET", "/cards/<string:number>/history"))},
    **dict.fromkeys((
        "GET /api/v1/gift-certificate-types", "POST /api/v1/gift-certificate-types",
        "POST /api/v1/gift-certificate-batches",
        "GET /api/v1/gift-certificate-batches/<int:batch_id>/codes",
        "GET /api/v1/gift-certificates/<string:code>",
        "POST /api/v1/gift-certificates/look-up",
        "POST /api/v1/gift-certificates/adjustments"), _GIFTS),
    "GET /api/v1/gift-certificates/sold/<int:receipt_id>": _GIFTS_SOLD,
    "GET /api/v1/gift-certificates/liability": _GIFTS_LIABILITY,
}


def api_routes(app: Any) -> set[str]:
    """Return ``METHOD rule`` for every route the app serves under /api/v1."""
    return {f"{method} {rule.rule}" for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/v1/")
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})}


def test_every_route_is_in_the_matrix(app):
    served = api_routes(app)
    assert served - ROUTES.keys() - GLOBAL.keys() == set(), "add these routes to the matrix"
    assert (ROUTES.keys() | GLOBAL.keys()) - served == set(), "these routes are gone"
    assert ROUTES.keys() & GLOBAL.keys() == set()


@pytest.fixture
def world(api, shop, db, registry, fixed_clock) -> Iterator[World]:
    """The three places with their cashiers and prices."""
    place = World(api, shop, db, registry, fixed_clock.now())
    yield place
    place.stop_devices()


def _outcome(route: Route, world: World, target: str, response: Any) -> str:
    status, body = response.status_code, response.get_json(silent=True) or {}  # 204: none
    if status == 404 and body.get("code", "").endswith("_not_found"):
        return NOT_FOUND
    if status == 403:
        return FORBIDDEN
    if 200 <= status < 300:
        if route.rows is None:
            return OK
        return OK if route.key(world, target) in route.rows(world, body) else NOT_FOUND
    return f"{status} {body.get('code')}"


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_the_route_answers_by_scope(world, name):
    route = ROUTES[name]
    wrong = []
    for role in ROLES:
        for target in TARGETS:
            response = route.call(world, world.api.as_(role), target)
            got, want = _outcome(route, world, target, response), route.expect(role, target)
            if got != want:
                wrong.append(f"{role} at {target}: got {got}, want {want}")
    assert not wrong, "\n".join(wrong)
