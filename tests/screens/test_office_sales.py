"""The office's sales page: figures as tables, the charts' JSON, one visible store at a time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pos.core.clock import FixedClock
from tests.helpers import ApiClient, Shop, Till
from tests.screens.conftest import problem_code
from tests.screens.office_client import OfficeScreen

DAY = "2026-11-22"  # the fixed clock's day: 09:00 UTC is 12:00 in Moscow (MAIN's zone)
WEEK_BEFORE = "2026-11-15"
CHARTS = ("hourly", "daily", "payments", "items", "discounts")


def _milk_discount(api: ApiClient) -> None:
    response = api.as_("manager").post("/api/v1/discounts", json={
        "name": "Milk 10%", "benefit": {"type": "percent_off", "percent": "10"},
        "segment": "MILK"})
    assert response.status_code == 201, response.get_json()


@pytest.fixture
def sold(api: ApiClient, shop: Shop, fixed_clock: FixedClock) -> dict[str, Any]:
    """A week ago one sale; today a cash sale at 12:xx, a card sale and a return at 13:xx."""
    _milk_discount(api)
    till = Till(api, shop)
    till.open_shift()
    till.open_receipt()
    till.sell("OAT-MILK-1L", quantity="3")  # 449.70 - 44.97 = 404.73
    till.pay_cash("500.00")  # 95.27 change
    first = till.close()
    fixed_clock.advance(hours=1)
    till.open_receipt()
    till.sell("MILK-1L")  # 89.90 - 8.99 = 80.91
    till.pay_card("80.91")
    till.close()
    back = till.ok(api.post("/api/v1/returns", json={
        "till_id": shop.till_id, "original_receipt_id": first["id"],
        "lines": [{"line_no": 1, "quantity": "1"}]}), 201)
    assert back["total"] == "134.91"
    # A week before (tokens issued today still hold: the clock only goes back).
    fixed_clock.set(datetime(2026, 11, 15, 7, 30, tzinfo=UTC))  # 10:30 in Moscow
    last_week = Till(api, shop, shop.other_till_id)
    last_week.open_shift()
    last_week.open_receipt()
    last_week.sell("MILK-1L")  # 80.91 after the discount
    last_week.pay_cash("80.91")
    last_week.close()
    fixed_clock.set(datetime(2026, 11, 22, 10, 0, tzinfo=UTC))
    return back


def _json(office: OfficeScreen, chart: str, query: str = "") -> dict[str, Any]:
    response = office.client.get(f"/office/sales/{chart}.json{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return dict(response.get_json())


class TestAccess:
    @pytest.mark.parametrize("path", ["/office/sales", *(f"/office/sales/{c}.json"
                                                        for c in CHARTS)])
    def test_signed_out_each_route_sends_to_the_sign_in(self, office: OfficeScreen,
                                                         path: str) -> None:
        response = office.client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/office"

    def test_a_cashier_gets_no_sales_figures(self, office: OfficeScreen) -> None:
        assert office.sign_in("cashier").status_code == 403
        response = office.client.get("/office/sales/hourly.json")
        assert response.status_code == 302

    def test_another_stores_figures_are_not_found(self, managing: OfficeScreen,
                                                  shop: Shop) -> None:
        response = managing.client.get(f"/office/sales/daily.json?store={shop.other_store_id}")
        assert response.status_code == 404
        assert response.get_json()["code"] == "store_not_found"
        page = managing.page(f"/office/sales?store={shop.other_store_id}")
        assert page.status_code == 404 and problem_code(page) == "store_not_found"

    def test_the_store_choice_lists_only_the_managers_stores(self, managing: OfficeScreen
                                                             ) -> None:
        html = managing.page("/office/sales").get_data(as_text=True)
        assert "MAIN · Main street" in html and "WEST" not in html
        assert 'href="/office/sales"' in html  # in the nav


class TestFigures:
    def test_revenue_by_hour_is_in_the_stores_local_hours(self, managing: OfficeScreen,
                                                          sold: dict[str, Any]) -> None:
        body = _json(managing, "hourly")
        assert (body["day"], body["compare_day"]) == (DAY, WEEK_BEFORE)
        revenue = {row["hour"]: row["revenue"] for row in body["rows"] if row["revenue"] != "0.00"}
        assert revenue == {12: "404.73", 13: "-54.00"}  # 80.91 sold - 134.91 returned
        compare = {row["hour"]: row["compare"] for row in body["rows"] if row["compare"] != "0.00"}
        assert compare == {10: "80.91"}

    def test_payment_types_count_cash_net_of_change_and_refunds(
            self, managing: OfficeScreen, sold: dict[str, Any]) -> None:
        rows = {row["kind"]: row for row in _json(managing, "payments")["rows"]}
        assert rows["cash"] == {"kind": "cash", "sales": "404.73", "refunds": "134.91",
                                "net": "269.82"}
        assert rows["card"]["net"] == "80.91"
        week_before = _json(managing, "payments", f"?day={WEEK_BEFORE}")["rows"]
        assert week_before == [{"kind": "cash", "sales": "80.91", "refunds": "0.00",
                                "net": "80.91"}]

    def test_revenue_by_day_covers_thirty_days(self, managing: OfficeScreen,
                                               sold: dict[str, Any]) -> None:
        rows = _json(managing, "daily")["rows"]
        assert len(rows) == 30 and rows[-1]["day"] == DAY
        revenue = {row["day"]: row["revenue"] for row in rows if row["revenue"] != "0.00"}
        assert revenue == {WEEK_BEFORE: "80.91", DAY: "350.73"}

    def test_top_items_subtract_returns(self, managing: OfficeScreen,
                                        sold: dict[str, Any]) -> None:
        rows = _json(managing, "items", f"?from={DAY}&to={DAY}")["rows"]
        assert [(r["sku"], r["quantity"], r["revenue"]) for r in rows] == [
            ("OAT-MILK-1L", "2.000", "269.82"), ("MILK-1L", "1.000", "80.91")]

    def test_discounts_given_are_added_up_by_rule(self, managing: OfficeScreen,
                                                  sold: dict[str, Any]) -> None:
        body = _json(managing, "discounts")
        assert [(row["name"], row["lines"], row["amount"]) for row in body["rows"]] == [
            ("Milk 10%", 3, "62.95")]  # 44.97 + 8.99 today, 8.99 a week before
        assert (body["given"], body["returned"], body["net"]) == ("62.95", sold["discount"],
                                                                 "47.96")
        today = _json(managing, "discounts", f"?from={DAY}")
        assert [row["amount"] for row in today["rows"]] == ["53.96"]

    def test_the_page_shows_every_figure_as_a_table(self, managing: OfficeScreen,
                                                    sold: dict[str, Any]) -> None:
        response = managing.page("/office/sales")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert html.count('class="grid figures"') == 5
        assert html.count("data-chart=") == 5
        for figure in ("404.73", "-54.00", "269.82", "350.73", "Oat milk 1 l", "Milk 10%"):
            assert figure in html
        assert f"Top items, 2026-10-24 to {DAY}" in html
        assert f"Discounts given, 2026-10-24 to {DAY}" in html
        assert "/screens/static/vendor/uPlot-1.6.32.iife.min.js" in html
        assert "<script>" not in html and "style=" not in html


class TestBadInput:
    @pytest.mark.parametrize(("query", "code"), [
        ("?day=yesterday", "bad_date"), ("?from=2026-13-01", "bad_date"),
        ("?from=2026-11-22&to=2026-11-01", "bad_period"),
        ("?from=2020-01-01&to=2026-11-22", "period_too_long"),
        ("?store=main", "bad_store"), ("?store=%D9%A1", "bad_store"),
        ("?store=999999", "store_not_found"), ("?day=0001-01-01", "date_out_of_range"),
        ("?to=9999-12-31", "date_out_of_range"), ("?day=" + "9" * 5000, "bad_date")])
    def test_a_bad_query_is_a_problem_with_a_code(self, managing: OfficeScreen, query: str,
                                                  code: str) -> None:
        response = managing.client.get(f"/office/sales/hourly.json{query}")
        assert 400 <= response.status_code < 500
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["code"] == code
        page = managing.page(f"/office/sales{query}")
        assert 400 <= page.status_code < 500 and problem_code(page) == code

    def test_an_unknown_chart_is_not_found(self, managing: OfficeScreen) -> None:
        assert managing.client.get("/office/sales/secrets.json").status_code == 404
