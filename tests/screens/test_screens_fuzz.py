"""Every screen route, attacked: hostile query values, form fields and path ids, as each caller.

The routes come from ``app.url_map`` (every rule of the ``till``, ``office`` and ``me``
blueprints), so a screen added later is attacked without editing this file. Each area is
attacked signed in as its own kind of user (a cashier at a till with an open shift and an open
receipt; a manager at the office; a card holder and a partner at ``/me``) and signed out. No
answer may be a 5xx, show a traceback, echo a card number or unescaped markup; afterwards no
table holds the card number; another till's, store's or holder's id is 404 or shows nothing
of theirs. Values are sampled, not crossed, to keep each area to a few seconds.

Runs on both databases: PostgreSQL refuses what SQLite takes (a NUL in text, an id past
64 bits), and the storage scan reads the database.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import cycle
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter

from loyalty.cards.model import Card
from pos.core.db import Database
from pos.discounts.model import DiscountGroup, DiscountRow
from tests.api.test_card_numbers import PAN, holds_the_pan, stored_values
from tests.helpers import PASSWORDS, ApiClient, Shop, Till, hire, issue_card
from tests.screens.conftest import TillScreen, csrf_in
from tests.screens.office_client import OfficeScreen
from tests.screens.test_me import MeScreen

BIG = str(2**63)
MARKUP = "<script>alert(1)</script>"
HOSTILE = (BIG, "-1", "0", "x1", "١٢٣", "²", "１２", "7" * 400, "y" * 3000, "a\x00b", MARKUP,
           PAN, "4111 1111 1111 1111", "1e309", "2026-13-45", "NaN", " ")
# Sent in every field at once; each field alone gets all of HOSTILE in turn across the routes.
AT_ONCE = (BIG, "-1", "١٢٣", "²", "y" * 3000, "a\x00b", MARKUP, "4111 1111 1111 1111")
# Query names a screen may read; the forms' own names are parsed from the rendered pages.
COMMON = ("id", "page", "q", "code", "store", "till", "till_id", "day", "from", "to", "number",
          "group_id", "line_no", "card_id", "kind", "at", "chart", "type")
# Routes that end a session or a sale are attacked last, so the rest run signed in and selling.
LAST_WORDS = ("void", "close", "sign_out")
_NAME = re.compile(r'\bname="([^"{}]+)"')
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.DOTALL)
_TARGET = re.compile(r'\b(action|hx-post|hx-get)="([^"]*)"')
_GETS = re.compile(r'\bhx-get=|\bmethod="get"', re.IGNORECASE)
_NOT_FIELDS = {"viewport", "htmx-config", "csrf_token"}
_WEST_DISCOUNT = "Far store discount"


@dataclass
class World:
    """The shop with something of everyone's: tills, stores, discounts, cards, a partner."""

    shop: Shop
    own: dict[str, str]  # a path parameter's name -> the caller's own id
    others: dict[str, list[str]]  # -> ids of others' things (never shown to the caller)
    secrets: list[str] = field(default_factory=list)  # text of others' things


@dataclass
class Caller:
    """A browser attacking one blueprint: its client, its CSRF token, its world."""

    blueprint: str
    client: FlaskClient
    csrf: str
    world: World
    seen: dict[int, int] = field(default_factory=dict)  # status -> count
    stranger: bool = False  # signed in at another screen only: must reach nothing here


def _screen_rules(app: Flask, blueprint: str) -> list[Rule]:
    rules = [rule for rule in app.url_map.iter_rules()
             if rule.endpoint.partition(".")[0] == blueprint]
    return sorted(rules, key=lambda rule: (any(word in rule.endpoint for word in LAST_WORDS),
                                           rule.rule))


def _path_values(rule: Rule, name: str, world: World) -> list[str]:
    converter = rule._converters[name]
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)
    return [world.own.get(name, "1"), *world.others.get(name, []), BIG, "0"]


def _paths(rule: Rule, world: World) -> Iterator[tuple[str, bool]]:
    """Yield (path, is another's) for the rule: own ids first, then each one replaced."""
    names = sorted(rule.arguments)
    own = {name: _path_values(rule, name, world)[0] for name in names}
    yield _build(rule, own), False
    for name in names:
        for value in _path_values(rule, name, world)[1:]:
            yield _build(rule, {**own, name: value}), value in world.others.get(name, [])


def _build(rule: Rule, values: dict[str, str]) -> str:
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<[^>]*\b{name}>", value, path)
    return path


def _check(caller: Caller, response: Any, method: str, path: str, what: str) -> None:
    body = response.get_data(as_text=True)
    caller.seen[response.status_code] = caller.seen.get(response.status_code, 0) + 1
    assert response.status_code < 500, f"{what}: {response.status_code}\n{body[:2000]}"
    assert "Traceback" not in body, what
    assert not holds_the_pan(body), f"{what}: the card number is echoed"
    assert MARKUP not in body, f"{what}: markup echoed unescaped"
    _assert_guarded(response, what)
    if caller.stranger:
        _assert_kept_out(caller, response, method, path, what)


def _assert_guarded(response: Any, what: str) -> None:
    """Every answer of a screen route has the policy; a page is never cached; cookies strict."""
    if response.status_code in (404, 405) and "Content-Security-Policy" not in response.headers:
        assert response.mimetype == "application/problem+json", what  # no route matched
        return
    headers, where = response.headers, f"{what}: {response.status_code} {response.headers}"
    assert headers.get("Content-Security-Policy", "").startswith("default-src 'none'"), where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert "no-store" in headers.get("Cache-Control", ""), where
    for cookie in response.headers.getlist("Set-Cookie"):
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie, (what, cookie)


def _assert_kept_out(caller: Caller, response: Any, method: str, path: str, what: str) -> None:
    """Signed in elsewhere is signed out here: a way to this area's sign-in, or a refusal."""
    home = f"/{caller.blueprint}"
    status, body = response.status_code, response.get_data(as_text=True)
    if status in (302, 303):
        assert response.headers.get("Location", "").endswith(home), (what, response.headers)
    elif status == 204:  # htmx's way to the sign-in, or nothing done (an empty scan)
        assert response.headers.get("HX-Redirect", home).endswith(home), (what, response.headers)
        assert body == "", what
    elif status < 400:
        assert (method, path) == ("GET", home) and f'action="{home}/sign-in' in body, what


def _send(caller: Caller, method: str, path: str, what: str, **kw: Any) -> Any:
    headers = {"HX-Request": "true"} if len(caller.seen) % 2 else {}
    if method == "POST":
        headers["X-CSRF-Token"] = caller.csrf
        kw["data"] = {"csrf_token": caller.csrf, **kw.get("data", {})}
    response = caller.client.open(path, method=method, headers=headers, **kw)
    _check(caller, response, method, path, f"{caller.blueprint} {what} {method} {path}")
    caller.csrf = csrf_in(response) or caller.csrf
    return response


@dataclass
class Fields:
    """The form fields an area's pages carry: all of them, and by the path a form sends to."""

    every: list[str]
    by_target: dict[str, set[str]]

    def of(self, path: str, method: str) -> list[str]:
        """Return the fields to send ``path`` one by one: its forms' and the common names."""
        mine = self.by_target.get(f"{method} {path}")
        if mine is None and method == "POST":
            return self.every  # no form found that sends here: every name the area knows
        return sorted((mine or set()) | set(COMMON))


def _fields(caller: Caller, rules: list[Rule]) -> Fields:
    """Read the form fields of the area's pages as the caller sees them."""
    every, by_target = set(COMMON), {}
    for rule in rules:
        if "GET" in rule.methods:  # type: ignore[operator]
            path, _ = next(_paths(rule, caller.world))
            html = _send(caller, "GET", path, "page").get_data(as_text=True)
            every.update(_NAME.findall(html))
            for attributes, inner in _FORM.findall(html):
                target = _TARGET.search(attributes)
                if target:
                    sends = "GET" if _GETS.search(attributes) else "POST"
                    key = f"{sends} {target.group(2).split('?')[0]}"
                    by_target.setdefault(key, set()).update(set(_NAME.findall(inner)))
    return Fields(sorted(every - _NOT_FIELDS),
                  {key: names - _NOT_FIELDS for key, names in by_target.items()})


def attack(caller: Caller, app: Flask, db: Database) -> None:
    """Send every rule of the caller's blueprint its hostile requests, checking each answer.

    Every GET goes first, and the database must be as it was after them: a GET writes nothing.
    """
    rules = _screen_rules(app, caller.blueprint)
    assert rules, caller.blueprint
    fields = _fields(caller, rules)
    values = cycle(HOSTILE)
    before = _snapshot(db)
    for rule in rules:
        if "GET" in rule.methods:  # type: ignore[operator]
            _attack_rule(caller, rule, "GET", fields, values)
    assert _snapshot(db) == before, "a GET changed the database"
    for rule in rules:
        for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"}):  # type: ignore[operator]
            _attack_rule(caller, rule, method, fields, values)


def _snapshot(db: Database) -> Counter[tuple[str, str]]:
    return Counter(stored_values(db))


def _attack_rule(caller: Caller, rule: Rule, method: str, fields: Fields,
                 values: Iterator[str]) -> None:
    paths = list(_paths(rule, caller.world))
    for path, anothers in paths:
        response = _send(caller, method, path, "path")
        if anothers:
            _assert_nothing_of_theirs(caller, response, path)
    path = paths[0][0]
    where = "query_string" if method == "GET" else "data"
    for value in AT_ONCE:  # every field at once with one value
        _send(caller, method, path, f"all={value[:20]!r}",
              **{where: dict.fromkeys(fields.every, value)})
    for name in fields.of(path, method):  # each alone, values in turn: none hides behind another
        value = next(values)
        _send(caller, method, path, f"{name}={value[:20]!r}", **{where: {name: value}})


def _assert_nothing_of_theirs(caller: Caller, response: Any, path: str) -> None:
    body = response.get_data(as_text=True)
    if response.status_code in (200, 201):
        leaked = [text for text in caller.world.secrets if text in body]
        assert leaked == [], f"{caller.blueprint} {path} shows another's {leaked}"
    elif "HX-Redirect" not in response.headers:  # htmx's way to the sign-in is a 204
        assert response.status_code in (302, 303, 400, 403, 404, 422), (path, body[:500])


# --- the world and its callers ------------------------------------------------------------

@pytest.fixture
def world(api: ApiClient, shop: Shop, app: Flask, db: Database) -> World:
    """Discounts of MAIN and of WEST, two holders' cards, a partner: ids for the paths."""
    admin = OfficeScreen(app.test_client(), shop)
    admin.sign_in("admin")
    discount = {"name": "Main ten off", "kind": "automatic", "scope": "line",
                "benefit_type": "percent_off", "benefit_percent": "10", "items": "OAT-MILK-1L",
                "store_ids": str(shop.store_id)}
    for fields in (discount, {**discount, "name": _WEST_DISCOUNT,
                              "store_ids": str(shop.other_store_id)}):
        assert admin.form("/office/discounts/new", fields).status_code == 302
    admin.form("/office/discounts/groups/new", {"name": "Weekend", "rule": "priority"})
    ids = _ids(db)
    mine, theirs = issue_card(api, "CLUB", is_bonus=True), issue_card(api, "CLUB")
    with db.read() as session:
        cards = {card.number: card.id for card in session.scalars(select(Card))}
    west = Till(api.as_("admin"), shop, shop.other_store_till_id)
    west.open_shift()
    west.open_receipt()
    assert west.shift is not None and west.receipt is not None
    return World(shop, own={"display_till_id": str(shop.till_id), **ids,
                            "card_id": str(cards[mine]), "card_number": mine},
                 others={"display_till_id": [str(shop.other_till_id),
                                             str(shop.other_store_till_id)],
                         # Discounts are the chain's: a manager sees WEST's, not WEST itself.
                         "discount_id": [ids["west_discount_id"]],
                         "card_id": [str(cards[theirs])],
                         # Named as the office's shift and receipt pages may name them.
                         "shift_id": [str(west.shift["id"])],
                         "receipt_id": [str(west.receipt["id"])]},
                 secrets=["West side", theirs, f"…{theirs[-4:]}"])


def _ids(db: Database) -> dict[str, str]:
    with db.read() as session:
        by_name = {row.name: str(row.id) for row in session.scalars(select(DiscountRow))}
        group_id = session.scalar(select(DiscountGroup.id).order_by(DiscountGroup.id.desc()))
    return {"discount_id": by_name["Main ten off"], "west_discount_id": by_name[_WEST_DISCOUNT],
            "group_id": str(group_id or 1)}


def _partner(api: ApiClient) -> None:
    manager = api.as_("manager")
    response = manager.post("/api/v1/customers", json={"code": "ACME", "legal_name": "ACME"})
    assert response.status_code == 201, response.get_json()
    buyer = hire(api, "acme-buyer", "card_holder", [])
    user_id = buyer.get("/api/v1/auth/me").get_json()["id"]
    assert api.as_("admin").post(f"/api/v1/customers/{response.get_json()['id']}/partners",
                                 json={"user_id": user_id}).status_code == 204


def _cashier(app: Flask, world: World) -> Caller:
    screen = TillScreen(app.test_client(), world.shop)
    screen.sign_in()
    screen.open_shift()
    assert screen.scan("4600000000015").status_code == 200
    screen.page()
    return Caller("till", screen.client, screen.csrf, world)


def _manager(app: Flask, world: World) -> Caller:
    office = OfficeScreen(app.test_client(), world.shop)
    office.sign_in()
    return Caller("office", office.client, office.csrf, world)


def _holder(app: Flask, world: World) -> Caller:
    me = MeScreen(app.test_client())
    assert me.sign_in(world.own["card_number"]).status_code == 302
    return Caller("me", me.client, me.csrf, world)


def _partner_caller(app: Flask, world: World, api: ApiClient) -> Caller:
    _partner(api)
    me = MeScreen(app.test_client())
    assert me.sign_in_partner("acme-buyer", PASSWORDS["acme-buyer"]).status_code == 302
    return Caller("me", me.client, me.csrf, world)


def _signed_out(app: Flask, world: World, blueprint: str) -> Caller:
    client = app.test_client()
    csrf = csrf_in(client.get(f"/{blueprint}")) or ""
    return Caller(blueprint, client, csrf, world)


def _assert_reached_the_views(caller: Caller) -> None:
    # A run that met only redirects or refusals attacked nothing behind the sign-in.
    assert caller.seen.get(200, 0) > 20, caller.seen


def _assert_stored_nowhere(db: Any) -> None:
    leaks = [where for where, text in stored_values(db) if holds_the_pan(text)]
    assert leaks == []


class TestScreensFuzz:
    def test_the_till_as_its_cashier(self, app: Flask, world: World, db: Database) -> None:
        caller = _cashier(app, world)
        attack(caller, app, db)
        _assert_reached_the_views(caller)
        _assert_stored_nowhere(db)

    def test_the_office_as_a_manager(self, app: Flask, world: World, db: Database) -> None:
        caller = _manager(app, world)
        attack(caller, app, db)
        _assert_reached_the_views(caller)
        _assert_stored_nowhere(db)

    def test_me_as_a_card_holder(self, app: Flask, world: World, db: Database) -> None:
        caller = _holder(app, world)
        attack(caller, app, db)
        _assert_reached_the_views(caller)
        _assert_stored_nowhere(db)

    def test_me_as_a_partner(self, app: Flask, world: World, db: Database,
                            api: ApiClient) -> None:
        caller = _partner_caller(app, world, api)
        attack(caller, app, db)
        assert caller.seen.get(200, 0) > 5, caller.seen
        _assert_stored_nowhere(db)

    @pytest.mark.parametrize("blueprint", ["till", "office", "me"])
    def test_every_area_signed_out(self, app: Flask, world: World, db: Database,
                                    blueprint: str) -> None:
        caller = _signed_out(app, world, blueprint)
        attack(caller, app, db)
        assert caller.seen.get(302, 0) + caller.seen.get(204, 0) > 5, caller.seen
        _assert_stored_nowhere(db)


class TestSignedInElsewhere:
    """A session signed in at one screen reaches nothing of a screen it is not for."""

    @pytest.mark.parametrize("area", ["till", "office"])
    def test_a_card_holder_reaches_nothing_of_the_till_or_the_office(
            self, app: Flask, world: World, db: Database, area: str) -> None:
        caller = _stranger(_holder(app, world), area)
        attack(caller, app, db)
        assert caller.seen.get(302, 0) > 5, caller.seen

    @pytest.mark.parametrize("area", ["till", "office"])
    def test_a_partner_reaches_nothing_of_the_till_or_the_office(
            self, app: Flask, world: World, db: Database, api: ApiClient, area: str) -> None:
        caller = _stranger(_partner_caller(app, world, api), area)
        attack(caller, app, db)
        assert caller.seen.get(302, 0) > 5, caller.seen

    def test_a_cashier_reaches_nothing_of_the_office(self, app: Flask, world: World,
                                                     db: Database) -> None:
        caller = _stranger(_cashier(app, world), "office")
        attack(caller, app, db)
        assert caller.seen.get(302, 0) > 5, caller.seen


def _stranger(signed_in_elsewhere: Caller, area: str) -> Caller:
    return Caller(area, signed_in_elsewhere.client, signed_in_elsewhere.csrf,
                  signed_in_elsewhere.world, stranger=True)

