"""A browser-like client of the office (``/office``): cookies, the CSRF token, htmx headers."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.helpers import PASSWORDS, Shop
from tests.screens.conftest import csrf_in


class OfficeScreen:
    """Drive ``/office`` as a manager's browser would."""

    def __init__(self, client: FlaskClient, shop: Shop) -> None:
        self.client, self.shop = client, shop
        self.csrf = ""

    def page(self, path: str = "/office") -> Any:
        """GET a page and remember the CSRF token it carries."""
        response = self.client.get(path)
        self.csrf = csrf_in(response) or self.csrf
        return response

    def sign_in(self, user: str = "manager", password: str | None = None) -> Any:
        """Sign in with the form, as a person would."""
        self.page()
        response = self.client.post("/office/sign-in", data={
            "csrf_token": self.csrf, "username": user,
            "password": PASSWORDS[user] if password is None else password})
        self.page()
        return response

    def post(self, path: str, data: dict[str, str] | None = None, **kw: Any) -> Any:
        """POST a form the way htmx does: with the CSRF header and ``HX-Request``."""
        headers = {"HX-Request": "true", "X-CSRF-Token": self.csrf, **kw.pop("headers", {})}
        return self.client.post(path, data=data or {}, headers=headers, **kw)

    def form(self, path: str, data: dict[str, str] | None = None, **kw: Any) -> Any:
        """POST a plain form (no htmx) with the CSRF field."""
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        """GET a fragment the way htmx does."""
        return self.client.get(path, headers={"HX-Request": "true"}, **kw)
