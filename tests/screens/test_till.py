"""The till screen's fragments through the Flask test client: sign-in to close of shift."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from pos.core.barcode import encode_weight_barcode
from pos.stores.model import Store
from tests.helpers import BANANA_PLU, MILK_EAN, OAT_MILK_EAN, Shop
from tests.screens.conftest import TillScreen, problem_code


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def banana_code(app, grams: int) -> str:  # type: ignore[no-untyped-def]
    layout = app.extensions["pos.barcode_layouts"][0]
    return encode_weight_barcode("21", BANANA_PLU, grams, layout)


class TestSignIn:
    def test_the_sign_in_page_offers_the_active_tills(self, screen: TillScreen) -> None:
        html = text_of(screen.page())
        assert "Sign in at the till" in html and "MAIN · Till 1" in html

    def test_a_cashier_signs_in_by_pin_and_is_asked_for_the_float(
            self, screen: TillScreen) -> None:
        response = screen.sign_in()
        assert response.status_code == 302
        assert "Open the shift" in text_of(screen.page())

    @pytest.mark.parametrize("till", ["²", "٣", "9223372036854775808", "-1", ""])
    def test_a_till_that_is_no_number_is_refused_not_a_server_error(
            self, screen: TillScreen, till: str) -> None:
        screen.page()
        response = screen.client.post("/till/sign-in", data={
            "csrf_token": screen.csrf, "username": "cashier", "pin": "1111", "till_id": till})
        assert 400 <= response.status_code < 500
        assert "Open the shift" not in text_of(screen.page())

    def test_a_wrong_pin_is_refused_with_a_readable_message(self, screen: TillScreen) -> None:
        response = screen.sign_in(pin="9999")
        assert response.status_code == 401
        assert problem_code(response) == "invalid_credentials"
        assert "Wrong user name or PIN" in text_of(response)

    def test_guessing_pins_is_throttled(self, screen: TillScreen, app) -> None:  # type: ignore[no-untyped-def]
        free = app.extensions["pos.settings"].login_max_failures
        for _ in range(free):
            screen.sign_in(pin="0000")
        response = screen.sign_in(pin="1111")
        assert response.status_code == 429
        assert problem_code(response) == "too_many_attempts"
        assert int(response.headers["Retry-After"]) > 0

    def test_a_cashier_cannot_sign_in_at_another_stores_till(
            self, screen: TillScreen, shop: Shop) -> None:
        response = screen.sign_in(till_id=shop.other_store_till_id)
        assert response.status_code == 403
        assert problem_code(response) == "till_not_allowed"

    def test_signing_out_revokes_the_session(self, selling: TillScreen) -> None:
        assert selling.post("/till/sign-out").headers["HX-Redirect"].endswith("/till")
        assert "Sign in at the till" in text_of(selling.page())


class TestShift:
    def test_opening_the_shift_shows_the_sale(self, screen: TillScreen) -> None:
        screen.sign_in()
        screen.open_shift("1000")
        html = text_of(screen.page())
        assert "Scan the first item" in html and 'id="shift-state"' in html

    def test_the_float_form_works_before_htmx_has_loaded(self, screen: TillScreen) -> None:
        screen.sign_in()
        response = screen.client.post("/till/shift", data={"float": "1000",
                                                           "csrf_token": screen.csrf})
        assert response.status_code == 302
        assert "Scan the first item" in text_of(screen.page())

    def test_a_float_that_is_no_amount_is_explained(self, screen: TillScreen) -> None:
        screen.sign_in()
        response = screen.post("/till/shift", {"float": "lots"})
        assert response.status_code == 422
        assert problem_code(response) == "invalid_amount"

    def test_a_second_browser_cannot_open_the_same_tills_shift(
            self, selling: TillScreen) -> None:
        response = selling.post("/till/shift", {"float": "10"})
        assert response.status_code == 409
        assert problem_code(response) == "shift_already_open"


class TestScanning:
    def test_a_scanned_ean_adds_a_line_with_price_and_amount(self, selling: TillScreen) -> None:
        html = text_of(selling.scan(OAT_MILK_EAN))
        assert 'data-sku="OAT-MILK-1L"' in html and "149.90" in html
        assert '<dd id="total">149.90</dd>' in html

    def test_a_weight_barcode_gives_the_weighed_quantity(self, selling: TillScreen, app) -> None:  # type: ignore[no-untyped-def]
        html = text_of(selling.scan(banana_code(app, 1250)))
        assert 'data-sku="BANANA-KG"' in html and "1.250" in html
        assert "weight from barcode" in html
        assert '<dd id="total">162.38</dd>' in html  # 129.90 x 1.25 = 162.375, half up

    def test_a_typed_sku_is_added_and_a_quantity_may_lead(self, selling: TillScreen) -> None:
        html = text_of(selling.scan("3*milk-1l", via="keys"))
        assert 'data-sku="MILK-1L"' in html and '<dd id="total">269.70</dd>' in html

    def test_a_typed_name_lists_what_matches(self, selling: TillScreen) -> None:
        response = selling.scan("oat", via="keys")
        assert response.headers["HX-Retarget"] == "#search"
        html = text_of(response)
        assert "Oat milk 1 l" in html and 'name="code" value="OAT-MILK-1L"' in html
        picked = text_of(selling.scan("OAT-MILK-1L", via="pick"))
        assert 'data-sku="OAT-MILK-1L"' in picked

    def test_an_unknown_scan_is_explained_not_searched(self, selling: TillScreen) -> None:
        response = selling.scan("4600000000107")
        assert problem_code(response) == "barcode_not_found"

    def test_a_reload_shows_the_sale_in_progress(self, selling: TillScreen) -> None:
        selling.scan(MILK_EAN)
        assert 'data-sku="MILK-1L"' in text_of(selling.page())


class TestLines:
    def test_changing_the_quantity_reprices_the_line(self, selling: TillScreen) -> None:
        selling.scan(MILK_EAN)
        html = text_of(selling.post("/till/line/quantity", {"line_no": "1", "quantity": "2"}))
        assert '<dd id="total">179.80</dd>' in html

    def test_a_fractional_quantity_of_a_piece_item_is_refused(self, selling: TillScreen) -> None:
        selling.scan(MILK_EAN)
        response = selling.post("/till/line/quantity", {"line_no": "1", "quantity": "1.5"})
        assert problem_code(response) == "fractional_quantity"

    def test_removing_a_line_leaves_the_rest(self, selling: TillScreen) -> None:
        selling.scan(MILK_EAN)
        selling.scan(OAT_MILK_EAN)
        html = text_of(selling.post("/till/line/remove", {"line_no": "1"}))
        assert 'data-sku="MILK-1L"' not in html and 'data-sku="OAT-MILK-1L"' in html

    def test_no_line_chosen_is_explained(self, selling: TillScreen) -> None:
        selling.scan(MILK_EAN)
        response = selling.post("/till/line/remove", {"line_no": ""})
        assert problem_code(response) == "invalid_line"

    def test_a_lines_discounts_are_explained_on_demand(self, selling: TillScreen) -> None:
        selling.scan(MILK_EAN)
        html = text_of(selling.get("/till/line/discounts?line_no=1"))
        assert "Discounts of line 1: Milk 1 l" in html and "No discount applies" in html

    def test_changing_lines_without_a_sale_is_explained(self, selling: TillScreen) -> None:
        response = selling.post("/till/line/remove", {"line_no": "1"})
        assert problem_code(response) == "no_open_receipt"


class TestPaying:
    def test_cash_shows_tendered_and_change_at_once(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        html = text_of(selling.post("/till/pay", {"type": "cash", "amount": "200"}))
        assert '<dd id="tendered">200.00</dd>' in html
        assert '<dd id="change" class="change">50.10' in html

    def test_a_mixed_payment_with_change_closes_with_a_number(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        selling.scan(MILK_EAN)
        selling.post("/till/pay", {"type": "card", "amount": "100"})
        html = text_of(selling.post("/till/pay", {"type": "cash", "amount": "200,00"}))
        assert '<dd id="due">0.00</dd>' in html and '<dd id="change" class="change">60.20' in html
        closed = text_of(selling.post("/till/close"))
        assert "Receipt No. 1 closed" in closed and '<strong id="closed-change">60.20' in closed
        assert "Scan the first item" not in closed and 'class="line"' not in closed

    def test_card_pays_what_is_due_when_no_amount_is_typed(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        html = text_of(selling.post("/till/pay", {"type": "card", "amount": ""}))
        assert '<dd id="due">0.00</dd>' in html and "card 149.90" in html

    def test_closing_before_paying_in_full_is_refused(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        response = selling.post("/till/close")
        assert response.status_code == 409
        assert problem_code(response) == "not_fully_paid"

    def test_a_card_beyond_what_is_due_is_refused(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        response = selling.post("/till/pay", {"type": "card", "amount": "500"})
        assert response.status_code in (409, 422)
        assert problem_code(response) is not None

    def test_an_unknown_payment_type_is_refused(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        response = selling.post("/till/pay", {"type": "cheque", "amount": "1"})
        assert problem_code(response) == "unknown_payment_type"


class TestReports:
    def test_the_x_report_shows_the_shifts_sales(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        selling.post("/till/pay", {"type": "cash", "amount": "200"})
        selling.post("/till/close")
        html = text_of(selling.page("/till/x-report"))
        assert "X report" in html and "149.90" in html and "expected" in html

    def test_a_cashier_of_a_blind_store_is_kept_from_the_x_report(
            self, selling: TillScreen, db, shop: Shop) -> None:  # type: ignore[no-untyped-def]
        with db.transaction() as s:
            s.execute(update(Store).where(Store.id == shop.store_id).values(blind_close=True))
        response = selling.page("/till/x-report")
        assert response.status_code == 403
        assert problem_code(response) == "x_report_restricted"

    def test_closing_the_shift_shows_the_z_report(self, selling: TillScreen) -> None:
        html = text_of(selling.post("/till/shift/close", {"counted": "1000"}))
        assert "Shift" in html and "Z report No." in html and "expected" in html

    def test_a_blind_close_hides_the_expected_cash(self, selling: TillScreen, db, shop: Shop  # type: ignore[no-untyped-def]
                                                   ) -> None:
        with db.transaction() as s:
            s.execute(update(Store).where(Store.id == shop.store_id).values(blind_close=True))
        assert "closes blind" in text_of(selling.page("/till/shift/close"))
        html = text_of(selling.post("/till/shift/close", {"counted": "1000"}))
        assert "for the manager (blind close)" in html and "expected_cash" not in html
        assert "expected cash" not in html.replace("The expected cash", "")

    def test_closing_with_an_open_sale_is_explained(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        response = selling.post("/till/shift/close", {"counted": "1000"})
        assert problem_code(response) == "open_receipts"


class TestApprovalInPlace:
    def test_voiding_a_sale_asks_a_manager_in_place(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        response = selling.post("/till/void", headers={"HX-Target": "receipt"})
        assert response.status_code == 403
        assert problem_code(response) == "approval_required"
        html = text_of(response)
        assert 'id="approval"' in html and 'hx-post="/till/void"' in html
        assert 'hx-target="#receipt"' in html

    def test_the_managers_pin_approves_and_the_sale_is_voided(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        response = selling.post("/till/void", {"approval_user": "manager",
                                               "approval_pin": "2222"})
        assert response.status_code == 200
        assert "Scan the first item" in text_of(response)
        assert 'data-sku="OAT-MILK-1L"' not in text_of(selling.page())

    def test_a_wrong_pin_is_refused_and_asked_again(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        response = selling.post("/till/void", {"approval_user": "manager",
                                               "approval_pin": "9999"})
        assert problem_code(response) == "approval_invalid"
        assert 'id="approval"' in text_of(response)
        assert 'data-sku="OAT-MILK-1L"' in text_of(selling.page())

    def test_a_cashiers_own_pin_approves_nothing(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        response = selling.post("/till/void", {"approval_user": "cashier",
                                               "approval_pin": "1111"})
        assert problem_code(response) == "approval_invalid"

    def test_a_typed_weight_is_approved_with_the_fields_it_was_typed_with(
            self, selling: TillScreen) -> None:
        response = selling.scan("0.5*BANANA-KG", via="keys")
        assert problem_code(response) == "approval_required"
        html = text_of(response)
        assert 'name="code" value="0.5*BANANA-KG"' in html and 'name="via" value="keys"' in html
        assert "csrf_token" not in html
        approved = selling.post("/till/scan", {"code": "0.5*BANANA-KG", "via": "keys",
                                               "approval_user": "manager",
                                               "approval_pin": "2222"})
        assert approved.status_code == 200
        assert "weight from manual" in text_of(approved) and "0.500" in text_of(approved)


class TestCustomerDisplay:
    def test_the_display_shows_the_lines_and_total_of_the_sale(self, selling: TillScreen,
                                                               shop: Shop) -> None:
        assert "Welcome" in text_of(selling.get(f"/till/{shop.till_id}/display/now"))
        selling.scan(OAT_MILK_EAN)
        html = text_of(selling.get(f"/till/{shop.till_id}/display/now"))
        assert "Oat milk 1 l" in html and '<dd id="display-total">149.90</dd>' in html

    def test_after_closing_it_shows_the_change(self, selling: TillScreen, shop: Shop) -> None:
        selling.scan(OAT_MILK_EAN)
        selling.post("/till/pay", {"type": "cash", "amount": "200"})
        selling.post("/till/close")
        html = text_of(selling.get(f"/till/{shop.till_id}/display/now"))
        assert '<dd id="display-change" class="change">50.10</dd>' in html and "Thank you" in html

    def test_the_page_polls_its_content(self, selling: TillScreen, shop: Shop) -> None:
        html = text_of(selling.page(f"/till/{shop.till_id}/display"))
        assert f'hx-get="/till/{shop.till_id}/display/now"' in html and "every 1s" in html

    def test_another_tills_display_is_not_found(self, selling: TillScreen, shop: Shop) -> None:
        response = selling.get(f"/till/{shop.other_till_id}/display/now")
        assert response.status_code == 404
        assert problem_code(response) == "till_not_found"
