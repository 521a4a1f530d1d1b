"""The screens' fuzzer: every route of a screen blueprint sent hostile requests, checked.

Used by ``test_screens_fuzz.py``: :func:`attack` takes a :class:`Caller` (a browser signed in
as someone, or signed out) and sends every rule of its blueprint (read from ``app.url_map``)
hostile path ids, query values and form fields (the names parsed from the area's own pages).
Every answer is checked as it comes (:func:`check`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import cycle
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter

from pos.core.db import Database
from pos.core.pan_guard import CHECKED_HEADERS
from tests.api.test_card_numbers import PAN, holds_the_pan, stored_values
from tests.helpers import Shop
from tests.screens.conftest import csrf_in

BIG = str(2**63)
MARKUP = "<script>alert(1)</script>"
HOSTILE = (BIG, "-1", "0", "x1", "١٢٣", "²", "１２", "7" * 400, "y" * 3000, "a\x00b", MARKUP,
           PAN, "4111 1111 1111 1111", "1e309", "2026-13-45", "NaN", " ")
# Sent in every field at once; each field alone gets all of HOSTILE in turn across the routes.
AT_ONCE = (BIG, "-1", "١٢٣", "²", "y" * 3000, "a\x00b", MARKUP, "4111 1111 1111 1111")
# Headers a screen, htmx or the app reads (HX-Target is rendered into the approval form).
HEADERS = ("HX-Target", "HX-Trigger", "HX-Current-URL", "HX-Prompt", "Referer", "User-Agent",
           "X-Forwarded-For", "Accept-Language")
HEADER_VALUES = ("4111 1111 1111 1111", MARKUP, BIG, "y" * 3000)
# Query names a screen may read; the forms' own names are parsed from the rendered pages.
COMMON = ("id", "page", "q", "code", "store", "till", "till_id", "day", "from", "to", "number",
          "group_id", "line_no", "card_id", "kind", "at", "chart", "type")
# Routes that end a sale, a shift or a session are attacked last, in this order, so the rest
# run signed in and selling (a void still meets the sale and asks for approval).
LAST_WORDS = ("void", "close", "sign_out")
_NAME = re.compile(r'\bname="([^"{}]+)"')
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.DOTALL)
_TARGET = re.compile(r'\b(action|hx-post|hx-get)="([^"]*)"')
_GETS = re.compile(r'\bhx-get=|\bmethod="get"', re.IGNORECASE)
_NOT_FIELDS = {"viewport", "htmx-config", "csrf_token"}


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
    return sorted(rules, key=lambda rule: (_lateness(rule.endpoint), rule.rule))


def _lateness(endpoint: str) -> int:
    """Return 0 for most routes; 1, 2, ... for those ending a sale, a shift, a session."""
    return next((n for n, word in enumerate(LAST_WORDS, 1) if word in endpoint), 0)


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


def check(caller: Caller, response: Any, method: str, path: str, what: str) -> None:
    """Fail unless the answer is no 5xx, no traceback, no card number, no markup, guarded."""
    body = response.get_data(as_text=True)
    caller.seen[response.status_code] = caller.seen.get(response.status_code, 0) + 1
    # A device service that does not answer is a 503 with its stable code (scale_absent): the
    # service's state, not the request's fault; any other 5xx fails.
    device_absent = response.status_code == 503 and 'data-code="' in body
    assert response.status_code < 500 or device_absent, f"{what}: {response.status_code}\n{body}"
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
    headers = {"HX-Request": "true"} if sum(caller.seen.values()) % 2 else {}
    headers.update(kw.pop("headers", {}))
    if method == "POST":
        headers["X-CSRF-Token"] = caller.csrf
        kw["data"] = {"csrf_token": caller.csrf, **kw.get("data", {})}
    response = caller.client.open(path, method=method, headers=headers, **kw)
    check(caller, response, method, path, f"{caller.blueprint} {what} {method} {path}")
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
    for value in HEADER_VALUES:  # the headers a screen or the app reads, as htmx sends them
        for names in (HEADERS, CHECKED_HEADERS):  # the guard's 422 on these hid the others
            _send(caller, method, path, f"headers={value[:20]!r}",
                  headers={"HX-Request": "true", **dict.fromkeys(names, value)})
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
