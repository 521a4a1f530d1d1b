"""Test helpers: a seeded shop, an API client and a till driver, contexts for use cases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, cast

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, select

from pos.auth.model import User
from pos.auth.service import NewUser, create_user, principal_of
from pos.catalog.model import Barcode, Item, Price, PriceGroup, PriceType, Segment
from pos.core.context import Context
from pos.core.db import Database
from pos.core.errors import PosError
from pos.core.registry import Registry
from pos.core.security import Actor, Approval
from pos.stores.model import Store
from pos.stores.model import Till as TillRow

# The secret key the tests' app runs with (signs cookies, derives gift certificate codes).
TEST_SECRET_KEY = "tests-only-secret-key-not-for-any-installation"
PASSWORDS = {"cashier": "cashier-pass", "manager": "manager-pass", "admin": "admin-pass",
             "holder": "holder-pass"}
OAT_MILK_EAN = "4600000000015"
MILK_EAN = "4600000000022"
MILK_EAN8 = "12345670"
BANANA_PLU = 1
# How long stopping a test's device service waits for its channel loop (0.5 s by default).
CHANNEL_POLL_S = 0.02
# A manager present at the till approves in person (``X-Manager-Credentials``).
MANAGER = {"X-Manager-Credentials": "manager:manager-pass"}


@dataclass(frozen=True)
class Shop:
    """Ids of what :func:`seed_shop` created."""

    store_id: int
    till_id: int
    other_till_id: int
    items: dict[str, int]
    other_store_id: int = 0  # WEST: nobody but the admin works there
    other_store_till_id: int = 0


def seed_shop(db: Database, now: datetime) -> Shop:
    """Create a store with two tills, one user per role, and a few memorable items.

    The cashier and the manager work in that store (MAIN), the cashier assigned to both its
    tills; a second store (WEST) with one till is nobody's but the admin's.
    """
    create_user(db, NewUser("cashier", "Cass Cashier", "cashier", PASSWORDS["cashier"], "1111",
                            user_group="cashiers"), now=now, actor_id=None)
    create_user(db, NewUser("manager", "Max Manager", "manager", PASSWORDS["manager"], "2222",
                            user_group="managers"), now=now, actor_id=None)
    create_user(db, NewUser("admin", "Ada Admin", "admin", PASSWORDS["admin"]), now=now,
                actor_id=None)
    create_user(db, NewUser("holder", "Hal Holder", "card_holder", PASSWORDS["holder"]),
                now=now, actor_id=None)
    with db.transaction() as s:
        retail = PriceType(code="retail", name="Retail", rounding_step_minor=1)
        s.add(retail)
        s.flush()
        store = Store(code="MAIN", name="Main street", timezone="Europe/Moscow",
                      max_cash_difference_minor=10000, price_type_id=retail.id, created_at=now)
        store.tills = [TillRow(number=1, name="Till 1"), TillRow(number=2, name="Till 2")]
        dairy, produce = PriceGroup(code="DAIRY", name="Dairy"), PriceGroup(code="PRODUCE",
                                                                              name="Produce")
        milk, fruit = Segment(code="MILK", name="Milk"), Segment(code="FRUIT", name="Fruit")
        s.add_all([store, dairy, produce, milk, fruit])
        s.flush()
        specs = [
            ("OAT-MILK-1L", "Oat milk 1 l", False, None, dairy, milk, [OAT_MILK_EAN], 14990),
            ("BANANA-KG", "Bananas", True, BANANA_PLU, produce, fruit, [], 12990),
            ("APPLE-KG", "Apples", True, 2, produce, fruit, [], 15990),
            ("MILK-1L", "Milk 1 l", False, None, dairy, milk, [MILK_EAN, MILK_EAN8],
             8990),
        ]
        items = {}
        for sku, name, weighed, plu, group, segment, codes, price in specs:
            item = Item(sku=sku, name=name, unit="kg" if weighed else "pcs",
                        is_weighed=weighed, plu=plu, price_group=group, segments=[segment],
                        vat_rate="vat10", created_at=now, updated_at=now,
                        barcodes=[Barcode(code=c, kind="ean13" if len(c) == 13 else "ean8")
                                  for c in codes])
            s.add(item)
            s.flush()
            s.add(Price(store_id=store.id, item_id=item.id, price_type_id=retail.id,
                        price_minor=price, valid_from=date(2026, 1, 1), valid_to=None))
            items[sku] = item.id
        tills = sorted(store.tills, key=lambda t: t.number)
        west = _other_store(s, store, now)
        return Shop(store.id, tills[0].id, tills[1].id, items, west.id, west.tills[0].id)


def _other_store(s: Any, store: Store, now: datetime) -> Store:
    """Add WEST, with one till (and no prices), and staff MAIN with the seeded users."""
    west = Store(code="WEST", name="West side", timezone="Europe/Moscow",
                 max_cash_difference_minor=10000, price_type_id=store.price_type_id,
                 created_at=now, tills=[TillRow(number=1, name="West till 1")])
    s.add(west)
    s.flush()
    users = {user.username: user for user in s.scalars(select(User))}
    users["cashier"].assign([store.id], [till.id for till in store.tills])
    users["manager"].assign([store.id], [])
    return west


def actor_for(db: Database, username: str) -> Actor:
    """Return an actor for a seeded user."""
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return Actor(principal_of(user))


def context_for(db: Database, registry: Registry, username: str, now: datetime, *,
                till_id: int | None = None) -> Context:
    """Return a use case's context acting as a seeded user at ``now`` (from ``till_id``)."""
    return Context(db, registry, actor_for(db, username), now, till_id=till_id)


def approved(ctx: Context, by: str = "manager") -> Context:
    """Return the same call with a manager present who approves with their password."""
    approval = Approval(username=by, secret=PASSWORDS[by])
    return replace(ctx, actor=replace(ctx.actor, approval=approval))


@contextmanager
def refused(code: str) -> Iterator[pytest.ExceptionInfo[PosError]]:
    """Expect the block to break a rule: a ``PosError`` with this stable ``code``."""
    with pytest.raises(PosError) as caught:
        yield caught
    assert caught.value.code == code, caught.value.detail


class ApiClient:
    """Drive the API as a signed-in user: ``api.as_("cashier").get(...)``."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self._tokens: dict[str, str] = {}
        self.user = "cashier"

    def token(self, user: str) -> str:
        """Sign in once per user and remember the token."""
        if user not in self._tokens:
            response = self.client.post("/api/v1/auth/login", json={
                "username": user, "password": PASSWORDS[user]})
            assert response.status_code == 200, response.get_json()
            self._tokens[user] = response.get_json()["token"]
        return self._tokens[user]

    def as_(self, user: str) -> ApiClient:
        """Return a client acting as ``user``."""
        other = ApiClient(self.client)
        other._tokens, other.user = self._tokens, user
        return other

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Return the authorization header plus ``extra``."""
        return {"Authorization": f"Bearer {self.token(self.user)}", **(extra or {})}

    def get(self, path: str, **kw: Any) -> Any:
        """GET as the current user."""
        return self.client.get(path, headers=self.headers(kw.pop("headers", None)), **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        """POST JSON as the current user."""
        return self.client.post(path, json=json, headers=self.headers(kw.pop("headers", None)),
                                **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> Any:
        """PATCH JSON as the current user."""
        return self.client.patch(path, json=json,
                                 headers=self.headers(kw.pop("headers", None)), **kw)

    def put(self, path: str, json: Any = None, **kw: Any) -> Any:
        """PUT JSON as the current user."""
        return self.client.put(path, json=json, headers=self.headers(kw.pop("headers", None)),
                               **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        """DELETE as the current user."""
        return self.client.delete(path, headers=self.headers(kw.pop("headers", None)), **kw)


def hire(api: ApiClient, username: str, role: str, store_ids: list[int],
         till_ids: list[int] | None = None, **fields: Any) -> ApiClient:
    """Create a user through the API as the admin; return a client acting as them."""
    PASSWORDS.setdefault(username, f"{username}-password")
    response = api.as_("admin").post("/api/v1/users", json={
        "username": username, "full_name": username.title(), "role": role,
        "password": PASSWORDS[username], "user_group": f"{role}s", "store_ids": store_ids,
        "till_ids": till_ids or [], **fields})
    assert response.status_code == 201, response.get_json()
    return api.as_(username)


class Till:
    """Drive one till through the API as one user."""

    def __init__(self, api: ApiClient, shop: Shop, till_id: int | None = None) -> None:
        self.api, self.shop = api, shop
        self.till_id = till_id or shop.till_id
        self.shift: dict[str, Any] | None = None
        self.receipt: dict[str, Any] | None = None

    def as_(self, user: str) -> Till:
        """Return the same till driven by another user."""
        other = Till(self.api.as_(user), self.shop, self.till_id)
        other.shift, other.receipt = self.shift, self.receipt
        return other

    def ok(self, response: Any, status: int = 200) -> dict[str, Any]:
        """Assert the status and return the JSON body."""
        assert response.status_code == status, response.get_json()
        return response.get_json()

    def open_shift(self, opening_float: str = "1000.00") -> dict[str, Any]:
        """Open a shift on this till."""
        self.shift = self.ok(self.api.post("/api/v1/shifts", json={
            "till_id": self.till_id, "opening_float": opening_float}), 201)
        return self.shift

    def open_receipt(self) -> dict[str, Any]:
        """Open an empty receipt."""
        self.receipt = self.ok(self.api.post("/api/v1/receipts",
                                             json={"till_id": self.till_id}), 201)
        return self.receipt

    def sell_response(self, sku: str | None = None, **fields: Any) -> Any:
        """Add a line, returning the raw response."""
        assert self.receipt is not None
        body = {"sku": sku, **fields} if sku else dict(fields)
        return self.api.post(f"/api/v1/receipts/{self.receipt['id']}/lines?view=full",
                             json=body)

    def sell(self, sku: str | None = None, **fields: Any) -> dict[str, Any]:
        """Add a line by SKU or code and return the receipt."""
        self.receipt = self.ok(self.sell_response(sku, **fields), 201)
        return self.receipt

    def pay(self, kind: str, amount: str, **fields: Any) -> Any:
        """Add a payment, returning the raw response."""
        assert self.receipt is not None
        return self.api.post(f"/api/v1/receipts/{self.receipt['id']}/payments",
                             json={"type": kind, "amount": amount, **fields})

    def pay_cash(self, amount: str) -> dict[str, Any]:
        """Pay in cash."""
        self.receipt = self.ok(self.pay("cash", amount), 201)
        return self.receipt

    def pay_card(self, amount: str) -> dict[str, Any]:
        """Pay by card (brand and last four only)."""
        self.receipt = self.ok(self.pay("card", amount, card_brand="VISA", card_last4="4242",
                                        terminal_ref="T-0001"), 201)
        return self.receipt

    def close(self) -> dict[str, Any]:
        """Close the current receipt."""
        assert self.receipt is not None
        self.receipt = self.ok(self.api.post(f"/api/v1/receipts/{self.receipt['id']}/close"))
        return self.receipt

    def checkout(self, lines: list[dict[str, Any]], payments: list[dict[str, Any]],
                 view: str | None = None, **extra: Any) -> Any:
        """Upload a finished receipt in one request; the raw response.

        ``view="full"`` asks for the whole receipt, with its lines and payments.
        """
        body = {"till_id": self.till_id, "client_uuid": str(uuid.uuid4()), "lines": lines,
                "payments": payments, **extra}
        return self.api.post("/api/v1/receipts", json=body,
                             query_string={} if view is None else {"view": view})

    def x_report(self) -> dict[str, Any]:
        """Return the X report of the open shift."""
        assert self.shift is not None
        return self.ok(self.api.get(f"/api/v1/shifts/{self.shift['id']}/x-report"))


def problem(response: Any, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem answer of ``status`` and return its body."""
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    return cast(dict[str, Any], response.get_json())


def issue_card(api: ApiClient, type_code: str = "REGULAR", **type_fields: Any) -> str:
    """Issue an active personal loyalty card (its type made on first use); return its number."""
    manager = api.as_("manager")
    known = {t["code"] for t in manager.get("/api/v1/loyalty/card-types").get_json()}
    if type_code not in known:
        response = manager.post("/api/v1/loyalty/card-types", json={
            "code": type_code, "name": type_code.title(), "is_discount": True,
            "is_personal": True, **type_fields})
        assert response.status_code == 201, response.get_json()
    response = manager.post("/api/v1/loyalty/cards", json={
        "type": type_code, "activate": True, "holder": {"name": "Hal Holder", "pin": "4321"}})
    assert response.status_code == 201, response.get_json()
    return cast(str, response.get_json()["cards"][0]["number"])


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """Collect the SQL statements sent while the block runs (whitespace collapsed)."""
    sent: list[str] = []

    def count(*args: object) -> None:
        sent.append(" ".join(str(args[2]).split()))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
