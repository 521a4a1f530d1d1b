"""Fixtures of the screens' tests: a browser-like client of the till screen."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.helpers import Shop

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"|&#34;X-CSRF-Token&#34;: &#34;([^&]+)&#34;'
                   r'|"X-CSRF-Token": "([^"]+)"')


class TillScreen:
    """Drive ``/till`` as a browser with htmx would: cookies, the CSRF token, htmx headers."""

    def __init__(self, client: FlaskClient, shop: Shop) -> None:
        self.client, self.shop = client, shop
        self.csrf = ""

    def page(self, path: str = "/till") -> Any:
        """GET a page and remember the CSRF token it carries."""
        response = self.client.get(path)
        self.csrf = csrf_in(response) or self.csrf
        return response

    def sign_in(self, user: str = "cashier", pin: str = "1111", till_id: int | None = None
                ) -> Any:
        """Sign in at a till (till 1 unless told) with the form, as a person would."""
        self.page()
        response = self.client.post("/till/sign-in", data={
            "csrf_token": self.csrf, "username": user, "pin": pin,
            "till_id": str(till_id or self.shop.till_id)})
        self.page()
        return response

    def post(self, path: str, data: dict[str, str] | None = None, **kw: Any) -> Any:
        """POST a form the way htmx does: with the CSRF header and ``HX-Request``."""
        headers = {"HX-Request": "true", "X-CSRF-Token": self.csrf, **kw.pop("headers", {})}
        return self.client.post(path, data=data or {}, headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        """GET a fragment the way htmx does."""
        return self.client.get(path, headers={"HX-Request": "true"}, **kw)

    def open_shift(self, float_: str = "1000.00") -> Any:
        """Open the till's shift with a float."""
        response = self.post("/till/shift", {"float": float_})
        assert response.status_code == 204, response.get_data(as_text=True)
        return response

    def scan(self, code: str, via: str = "scan") -> Any:
        """Send a scanned (or typed: ``via="keys"``) code."""
        return self.post("/till/scan", {"code": code, "via": via})


@pytest.fixture
def screen(client: FlaskClient, shop: Shop) -> TillScreen:
    """The till screen of till 1, not signed in yet."""
    return TillScreen(client, shop)


@pytest.fixture
def selling(screen: TillScreen) -> TillScreen:
    """The cashier signed in at till 1 with the shift open."""
    screen.sign_in()
    screen.open_shift()
    screen.page()
    return screen


def problem_code(response: Any) -> str | None:
    """Return the stable code a problem fragment carries (``data-code``)."""
    found = re.search(r'data-code="([^"]+)"', response.get_data(as_text=True))
    return found.group(1) if found else None


def csrf_in(response: Any) -> str | None:
    """Return the CSRF token a page carries (a form field or htmx's header), if any."""
    found = _CSRF.search(response.get_data(as_text=True))
    return next(group for group in found.groups() if group) if found else None


@pytest.fixture
def office(client: FlaskClient, shop: Shop) -> Any:
    """The office, not signed in yet."""
    from tests.screens.office_client import OfficeScreen
    return OfficeScreen(client, shop)


@pytest.fixture
def managing(office: Any) -> Any:
    """The manager signed in at the office."""
    office.sign_in()
    return office
