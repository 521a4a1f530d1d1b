"""The office's receipts: search by number, till, shift, days, amount and card; one receipt."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ApiClient, Shop, Till, issue_card
from tests.screens.conftest import problem_code
from tests.screens.office_client import OfficeScreen
from tests.screens.office_ops_fixtures import html, open_with_sales, sell, west_manager


def _listed(page: str, receipt: dict[str, Any]) -> bool:
    return f'data-receipt="{receipt["id"]}"' in page


def _sale_with_card(till: Till, api: ApiClient) -> tuple[dict[str, Any], str]:
    number = issue_card(api)
    till.open_receipt()
    response = till.api.put(f"/api/v1/receipts/{till.receipt['id']}/card",
                            json={"card_code": number})
    assert response.status_code == 200, response.get_json()
    till.sell("MILK-1L")
    till.pay_cash("100.00")
    return till.close(), number


class TestSearch:
    def test_a_sale_is_found_by_its_number(self, managing: OfficeScreen, till: Till) -> None:
        sales = open_with_sales(till, 3)
        page = html(managing.page(f"/office/receipts?number={sales[1]['number']}"))
        assert _listed(page, sales[1])
        assert not _listed(page, sales[0]) and not _listed(page, sales[2])

    def test_filters_by_till_shift_days_and_amount(self, managing: OfficeScreen, till: Till,
                                                   api: ApiClient, shop: Shop) -> None:
        oat = open_with_sales(till, 1)[0]
        milk = sell(till, "MILK-1L", "100.00")
        other = Till(api, shop, shop.other_till_id)
        other.open_shift()
        elsewhere = sell(other)
        page = html(managing.page(f"/office/receipts?till={shop.other_till_id}"))
        assert _listed(page, elsewhere) and not _listed(page, oat)
        page = html(managing.page(f"/office/receipts?shift={till.shift['id']}&amount=89.90"))
        assert _listed(page, milk) and not _listed(page, oat) and not _listed(page, elsewhere)
        assert _listed(html(managing.page("/office/receipts?from=2026-11-22&to=2026-11-22")), oat)
        assert not _listed(html(managing.page("/office/receipts?to=2026-11-21")), oat)

    def test_days_are_the_stores_local_days(self, managing: OfficeScreen, till: Till,
                                            fixed_clock: Any) -> None:
        fixed_clock.advance(hours=13, minutes=30)  # 22:30 UTC: 01:30 the next day in Moscow
        late = open_with_sales(till, 1)[0]
        managing.sign_in()  # the morning's office session has ended
        assert _listed(html(managing.page("/office/receipts?from=2026-11-23&to=2026-11-23")),
                       late)
        assert not _listed(html(managing.page("/office/receipts?to=2026-11-22")), late)
        page = html(managing.page("/office/shifts?from=2026-11-23"))
        assert f'/office/shifts/{till.shift["id"]}"' in page  # opened 01:30 local, 23 November

    def test_another_stores_receipts_are_not_listed(self, api: ApiClient, shop: Shop,
                                                    office: OfficeScreen, till: Till) -> None:
        sale = open_with_sales(till, 1)[0]
        west = west_manager(api, shop, office)
        assert not _listed(html(west.page(f"/office/receipts?number={sale['number']}")), sale)

    @pytest.mark.parametrize(("query", "code"), [
        ("number=abc", "invalid_id"), (f"till={2**63}", "invalid_id"),
        ("amount=12.345", "invalid_amount"), ("amount=-1", "invalid_amount"),
        ("amount=1e40", "invalid_amount"), ("from=22.11.2026", "invalid_date"),
        ("page=-1", "invalid_page"),
    ])
    def test_bad_filters_are_messages_with_codes(self, managing: OfficeScreen, query: str,
                                                 code: str) -> None:
        response = managing.page(f"/office/receipts?{query}")
        assert response.status_code == 422 and problem_code(response) == code

    def test_the_pager_counts_the_matches(self, managing: OfficeScreen, till: Till) -> None:
        open_with_sales(till, 3)
        page = html(managing.page(f"/office/receipts?shift={till.shift['id']}"))
        assert "Page 1 of 1 · 3 in all" in page and 'rel="next"' not in page
        page = html(managing.page(f"/office/receipts?shift={till.shift['id']}&page=2"))
        assert "Page 2 of 1" in page and 'rel="prev"' in page and "No receipts match" in page


class TestCardSearch:
    def test_a_card_number_is_posted_and_the_search_goes_on_by_card_id(
            self, managing: OfficeScreen, till: Till, api: ApiClient) -> None:
        till.open_shift()
        plain = sell(till)
        with_card, number = _sale_with_card(till, api)
        response = managing.form("/office/receipts/card", {"card_number": number,
                                                           "shift": str(till.shift["id"])})
        assert response.status_code == 302
        location = response.headers["Location"]
        assert number not in location and "card=" in location and "shift=" in location
        page = html(managing.page(location))
        assert _listed(page, with_card) and not _listed(page, plain)
        assert number not in page

    def test_an_unknown_card_is_a_message_that_does_not_repeat_the_number(
            self, managing: OfficeScreen) -> None:
        response = managing.form("/office/receipts/card", {"card_number": "2999999999993"})
        assert response.status_code == 404 and problem_code(response) == "card_not_found"
        assert "2999999999993" not in html(response)

    def test_guessing_card_numbers_is_slowed_down(self, managing: OfficeScreen, till: Till,
                                                  api: ApiClient) -> None:
        till.open_shift()
        _, number = _sale_with_card(till, api)
        codes = [managing.form("/office/receipts/card", {"card_number": f"29999999{n:05d}"}
                               ).status_code for n in range(30)]
        # A number that passes the Luhn check is refused as a payment card's (422, not counted).
        first_blocked = codes.index(429)
        assert codes[:first_blocked].count(404) == 20 and set(codes[first_blocked:]) == {429}
        response = managing.form("/office/receipts/card", {"card_number": number})
        assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0

    def test_the_card_search_needs_the_csrf_token(self, managing: OfficeScreen) -> None:
        response = managing.client.post("/office/receipts/card",
                                        data={"card_number": "2999999999993"})
        assert response.status_code == 403 and problem_code(response) == "csrf_failed"


class TestReceipt:
    def test_its_page_shows_lines_payments_seller_and_journal(
            self, managing: OfficeScreen, till: Till) -> None:
        sale = open_with_sales(till, 1)[0]
        page = html(managing.page(f"/office/receipts/{sale['id']}"))
        assert f"No. {sale['number']}" in page and "Oat milk 1 l" in page
        assert "149.90" in page and "200.00" in page  # the total, the cash tendered
        assert 'id="cashier">Cass Cashier' in page
        assert 'data-fiscal="pending"' in page and "Journal</th><td>No." in page

    def test_a_discount_is_explained_and_a_return_against_it_is_listed(
            self, managing: OfficeScreen, till: Till, api: ApiClient, shop: Shop) -> None:
        till.open_shift()
        till.open_receipt()
        till.sell("OAT-MILK-1L")
        response = till.api.as_("manager").post(
            f"/api/v1/receipts/{till.receipt['id']}/manual-discounts",
            json={"amount": "9.90", "reason": "dented carton"})
        assert response.status_code == 201, response.get_json()
        till.pay_cash("140.00")
        sale = till.close()
        back = api.as_("cashier").post("/api/v1/returns", json={
            "till_id": shop.till_id, "original_receipt_id": sale["id"],
            "lines": [{"line_no": 1, "quantity": "1"}]})
        assert back.status_code == 201, back.get_json()
        page = html(managing.page(f"/office/receipts/{sale['id']}"))
        assert "dented carton" in page and "9.90" in page and "140.00" in page
        assert f'href="/office/receipts/{back.get_json()["id"]}"' in page

    def test_another_stores_manager_gets_404(self, api: ApiClient, shop: Shop,
                                             office: OfficeScreen, till: Till) -> None:
        sale = open_with_sales(till, 1)[0]
        response = west_manager(api, shop, office).page(f"/office/receipts/{sale['id']}")
        assert response.status_code == 404 and problem_code(response) == "receipt_not_found"

    @pytest.mark.parametrize("receipt_id", [2**63, 2**64, 0, "x1", "99999999999999999999999"])
    def test_ids_past_the_database_are_not_found(self, managing: OfficeScreen,
                                                 receipt_id: object) -> None:
        response = managing.page(f"/office/receipts/{receipt_id}")
        assert response.status_code == 404 and problem_code(response) == "receipt_not_found"
