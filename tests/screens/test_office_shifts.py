"""The office's shifts: list, a shift's page, cash in and out, close with the count, X and Z."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pos.core.db import Database
from pos.shifts.model import CashMovement, Shift
from pos.stores.model import Store
from tests.helpers import ApiClient, Shop, Till, hire
from tests.screens.conftest import problem_code
from tests.screens.office_client import OfficeScreen
from tests.screens.office_ops_fixtures import (
    has_inline_script,
    html,
    open_with_sales,
    sell,
    west_manager,
)

# Every page and form of this part of the office, with {shift} and {receipt} to fill in.
PAGES = ("/office/shifts", "/office/shifts/{shift}", "/office/shifts/{shift}/x-report",
         "/office/shifts/{shift}/z-report", "/office/receipts", "/office/receipts/{receipt}",
         "/office/approvals")
FORMS = ("/office/shifts/{shift}/cash-in", "/office/shifts/{shift}/cash-out",
         "/office/shifts/{shift}/close", "/office/receipts/card", "/office/approvals/code")


def _movements(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(CashMovement)) or 0)


def _shift(db: Database, shift_id: int) -> Shift:
    with db.read() as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None
        return shift


class TestGuards:
    @pytest.mark.parametrize("path", PAGES)
    def test_every_page_signed_out_goes_to_the_sign_in(self, office: OfficeScreen, till: Till,
                                                       path: str) -> None:
        receipts = open_with_sales(till, 1)
        response = office.page(path.format(shift=till.shift["id"], receipt=receipts[0]["id"]))
        assert response.status_code == 302 and response.headers["Location"].endswith("/office")

    @pytest.mark.parametrize("path", FORMS)
    def test_every_form_signed_out_goes_to_the_sign_in(self, office: OfficeScreen, till: Till,
                                                       path: str, db: Database) -> None:
        open_with_sales(till, 1)
        office.page()  # the sign-in page gives the session its CSRF token
        response = office.form(path.format(shift=till.shift["id"], receipt=1),
                               {"amount": "10", "reason": "float", "counted": "0"})
        assert response.status_code == 302 and response.headers["Location"].endswith("/office")
        assert _movements(db) == 0 and _shift(db, till.shift["id"]).is_open

    def test_a_cashier_is_refused_and_sees_no_shift(self, office: OfficeScreen,
                                                    till: Till) -> None:
        open_with_sales(till, 1)
        assert problem_code(office.sign_in("cashier")) == "office_forbidden"
        response = office.page(f"/office/shifts/{till.shift['id']}")
        assert response.status_code == 302

    def test_another_stores_manager_gets_404_and_cannot_act(
            self, api: ApiClient, shop: Shop, office: OfficeScreen, till: Till,
            db: Database) -> None:
        open_with_sales(till, 1)
        west = west_manager(api, shop, office)
        shift_id = till.shift["id"]
        for path in (f"/office/shifts/{shift_id}", f"/office/shifts/{shift_id}/x-report",
                     f"/office/shifts/{shift_id}/z-report"):
            response = west.page(path)
            assert response.status_code == 404 and problem_code(response) == "shift_not_found"
        response = west.form(f"/office/shifts/{shift_id}/close", {"counted": "1149.90"})
        assert response.status_code == 404 and problem_code(response) == "shift_not_found"
        response = west.form(f"/office/shifts/{shift_id}/cash-in",
                             {"amount": "10", "reason": "float"})
        assert response.status_code == 404
        assert _shift(db, shift_id).is_open and _movements(db) == 0
        assert f'data-shift="{shift_id}"' not in html(west.page("/office/shifts"))

    def test_a_form_without_the_csrf_token_is_refused(self, managing: OfficeScreen,
                                                      till: Till, db: Database) -> None:
        till.open_shift()
        response = managing.client.post(f"/office/shifts/{till.shift['id']}/cash-in",
                                        data={"amount": "10", "reason": "float"})
        assert response.status_code == 403 and problem_code(response) == "csrf_failed"
        response = managing.client.post(f"/office/shifts/{till.shift['id']}/close",
                                        data={"counted": "1000", "csrf_token": "forged"})
        assert response.status_code == 403 and problem_code(response) == "csrf_failed"
        assert _movements(db) == 0 and _shift(db, till.shift["id"]).is_open


class TestBadInput:
    @pytest.mark.parametrize(("query", "code"), [
        ("from=2026-13-01", "invalid_date"), ("to=yesterday", "invalid_date"),
        ("from=2026-11-22&to=2026-11-01", "invalid_date_range"),
        (f"till={2**63}", "invalid_id"), ("store=-1", "invalid_id"), ("till=１", "invalid_id"),
        ("page=0", "invalid_page"), (f"page={2**64}", "invalid_page"),
        ("state=lost", "invalid_state"),
    ])
    def test_bad_filters_are_messages_with_codes(self, managing: OfficeScreen, query: str,
                                                 code: str) -> None:
        response = managing.page(f"/office/shifts?{query}")
        assert response.status_code == 422 and problem_code(response) == code
        assert 'id="shift-filters"' in html(response)

    @pytest.mark.parametrize("shift_id", [2**63, 2**64, 0, "abc", "1e3", "٣"])
    def test_ids_past_the_database_are_not_found(self, managing: OfficeScreen,
                                                 shift_id: object) -> None:
        response = managing.page(f"/office/shifts/{shift_id}")
        assert response.status_code == 404 and problem_code(response) == "shift_not_found"

    @pytest.mark.parametrize(("fields", "code"), [
        ({"amount": "ten", "reason": "float"}, "invalid_amount"),
        ({"amount": "-5", "reason": "float"}, "invalid_amount"),
        ({"amount": "1.234", "reason": "float"}, "invalid_amount"),
        ({"amount": "1e30", "reason": "float"}, "invalid_amount"),
        ({"amount": "99999999999999999999", "reason": "float"}, "invalid_amount"),
        ({"amount": "0", "reason": "float"}, "invalid_amount"),
        ({"amount": "10", "reason": "  "}, "invalid_reason"),
        ({"amount": "10", "reason": "x" * 201}, "invalid_reason"),
    ])
    def test_bad_cash_in_is_a_message_and_nothing_is_written(
            self, managing: OfficeScreen, till: Till, db: Database, fields: dict[str, str],
            code: str) -> None:
        till.open_shift()
        response = managing.form(f"/office/shifts/{till.shift['id']}/cash-in", fields)
        assert response.status_code == 422 and problem_code(response) == code
        assert 'id="cash-in"' in html(response) and _movements(db) == 0

    def test_a_bad_count_keeps_the_shift_open(self, managing: OfficeScreen, till: Till,
                                              db: Database) -> None:
        till.open_shift()
        response = managing.form(f"/office/shifts/{till.shift['id']}/close", {"counted": "abc"})
        assert response.status_code == 422 and problem_code(response) == "invalid_amount"
        assert _shift(db, till.shift["id"]).is_open


class TestList:
    def test_the_list_shows_till_cashier_sales_and_state(self, managing: OfficeScreen,
                                                         till: Till) -> None:
        open_with_sales(till, 3)
        page = html(managing.page("/office/shifts"))
        assert f'data-shift="{till.shift["id"]}"' in page
        assert "Till 1" in page and "Cass Cashier" in page and "449.70" in page

    def test_filters_narrow_the_list(self, managing: OfficeScreen, till: Till,
                                     shop: Shop, api: ApiClient) -> None:
        open_with_sales(till, 1)
        other = Till(api, shop, shop.other_till_id)
        other.open_shift()
        shift_id, other_id = till.shift["id"], other.shift["id"]
        page = html(managing.page(f"/office/shifts?till={shop.other_till_id}"))
        assert f'data-shift="{other_id}"' in page and f'data-shift="{shift_id}"' not in page
        assert f'data-shift="{shift_id}"' not in html(managing.page("/office/shifts?state=closed"))
        page = html(managing.page("/office/shifts?from=2026-11-22&to=2026-11-22&state=open"))
        assert f'data-shift="{shift_id}"' in page
        later = html(managing.page("/office/shifts?from=2026-11-23"))
        assert f'data-shift="{shift_id}"' not in later

    def test_a_difference_over_the_stores_limit_is_highlighted(
            self, managing: OfficeScreen, till: Till) -> None:
        open_with_sales(till, 1)
        managing.form(f"/office/shifts/{till.shift['id']}/close", {"counted": "1000"})
        page = html(managing.page("/office/shifts"))
        assert "over-limit" in page and "-149.90" in page


class TestOpenShift:
    def test_its_page_shows_the_x_report_with_every_section(self, managing: OfficeScreen,
                                                            till: Till) -> None:
        open_with_sales(till, 2)
        page = html(managing.page(f"/office/shifts/{till.shift['id']}"))
        sections = [key for key, value in till.x_report().items() if isinstance(value, dict)]
        assert "loyalty" in sections and "gift_certificates" in sections  # features' sections
        for key in sections:
            assert f'data-section="{key}"' in page
        assert 'id="cash-in"' in page and 'id="close-shift"' in page

    def test_cash_in_and_out_are_recorded_with_the_reason(self, managing: OfficeScreen,
                                                          till: Till) -> None:
        till.open_shift()
        path = f"/office/shifts/{till.shift['id']}"
        assert managing.form(f"{path}/cash-in", {"amount": "50", "reason": "coins"}
                             ).status_code == 302
        assert managing.form(f"{path}/cash-out", {"amount": "300.50", "reason": "to the safe"}
                             ).status_code == 302
        page = html(managing.page(path))
        assert "coins" in page and "to the safe" in page and "300.50" in page
        assert till.x_report()["cash"]["expected"] == "749.50"

    def test_a_cash_out_beyond_the_drawer_is_refused(self, managing: OfficeScreen,
                                                     till: Till, db: Database) -> None:
        till.open_shift()
        response = managing.form(f"/office/shifts/{till.shift['id']}/cash-out",
                                 {"amount": "5000", "reason": "safe"})
        assert response.status_code == 409 and problem_code(response) == "insufficient_cash"
        assert 'value="5000"' in html(response) and _movements(db) == 0

    def test_a_cash_out_asks_a_manager_in_place_when_the_user_may_not(
            self, api: ApiClient, shop: Shop, office: OfficeScreen, till: Till,
            db: Database) -> None:
        till.open_shift()
        hire(api, "senior", "cashier", [shop.store_id], [shop.till_id],
             extra_rights=["view_reports"])
        office.sign_in("senior")
        path = f"/office/shifts/{till.shift['id']}/cash-out"
        response = office.form(path, {"amount": "100", "reason": "safe"})
        assert response.status_code == 403 and problem_code(response) == "approval_required"
        assert 'name="approval_user"' in html(response)
        response = office.form(path, {"amount": "100", "reason": "safe",
                                      "approval_user": "manager", "approval_pin": "2222"})
        assert response.status_code == 302
        with db.read() as session:
            assert session.scalar(select(CashMovement.approved_by_id)) is not None

    def test_a_reader_of_reports_without_the_cash_rights_is_refused(
            self, api: ApiClient, shop: Shop, office: OfficeScreen, till: Till,
            db: Database) -> None:
        till.open_shift()
        hire(api, "auditor", "card_holder", [shop.store_id], extra_rights=["view_reports"])
        office.sign_in("auditor")
        path = f"/office/shifts/{till.shift['id']}"
        response = office.form(f"{path}/cash-in", {"amount": "10", "reason": "float"})
        assert response.status_code == 403 and problem_code(response) == "forbidden"
        response = office.form(f"{path}/close", {"counted": "1000"})
        assert response.status_code == 403 and problem_code(response) == "forbidden"
        assert _movements(db) == 0 and _shift(db, till.shift["id"]).is_open

    def test_its_printable_x_report_has_a_print_button_and_no_inline_script(
            self, managing: OfficeScreen, till: Till) -> None:
        open_with_sales(till, 1)
        response = managing.page(f"/office/shifts/{till.shift['id']}/x-report")
        page = html(response)
        assert response.status_code == 200 and "X report" in page and "data-print" in page
        assert "office_ops.js" in page and not has_inline_script(page)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


class TestClose:
    def test_closing_with_the_count_shows_the_z_report(self, managing: OfficeScreen,
                                                       till: Till, db: Database) -> None:
        open_with_sales(till, 3)
        path = f"/office/shifts/{till.shift['id']}"
        response = managing.form(f"{path}/close", {"counted": "1449.70"})
        assert response.status_code == 302
        shift = _shift(db, till.shift["id"])
        assert not shift.is_open and shift.difference_minor == 0
        page = html(managing.page(path))
        assert f"Z report No. {shift.z_number}" in page and 'data-section="cash"' in page
        printable = html(managing.page(f"{path}/z-report"))
        assert "1449.70" in printable and "data-print" in printable

    def test_open_receipts_keep_the_shift_open(self, managing: OfficeScreen, till: Till,
                                               db: Database) -> None:
        till.open_shift()
        till.open_receipt()
        response = managing.form(f"/office/shifts/{till.shift['id']}/close", {"counted": "1000"})
        assert response.status_code == 409 and problem_code(response) == "open_receipts"
        assert _shift(db, till.shift["id"]).is_open

    def test_a_blind_store_asks_for_a_recount_beyond_its_tolerance(
            self, managing: OfficeScreen, till: Till, db: Database, shop: Shop) -> None:
        with db.transaction() as session:
            store = session.get(Store, shop.store_id)
            assert store is not None
            store.blind_close = True
        open_with_sales(till, 1)
        response = managing.form(f"/office/shifts/{till.shift['id']}/close", {"counted": "500"})
        assert response.status_code == 409 and problem_code(response) == "recount_required"
        assert _shift(db, till.shift["id"]).is_open

    def test_an_x_report_of_a_closed_shift_is_its_z_report(self, managing: OfficeScreen,
                                                           till: Till) -> None:
        till.open_shift()
        sell(till)
        managing.form(f"/office/shifts/{till.shift['id']}/close", {"counted": "1149.90"})
        response = managing.page(f"/office/shifts/{till.shift['id']}/x-report")
        assert response.status_code == 302 and response.headers["Location"].endswith("z-report")
