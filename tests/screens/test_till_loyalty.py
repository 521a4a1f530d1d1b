"""The till's loyalty card, points and gift certificate payments through the Flask test client."""

from __future__ import annotations

import re

import pytest

from loyalty.cards import service as cards
from loyalty.points import service as points
from pos.core.context import Context
from tests.gift_helpers import add_certificate_item, add_types, sell
from tests.helpers import OAT_MILK_EAN, Shop, context_for
from tests.screens.conftest import TillScreen, problem_code

NO_ITEM_EAN = "4700000999989"  # a well-formed EAN-13 no item and no card has
BONUS = {"code": "BONUS", "name": "Bonus card", "is_bonus": True, "is_personal": True,
         "number_prefix": "29", "earn_bp": 500, "segment_bp": {}, "campaigns": [],
         "rounding": "down", "is_fractional": False, "pending_days": 0, "expiry_days": 365,
         "point_value_minor": 100, "max_share_percent": 50,
         "tiers": [{"name": "Silver", "min_minor": 0}], "validity_days": None}


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture
def manager_ctx(db, registry, shop: Shop, fixed_clock) -> Context:  # type: ignore[no-untyped-def]
    """The manager, acting now."""
    return context_for(db, registry, "manager", fixed_clock.now(), till_id=shop.till_id)


@pytest.fixture
def card(manager_ctx: Context) -> str:
    """An active personal bonus card of Hal Holder's with 100 points (100.00 to spend)."""
    cards.create_card_type(manager_ctx, dict(BONUS))
    number = cards.issue_cards(manager_ctx, "BONUS", 1, cards.NewHolder("Hal Holder"),
                               is_active=True)[0].number
    points.adjust(manager_ctx, number, 100_00, "welcome points")
    return number


@pytest.fixture
def certificate(selling: TillScreen, db, registry, shop: Shop, fixed_clock,  # type: ignore[no-untyped-def]
                manager_ctx: Context) -> str:
    """The code of a 1000.00 certificate sold earlier in this shift."""
    add_certificate_item(db, fixed_clock.now())
    add_types(manager_ctx)
    cashier = context_for(db, registry, "cashier", fixed_clock.now(), till_id=shop.till_id)
    return sell(cashier, shop.till_id)[1]


class TestLoyaltyCard:
    def test_a_card_attached_in_the_panel_shows_masked_holder_tier_and_points(
            self, selling: TillScreen, card: str) -> None:
        selling.scan(OAT_MILK_EAN)
        response = selling.post("/till/card", {"card_code": card})
        html = text_of(response)
        assert response.status_code == 200
        assert f'data-card="{card}"' in html and "hx-swap-oob" in html
        assert '<span id="card-holder">Hal H.</span>' in html and "Hal Holder" not in html
        assert '<span id="card-tier">Silver</span>' in html
        assert '<span id="card-points">100.00</span>' in html

    def test_a_card_number_scanned_in_the_scan_field_is_attached(
            self, selling: TillScreen, card: str) -> None:
        selling.scan(OAT_MILK_EAN)
        assert f'data-card="{card}"' in text_of(selling.scan(card))
        assert f'data-card="{card}"' in text_of(selling.page())  # the header after a reload

    @pytest.mark.parametrize(("number", "code"), [("2900000999992", "plu_not_found"),
                                                   (NO_ITEM_EAN, "barcode_not_found")])
    def test_a_number_no_card_and_no_item_has_is_no_such_item(
            self, selling: TillScreen, card: str, number: str, code: str) -> None:
        response = selling.scan(number)
        assert problem_code(response) == code

    def test_an_unknown_card_in_the_panel_is_the_apis_problem(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        response = selling.post("/till/card", {"card_code": "2900000999992"})
        assert response.status_code == 422 and problem_code(response) == "unknown_card"

    def test_a_blocked_card_is_refused(self, selling: TillScreen, card: str,
                                       manager_ctx: Context) -> None:
        cards.change_state(manager_ctx, card, "block", "lost")
        selling.scan(OAT_MILK_EAN)
        response = selling.post("/till/card", {"card_code": card})
        assert response.status_code == 409 and problem_code(response) == "card_blocked"

    def test_the_card_comes_off_the_sale(self, selling: TillScreen, card: str) -> None:
        selling.scan(OAT_MILK_EAN)
        selling.post("/till/card", {"card_code": card})
        html = text_of(selling.post("/till/card/remove"))
        assert 'id="card" hx-swap-oob="innerHTML"' in html and "data-card=" not in html

    def test_attaching_needs_the_csrf_token(self, selling: TillScreen, card: str) -> None:
        response = selling.client.post("/till/card", data={"card_code": card},
                                        headers={"HX-Request": "true"})
        assert response.status_code == 403 and problem_code(response) == "csrf_failed"


class TestPoints:
    def test_the_panel_shows_the_balance_and_the_most_payable(
            self, selling: TillScreen, card: str) -> None:
        selling.scan(OAT_MILK_EAN)
        selling.post("/till/card", {"card_code": card})
        html = text_of(selling.get("/till/points"))
        # At most 50% of 149.90 in points, whole points of 1.00: 74.00 (the API's figure).
        assert '<strong id="points-balance">100.00</strong>' in html
        assert '<strong id="points-max">74.00</strong>' in html  # the API's figure

    def test_an_empty_amount_pays_the_most_and_the_points_go_down(
            self, selling: TillScreen, card: str) -> None:
        selling.scan(OAT_MILK_EAN)
        selling.post("/till/card", {"card_code": card})
        html = text_of(selling.post("/till/points", {"amount": ""}))
        assert "<li>points 74.00</li>" in html and '<dd id="due">75.90</dd>' in html
        assert '<span id="card-points">26.00</span>' in html

    def test_more_than_the_most_is_the_apis_refusal(self, selling: TillScreen,
                                                    card: str) -> None:
        selling.scan(OAT_MILK_EAN)
        selling.post("/till/card", {"card_code": card})
        response = selling.post("/till/points", {"amount": "80"})
        assert response.status_code == 422
        assert problem_code(response) == "points_share_exceeded"

    def test_points_without_a_card_are_refused(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        response = selling.get("/till/points")
        assert response.status_code == 409 and problem_code(response) == "card_required"


class TestCertificates:
    def test_the_look_up_shows_the_balance_and_suggests_what_is_due(
            self, selling: TillScreen, certificate: str) -> None:
        selling.scan(OAT_MILK_EAN)
        html = text_of(selling.post("/till/certificate/look-up", {"code": certificate}))
        assert '<strong id="certificate-balance">1000.00</strong>' in html
        assert 'value="149.90"' in html and certificate[-4:] in html

    def test_a_mixed_payment_of_points_certificate_and_cash_shows_the_change(
            self, selling: TillScreen, card: str, certificate: str) -> None:
        selling.scan(OAT_MILK_EAN)
        selling.scan(OAT_MILK_EAN)  # 299.80
        selling.post("/till/card", {"card_code": card})
        selling.post("/till/points", {"amount": "50"})
        selling.post("/till/certificate", {"code": certificate, "amount": "200"})
        html = text_of(selling.post("/till/pay", {"type": "cash", "amount": "100"}))
        assert '<dd id="change" class="change">50.20</dd>' in html
        closed = text_of(selling.post("/till/close"))
        assert '<strong id="closed-change">50.20</strong>' in closed
        assert 'id="card" hx-swap-oob="innerHTML"' in closed and "data-card=" not in closed

    def test_a_mistyped_code_is_refused_without_a_look_up(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        response = selling.post("/till/certificate/look-up", {"code": "NOPE"})
        assert response.status_code == 422
        assert problem_code(response) == "invalid_certificate_code"

    def test_more_than_the_balance_is_refused(self, selling: TillScreen,
                                              certificate: str) -> None:
        for _ in range(7):
            selling.scan(OAT_MILK_EAN)  # 1049.30
        response = selling.post("/till/certificate", {"code": certificate, "amount": "1049.30"})
        assert response.status_code == 409
        assert problem_code(response) == "insufficient_balance"
