"""Returns by receipt number, reprints, manual discounts, the scale and hints at the till."""

from __future__ import annotations

import dataclasses
import re
import socket

import pytest

from tests.helpers import MILK_EAN, OAT_MILK_EAN, ApiClient, Shop, Till
from tests.screens.conftest import TillScreen, problem_code


@pytest.fixture
def no_device_service(app, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Point the app at a loopback port nothing listens on (a demo may own the default one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = app.extensions["pos.settings"]
    monkeypatch.setitem(app.extensions, "pos.settings",
                        dataclasses.replace(settings, device_service=f"127.0.0.1:{port}"))


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def sold(screen: TillScreen, *codes: str, cash: str = "500") -> int:
    """Sell ``codes`` for cash and close; return the receipt's number."""
    for code in codes:
        screen.scan(code)
    screen.post("/till/pay", {"type": "cash", "amount": cash})
    html = text_of(screen.post("/till/close"))
    found = re.search(r"Receipt No\. (\d+) closed", html)
    assert found, html
    return int(found.group(1))


def client_uuid(html: str) -> str:
    found = re.search(r'name="client_uuid" value="([^"]+)"', html)
    assert found
    return found.group(1)


class TestReturns:
    def test_the_receipt_number_shows_the_sale_with_its_lines(self, selling: TillScreen) -> None:
        number = sold(selling, OAT_MILK_EAN, MILK_EAN)
        html = text_of(selling.get(f"/till/return?number={number}"))
        assert f"Return from receipt No. {number}" in html
        assert 'data-sku="OAT-MILK-1L"' in html and 'name="qty-2"' in html
        assert "cash 500.00" in html

    def test_returning_a_line_refunds_it_as_the_sale_was_paid(
            self, selling: TillScreen) -> None:
        number = sold(selling, OAT_MILK_EAN, MILK_EAN)
        form = text_of(selling.get(f"/till/return?number={number}"))
        sale_id = re.search(r'name="original_receipt_id" value="(\d+)"', form).group(1)  # type: ignore[union-attr]
        response = selling.post("/till/return", {"original_receipt_id": sale_id,
                                                 "client_uuid": client_uuid(form),
                                                 "qty-1": "1", "qty-2": ""})
        html = text_of(response)
        assert response.status_code == 200
        assert "149.90 refunded" in html and "<li>cash 149.90</li>" in html
        again = text_of(selling.get(f"/till/return?number={number}"))
        assert re.search(r'data-sku="OAT-MILK-1L">.*?1\.000.*?1\.000', again)

    def test_the_same_form_sent_twice_returns_once(self, selling: TillScreen) -> None:
        number = sold(selling, OAT_MILK_EAN)
        form = text_of(selling.get(f"/till/return?number={number}"))
        sale_id = re.search(r'name="original_receipt_id" value="(\d+)"', form).group(1)  # type: ignore[union-attr]
        body = {"original_receipt_id": sale_id, "client_uuid": client_uuid(form), "qty-1": "1"}
        first, second = selling.post("/till/return", body), selling.post("/till/return", body)
        assert first.status_code == second.status_code == 200
        number_of = re.compile(r"Return No\. (\d+) closed")
        assert number_of.search(text_of(first)).group(1) == \
            number_of.search(text_of(second)).group(1)  # type: ignore[union-attr]

    def test_more_than_was_sold_is_the_apis_refusal(self, selling: TillScreen) -> None:
        number = sold(selling, OAT_MILK_EAN)
        form = text_of(selling.get(f"/till/return?number={number}"))
        sale_id = re.search(r'name="original_receipt_id" value="(\d+)"', form).group(1)  # type: ignore[union-attr]
        response = selling.post("/till/return", {"original_receipt_id": sale_id, "qty-1": "2"})
        assert response.status_code == 422
        assert problem_code(response) == "return_exceeds_sold"

    def test_an_unknown_number_is_not_found(self, selling: TillScreen) -> None:
        response = selling.get("/till/return?number=999")
        assert response.status_code == 404 and problem_code(response) == "receipt_not_found"

    def test_a_number_that_is_no_number_is_explained(self, selling: TillScreen) -> None:
        response = selling.get("/till/return?number=%C2%B2")
        assert response.status_code == 422 and problem_code(response) == "invalid_number"

    def test_another_tills_sale_is_not_reachable(self, selling: TillScreen, api: ApiClient,
                                                 shop: Shop) -> None:
        other = Till(api.as_("manager"), shop, shop.other_till_id)
        other.open_shift()
        other.open_receipt()
        other.sell("OAT-MILK-1L")
        other.pay_cash("200.00")
        sale = other.close()
        found = selling.get(f"/till/return?number={sale['number']}")
        assert found.status_code == 404 and problem_code(found) == "receipt_not_found"
        response = selling.post("/till/return", {"original_receipt_id": str(sale["id"]),
                                                 "qty-1": "1"})
        assert response.status_code == 404 and problem_code(response) == "receipt_not_found"

    def test_without_the_receipt_a_manager_approves_in_place(self, selling: TillScreen) -> None:
        sold(selling, OAT_MILK_EAN)
        form = text_of(selling.get("/till/return?number="))
        assert "Return without the receipt" in form
        body = {"client_uuid": client_uuid(form), "code-1": OAT_MILK_EAN, "count-1": "1"}
        asked = selling.post("/till/return", body, headers={"HX-Target": "receipt"})
        assert asked.status_code == 403 and problem_code(asked) == "approval_required"
        assert 'id="approval"' in text_of(asked) and f'value="{OAT_MILK_EAN}"' in text_of(asked)
        done = selling.post("/till/return", {**body, "approval_user": "manager",
                                             "approval_pin": "2222"})
        assert done.status_code == 200 and "<li>cash 149.90</li>" in text_of(done)

    def test_returning_needs_the_csrf_token(self, selling: TillScreen) -> None:
        response = selling.client.post("/till/return", data={"code-1": OAT_MILK_EAN},
                                        headers={"HX-Request": "true"})
        assert response.status_code == 403 and problem_code(response) == "csrf_failed"


class TestReprint:
    def test_without_a_device_service_the_copy_is_refused_with_its_reason(
            self, selling: TillScreen, no_device_service: None) -> None:
        sold(selling, OAT_MILK_EAN)
        response = selling.post("/till/reprint", {"number": ""})
        assert response.status_code == 503
        assert problem_code(response) == "device_service_unavailable"

    def test_a_number_this_till_never_gave_is_not_found(self, selling: TillScreen) -> None:
        response = selling.post("/till/reprint", {"number": "77"})
        assert response.status_code == 404 and problem_code(response) == "receipt_not_found"


class TestManualDiscount:
    @pytest.fixture(autouse=True)
    def limits(self, api: ApiClient) -> None:
        response = api.as_("manager").put("/api/v1/manual-discount-limits", json={"limits": [
            {"user_group": "cashiers", "max_percent": "5"}]})
        assert response.status_code == 200

    def test_within_the_limit_the_line_is_discounted(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        html = text_of(selling.post("/till/discount", {"value": "5%", "scope": "line",
                                                       "line_no": "1", "reason": "dented"}))
        assert "−7.50" in html and '<dd id="total">142.40</dd>' in html

    def test_above_the_limit_a_manager_approves_in_place(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        body = {"value": "20.00", "scope": "receipt", "reason": "regular"}
        asked = selling.post("/till/discount", body)
        assert asked.status_code == 403 and problem_code(asked) == "approval_required"
        assert 'name="value" value="20.00"' in text_of(asked)
        done = selling.post("/till/discount", {**body, "approval_user": "manager",
                                               "approval_pin": "2222"})
        assert '<dd id="total">129.90</dd>' in text_of(done)

    @pytest.mark.parametrize("value", ["", "ten", "101%", "-5"])
    def test_a_value_that_is_no_discount_is_explained(self, selling: TillScreen,
                                                      value: str) -> None:
        selling.scan(OAT_MILK_EAN)
        response = selling.post("/till/discount", {"value": value, "scope": "receipt"})
        assert response.status_code == 422 and problem_code(response) == "invalid_discount"


class TestScaleAndHints:
    def test_weighing_without_a_device_service_says_the_scale_is_absent(
            self, selling: TillScreen, no_device_service: None) -> None:
        response = selling.post("/till/weigh", {"code": "BANANA-KG"})
        assert response.status_code == 503 and problem_code(response) == "scale_absent"

    def test_hints_say_what_is_missing_for_a_discount(self, selling: TillScreen,
                                                      api: ApiClient) -> None:
        response = api.as_("manager").post("/api/v1/discounts", json={
            "name": "3% over 500", "scope": "document",
            "benefit": {"type": "percent_off", "percent": "3"},
            "conditions": [{"type": "receipt_volume", "min_amount": "500.00"}]})
        assert response.status_code == 201
        selling.scan(OAT_MILK_EAN)
        assert 'hx-get="/till/hints"' in text_of(selling.scan(OAT_MILK_EAN))
        html = text_of(selling.get("/till/hints"))
        assert 'class="hint-line"' in html and "200.20" in html

    def test_the_closest_hints_are_shown_and_the_rest_counted(self, selling: TillScreen,
                                                              api: ApiClient) -> None:
        for percent, least in (("6", "700.00"), ("3", "500.00"), ("5", "600.00"),
                               ("2", "400.00")):
            response = api.as_("manager").post("/api/v1/discounts", json={
                "name": f"{percent}% over {least}", "scope": "document",
                "benefit": {"type": "percent_off", "percent": percent},
                "conditions": [{"type": "receipt_volume", "min_amount": least}]})
            assert response.status_code == 201
        selling.scan(OAT_MILK_EAN)  # 149.90 a bottle: 299.80 with two
        selling.scan(OAT_MILK_EAN)
        html = text_of(selling.get("/till/hints"))
        shown = re.findall(r'class="hint-line"[^>]*>([^<]*)<', html)
        assert shown == ["Spend 100.20 more for 2% over 400.00",
                         "Spend 200.20 more for 3% over 500.00",
                         "Spend 300.20 more for 5% over 600.00"]
        assert "and 1 more" in html and "700.00" not in html

    def test_no_hint_without_a_nearly_met_discount(self, selling: TillScreen) -> None:
        selling.scan(OAT_MILK_EAN)
        assert "hint-line" not in text_of(selling.get("/till/hints"))



@pytest.mark.parametrize("path", [
    "/till/card", "/till/card/remove", "/till/points", "/till/certificate",
    "/till/certificate/look-up", "/till/return", "/till/reprint", "/till/discount",
    "/till/weigh"])
def test_every_new_action_needs_the_csrf_token(selling: TillScreen, path: str) -> None:
    selling.scan(OAT_MILK_EAN)
    response = selling.client.post(path, data={"code": OAT_MILK_EAN},
                                    headers={"HX-Request": "true"})
    assert response.status_code == 403 and problem_code(response) == "csrf_failed"
    assert selling.post(path, {"code": OAT_MILK_EAN}).status_code != 403


def test_the_certificate_panel_asks_for_a_code_that_takes_scans(selling: TillScreen) -> None:
    html = text_of(selling.get("/till/certificate"))
    assert 'id="certificate-code" data-scan-field autofocus' in html
    assert 'hx-post="/till/certificate/look-up"' in html
