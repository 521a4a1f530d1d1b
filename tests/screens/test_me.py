"""``/me``: a card holder's and a partner's own screens, and nothing of anyone else's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import ApiClient, Shop, issue_card
from tests.screens.conftest import _CSRF, TillScreen, problem_code

TIERS = [{"name": "Silver", "min_amount": "100.00"}, {"name": "Gold", "min_amount": "1000.00"}]
CLUB = {"is_bonus": True, "earn_percent": "5", "expiry_days": 20, "tiers": TIERS}
PIN = "4321"  # issue_card's holder PIN
HOLDER_ROUTES = ("/me/cards", "/me/cards/1", "/me/cards/1/history")


class MeScreen:
    """Drive ``/me`` as a phone's browser does: plain forms, cookies, the CSRF field."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.csrf = ""

    def page(self, path: str = "/me", **kw: Any) -> Any:
        """GET a page and remember the CSRF token it carries."""
        response = self.client.get(path, **kw)
        found = _CSRF.search(response.get_data(as_text=True))
        if found:
            self.csrf = next(group for group in found.groups() if group)
        return response

    def post(self, path: str, data: dict[str, str]) -> Any:
        """Submit a form with this session's CSRF token (a sign-in makes a new one: read it)."""
        response = self.client.post(path, data={"csrf_token": self.csrf, **data})
        if response.status_code == 302:
            self.page("/me", follow_redirects=True)
        return response

    def sign_in(self, number: str, pin: str = PIN) -> Any:
        """Sign in with a card number and PIN."""
        self.page()
        return self.post("/me/sign-in", {"card_number": number, "pin": pin})

    def sign_in_partner(self, username: str, password: str) -> Any:
        """Sign in as a partner by user name and password."""
        self.page()
        return self.post("/me/sign-in/partner", {"username": username, "password": password})

    def text(self, path: str) -> str:
        """Return a page's HTML, asserting it was shown."""
        response = self.page(path)
        assert response.status_code == 200, response.get_data(as_text=True)
        return str(response.get_data(as_text=True))


def card_ids(html: str) -> list[int]:
    """Return the ids of the cards a cards page lists."""
    return [int(found) for found in re.findall(r'data-card="(\d+)"', html)]


@pytest.fixture
def me(client: FlaskClient) -> MeScreen:
    """``/me`` in a browser, not signed in."""
    return MeScreen(client)


@pytest.fixture
def other_browser(app: Flask) -> MeScreen:
    """``/me`` in another browser (its own cookies)."""
    return MeScreen(app.test_client())


@pytest.fixture
def mine(api: ApiClient) -> str:
    """Holder A's card, of a type with points and tiers."""
    return issue_card(api, "CLUB", **CLUB)


@pytest.fixture
def theirs(api: ApiClient, mine: str) -> str:
    """Holder B's card."""
    return issue_card(api, "CLUB")


@pytest.fixture
def holder(me: MeScreen, mine: str) -> MeScreen:
    """Holder A signed in."""
    response = me.sign_in(mine)
    assert response.status_code == 302, response.get_data(as_text=True)
    return me


def own_card_id(screen: MeScreen) -> int:
    """Return the id of the signed-in holder's only card."""
    [card_id] = card_ids(screen.text("/me/cards"))
    return card_id


class TestSignedOut:
    @pytest.mark.parametrize("path", [*HOLDER_ROUTES, "/me/partner"])
    def test_every_page_sends_the_signed_out_to_the_sign_in(self, me, shop, path):
        response = me.page(path)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/me")

    def test_the_sign_in_page_offers_card_code_and_partner_forms(self, me, shop):
        html = me.text("/me")
        for form in ("sign-in-card", "sign-in-code", "sign-in-partner"):
            assert f'id="{form}"' in html
        assert "<script" not in html and "style=" not in html

    def test_signing_out_signed_out_goes_to_the_sign_in(self, me, shop):
        me.page()
        response = me.post("/me/sign-out", {})
        assert response.status_code == 302 and response.headers["Location"].endswith("/me")


class TestHolderSignIn:
    def test_a_wrong_pin_is_shown_as_a_message(self, me, mine):
        response = me.sign_in(mine, "0000")
        assert response.status_code == 401
        assert problem_code(response) == "invalid_credentials"
        assert me.page("/me/cards").status_code == 302

    def test_guessing_is_slowed_down_and_the_wait_is_shown(self, me, mine):
        for _ in range(5):
            me.sign_in(mine, "9999")
        response = me.sign_in(mine)  # even the right PIN waits now
        assert response.status_code == 429
        assert problem_code(response) == "too_many_attempts"
        wait = int(response.headers["Retry-After"])
        assert f"Try again in {wait} seconds" in response.get_data(as_text=True)

    def test_a_receipts_one_time_code_signs_in_once(self, me, other_browser, till, mine):
        till.open_shift()
        till.open_receipt()
        till.sell("MILK-1L")
        till.ok(till.api.put(f"/api/v1/receipts/{till.receipt['id']}/card",
                             json={"card_code": mine}))
        till.pay_cash("100.00")
        [code] = [n["text"] for n in till.close()["print_notes"] if n["kind"] == "holder_code"]
        me.page()
        assert me.post("/me/sign-in/code", {"code": code}).status_code == 302
        assert len(card_ids(me.text("/me/cards"))) == 1
        other_browser.page()
        used = other_browser.post("/me/sign-in/code", {"code": code})
        assert used.status_code == 401 and problem_code(used) == "invalid_code"

    def test_a_bank_card_number_is_refused_before_anything_as_a_message(self, me, shop):
        response = me.sign_in("4111111111111111")
        assert response.status_code == 422 and problem_code(response) == "card_number_rejected"
        assert "4111111111111111" not in response.get_data(as_text=True)

    def test_signing_in_without_the_csrf_token_is_refused(self, me, mine):
        me.page()
        response = me.client.post("/me/sign-in", data={"card_number": mine, "pin": PIN})
        assert response.status_code == 403 and problem_code(response) == "csrf_failed"
        assert me.page("/me/cards").status_code == 302

    def test_signing_out_without_the_csrf_token_is_refused(self, holder):
        response = holder.client.post("/me/sign-out")
        assert response.status_code == 403 and problem_code(response) == "csrf_failed"
        assert holder.page("/me/cards").status_code == 200

    def test_signing_out_ends_the_session(self, holder):
        assert holder.post("/me/sign-out", {}).status_code == 302
        assert holder.page("/me/cards").status_code == 302


class TestHolderOwnData:
    def test_the_cards_page_shows_the_card_masked_with_points_and_tier(
            self, holder, mine, theirs, till):
        till.open_shift()
        till.ok(till.checkout([{"sku": "OAT-MILK-1L"}], [{"type": "cash", "amount": "149.90"}],
                              card_code=mine), 201)
        html = holder.text("/me/cards")
        assert len(card_ids(html)) == 1
        assert f"…{mine[-4:]}" in html and mine not in html and theirs[-4:] + "<" not in html
        assert '<dd class="balance">7.00</dd>' in html
        assert '<dd class="tier">Silver</dd>' in html

    def test_a_card_shows_expiring_points_and_the_distance_to_the_next_tier(
            self, holder, mine, till):
        till.open_shift()
        till.ok(till.checkout([{"sku": "OAT-MILK-1L"}], [{"type": "cash", "amount": "149.90"}],
                              card_code=mine), 201)
        html = holder.text(f"/me/cards/{own_card_id(holder)}")
        assert '<dd id="balance">7.00</dd>' in html
        assert "7.00 points expire by 2026-12-22" in html  # within 30 days
        assert re.search(r"<td>2026-12-12</td><td class=\"num\">7.00</td>", html)  # 20 days
        assert '<dd id="to-next-tier">850.10</dd>' in html
        assert mine not in html

    def test_pending_points_show_the_day_they_become_spendable(self, api, me, till):
        number = issue_card(api, "SLOW", is_bonus=True, earn_percent="5", pending_days=14)
        me.sign_in(number)
        till.open_shift()
        till.ok(till.checkout([{"sku": "OAT-MILK-1L"}], [{"type": "cash", "amount": "149.90"}],
                              card_code=number), 201)
        html = me.text(f"/me/cards/{own_card_id(me)}")
        assert '<dd id="pending">7.00</dd>' in html
        assert re.search(r'id="pending-days">.*<td>2026-12-06</td><td class="num">7.00</td>',
                         html, re.DOTALL)
        assert 'id="tier"' not in html  # a type without tiers has no tier to show

    def test_history_is_paged_and_escaped(self, holder, mine, api):
        manager = api.as_("manager")
        for n in range(21):
            manager.post(f"/api/v1/loyalty/cards/{mine}/adjustments",
                         json={"points": "1", "reason": f"<b>gift {n}</b>"})
        card_id = own_card_id(holder)
        first = holder.text(f"/me/cards/{card_id}/history")
        assert first.count('class="entry"') == 20 and "Page 1 of 2" in first
        assert "&lt;b&gt;gift 20&lt;/b&gt;" in first and "<b>gift" not in first
        second = holder.text(f"/me/cards/{card_id}/history?page=2")
        assert second.count('class="entry"') == 1 and "&lt;b&gt;gift 0&lt;/b&gt;" in second

    @pytest.mark.parametrize("page", ["0", "x", "²", "9" * 40])
    def test_a_bad_page_number_is_a_message(self, holder, page):
        response = holder.page(f"/me/cards/{own_card_id(holder)}/history?page={page}")
        assert response.status_code == 422 and problem_code(response) == "invalid_page"

    @pytest.mark.parametrize("suffix", ["", "/history"])
    def test_another_holders_card_is_404_like_one_that_does_not_exist(
            self, holder, other_browser, theirs, suffix):
        other_browser.sign_in(theirs)
        [their_id] = card_ids(other_browser.text("/me/cards"))
        for card_id in (their_id, 999_999):
            response = holder.page(f"/me/cards/{card_id}{suffix}")
            assert response.status_code == 404, card_id
            assert problem_code(response) == "card_not_found"
            assert theirs not in response.get_data(as_text=True)
        assert holder.page(f"/me/cards/{2**70}{suffix}").status_code == 404  # no such id

    def test_every_page_has_the_policy_and_no_inline_script_or_style(self, holder):
        card_id = own_card_id(holder)
        for path in ("/me/cards", f"/me/cards/{card_id}", f"/me/cards/{card_id}/history",
                     "/me/cards/999999"):
            response = holder.page(path)
            html = response.get_data(as_text=True)
            assert "script-src 'self'" in response.headers["Content-Security-Policy"], path
            assert "<script" not in html and "style=" not in html and "<style" not in html, path

    def test_a_holder_is_no_partner(self, holder):
        assert holder.page("/me/partner").headers["Location"].endswith("/me")


class TestPrincipalKinds:
    def test_a_holder_signed_in_at_me_is_signed_out_at_the_till(self, holder):
        html = holder.page("/till").get_data(as_text=True)
        assert 'id="sign-in"' in html  # the till's sign-in form
        assert holder.client.get("/till/x-report").status_code == 302

    def test_a_cashier_signed_in_at_the_till_is_signed_out_at_me(self, client, shop: Shop):
        TillScreen(client, shop).sign_in()
        me = MeScreen(client)
        for path in HOLDER_ROUTES + ("/me/partner",):
            response = me.page(path)
            assert response.status_code == 302 and response.headers["Location"].endswith("/me")
