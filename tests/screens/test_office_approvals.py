"""The office's approvals: what waits for a manager, and one-time approval codes."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from pos.core.clock import FixedClock
from pos.core.db import Database
from pos.fiscal.model import FAILED, OutboxEntry
from pos.shifts.model import Shift
from tests.helpers import ApiClient, Shop, Till
from tests.screens.conftest import problem_code
from tests.screens.office_client import OfficeScreen
from tests.screens.office_ops_fixtures import html, open_with_sales, west_manager


def _section(page: str, name: str) -> str:
    found = re.search(rf'<section id="waiting-{name}">(.*?)</section>', page, re.S)
    assert found is not None, name
    return found.group(1)


def _age(db: Database, till: Till, clock: FixedClock) -> None:
    """Make the till's shift and its documents 25 hours old (tokens stay fresh)."""
    then = clock.now() - timedelta(hours=25)
    with db.transaction() as session:
        session.execute(update(Shift).where(Shift.id == till.shift["id"]).values(opened_at=then))
        session.execute(update(OutboxEntry).values(created_at=then))


class TestWaiting:
    def test_nothing_waits_in_a_quiet_store(self, managing: OfficeScreen) -> None:
        page = html(managing.page("/office/approvals"))
        assert 'id="waiting-count">0<' in page

    def test_a_difference_nobody_approved_is_listed_with_a_link(
            self, managing: OfficeScreen, till: Till) -> None:
        till.open_shift()
        till.as_("cashier").api.post(f"/api/v1/shifts/{till.shift['id']}/close",
                                     json={"counted_cash": "990.00"})  # within the tolerance
        section = _section(html(managing.page("/office/approvals")), "differences")
        assert f'href="/office/shifts/{till.shift["id"]}"' in section and "-10.00" in section

    def test_a_shift_past_24_hours_and_stuck_documents_are_listed(
            self, managing: OfficeScreen, till: Till, fixed_clock: FixedClock,
            db: Database) -> None:
        sale = open_with_sales(till, 1)[0]
        _age(db, till, fixed_clock)
        with db.transaction() as session:
            session.execute(update(OutboxEntry).where(OutboxEntry.document_id == sale["id"])
                            .values(state=FAILED, attempts=3, last_error="paper out"))
        page = html(managing.page("/office/approvals"))
        assert f'href="/office/shifts/{till.shift["id"]}"' in _section(page, "outlived")
        fiscal = _section(page, "fiscal")
        assert f'href="/office/receipts/{sale["id"]}"' in fiscal and "paper out" in fiscal

    def test_another_stores_manager_sees_none_of_it(
            self, api: ApiClient, shop: Shop, office: OfficeScreen, till: Till,
            fixed_clock: FixedClock, db: Database) -> None:
        open_with_sales(till, 1)
        _age(db, till, fixed_clock)
        page = html(west_manager(api, shop, office).page("/office/approvals"))
        assert 'id="waiting-count">0<' in page

    def test_the_nav_links_the_page_for_managers(self, managing: OfficeScreen) -> None:
        page = html(managing.page("/office"))
        assert 'href="/office/approvals"' in page and 'href="/office/shifts"' in page


class TestApprovalCode:
    def test_a_code_is_shown_once_and_lets_a_cashier_cash_out(
            self, managing: OfficeScreen, till: Till) -> None:
        till.open_shift()
        response = managing.form("/office/approvals/code", {"action": "cash_out"})
        found = re.search(r'id="issued-code">([^<]+)<', html(response))
        assert response.status_code == 200 and found is not None
        code = found.group(1)
        assert code not in html(managing.page("/office/approvals"))
        cash_out = till.api.post(f"/api/v1/shifts/{till.shift['id']}/cash-out",
                                 json={"amount": "10.00", "reason": "safe"},
                                 headers={"X-Approval-Code": code})
        assert cash_out.status_code == 201, cash_out.get_json()
        again = till.api.post(f"/api/v1/shifts/{till.shift['id']}/cash-out",
                              json={"amount": "10.00", "reason": "safe"},
                              headers={"X-Approval-Code": code})
        assert again.status_code in (401, 403)

    def test_a_code_for_one_till_says_so_and_approves_nothing_at_another(
            self, managing: OfficeScreen, till: Till, shop: Shop) -> None:
        till.open_shift()
        page = html(managing.page("/office/approvals"))
        assert f'<option value="{shop.other_till_id}">' in page
        assert f'<option value="{shop.other_store_till_id}">' not in page  # not her store
        response = managing.form("/office/approvals/code",
                                 {"action": "cash_out", "till_id": str(shop.other_till_id)})
        issued = html(response)
        assert "at any till" not in issued and " at MAIN: " in issued
        found = re.search(r'id="issued-code">([^<]+)<', issued)
        assert found is not None
        cash_out = till.api.post(f"/api/v1/shifts/{till.shift['id']}/cash-out",
                                 json={"amount": "10.00", "reason": "safe"},
                                 headers={"X-Approval-Code": found.group(1)})
        assert cash_out.status_code == 403
        assert cash_out.get_json()["code"] == "approval_invalid"

    def test_a_till_not_on_the_list_is_a_message(self, managing: OfficeScreen,
                                                shop: Shop) -> None:
        for till_id in (str(shop.other_store_till_id), "x", "99999999999999999999999"):
            response = managing.form("/office/approvals/code", {"action": "", "till_id": till_id})
            assert response.status_code == 422 and problem_code(response) == "invalid_till"

    def test_an_unknown_action_is_a_message(self, managing: OfficeScreen) -> None:
        response = managing.form("/office/approvals/code", {"action": "open_the_safe"})
        assert response.status_code == 422 and problem_code(response) == "invalid_action"

    def test_issuing_a_code_needs_the_csrf_token(self, managing: OfficeScreen) -> None:
        response = managing.client.post("/office/approvals/code", data={"action": ""})
        assert response.status_code == 403 and problem_code(response) == "csrf_failed"
