"""The office's foundation: a manager's sign-in, its own session, the overview of stores."""

from __future__ import annotations

from sqlalchemy import func, select

from pos.auth.model import AuthToken
from pos.core.db import Database
from pos.stores.model import Store
from tests.helpers import Shop, Till
from tests.screens.conftest import TillScreen, problem_code
from tests.screens.office_client import OfficeScreen


def _tokens(db: Database) -> int:
    """Return how many bearer tokens are live (issued and not revoked)."""
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(AuthToken)
                                  .where(AuthToken.revoked_at.is_(None))) or 0)


class TestSignIn:
    def test_signed_out_the_office_shows_its_sign_in_form(self, office: OfficeScreen) -> None:
        response = office.page()
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert 'action="/office/sign-in"' in html and 'name="password"' in html
        assert "Content-Security-Policy" in response.headers

    def test_a_manager_signs_in_and_sees_the_overview(self, office: OfficeScreen) -> None:
        response = office.sign_in()
        assert response.status_code == 302 and response.headers["Location"].endswith("/office")
        html = office.page().get_data(as_text=True)
        assert "Max Manager" in html and "Main street" in html
        assert 'href="/office"' in html  # the overview in the nav

    def test_a_wrong_password_is_a_message_and_no_token(self, office: OfficeScreen,
                                                        db: Database) -> None:
        response = office.sign_in(password="wrong-password")
        assert response.status_code == 401
        assert problem_code(response) == "invalid_credentials"
        assert _tokens(db) == 0

    def test_guessing_is_slowed_down(self, office: OfficeScreen) -> None:
        codes = [office.sign_in(password=f"guess-{n}").status_code for n in range(8)]
        assert codes[0] == 401 and codes[-1] == 429
        response = office.sign_in()  # even the right password waits
        assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0

    def test_a_cashier_is_refused_and_gets_no_token(self, office: OfficeScreen,
                                                    db: Database) -> None:
        response = office.sign_in("cashier")
        assert response.status_code == 403
        assert problem_code(response) == "office_forbidden"
        assert _tokens(db) == 0
        assert 'name="password"' in office.page().get_data(as_text=True)

    def test_a_sign_in_without_the_csrf_token_is_refused(self, office: OfficeScreen) -> None:
        office.page()
        response = office.client.post("/office/sign-in", data={
            "username": "manager", "password": "manager-pass"})
        assert response.status_code == 403 and problem_code(response) == "csrf_failed"

    def test_signing_out_revokes_the_token(self, managing: OfficeScreen, db: Database) -> None:
        assert _tokens(db) == 1
        response = managing.form("/office/sign-out")
        assert response.status_code == 302
        assert _tokens(db) == 0
        assert 'name="password"' in managing.page().get_data(as_text=True)


class TestSeparateSignIns:
    def test_the_office_sign_in_is_not_a_till_sign_in(self, managing: OfficeScreen,
                                                       screen: TillScreen) -> None:
        html = screen.page("/till").get_data(as_text=True)
        assert 'action="/till/sign-in"' in html

    def test_a_till_sign_in_is_not_an_office_sign_in(self, screen: TillScreen,
                                                     office: OfficeScreen) -> None:
        screen.sign_in("manager", "2222")
        assert 'action="/office/sign-in"' in office.page().get_data(as_text=True)

    def test_signing_out_of_the_office_keeps_the_till_signed_in(
            self, screen: TillScreen, office: OfficeScreen) -> None:
        screen.sign_in("manager", "2222")
        office.sign_in()
        office.form("/office/sign-out")
        assert 'action="/till/sign-in"' not in screen.page("/till").get_data(as_text=True)


class TestOverview:
    def test_an_open_shift_shows_against_its_till(self, managing: OfficeScreen,
                                                  till: Till) -> None:
        shift = till.open_shift()
        html = managing.page().get_data(as_text=True)
        assert f"Open · shift {shift['id']}" in html
        assert "Cass Cashier" in html
        assert "1 of 2 tills open" in html

    def test_a_manager_sees_only_their_stores(self, managing: OfficeScreen) -> None:
        html = managing.page().get_data(as_text=True)
        assert "Main street" in html and "West side" not in html

    def test_an_admin_sees_every_store(self, office: OfficeScreen) -> None:
        office.sign_in("admin")
        html = office.page().get_data(as_text=True)
        assert "Main street" in html and "West side" in html

    def test_names_are_escaped(self, managing: OfficeScreen, db: Database, shop: Shop) -> None:
        with db.transaction() as session:
            store = session.get(Store, shop.store_id)
            assert store is not None
            store.name = "<script>alert(1)</script>"
        html = managing.page().get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_refusal_outside_a_page_links_back_to_the_office(managing: OfficeScreen) -> None:
    response = managing.client.post("/office/sign-out", data={"csrf_token": "forged"})
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and problem_code(response) == "csrf_failed"
    assert 'href="/office"' in html and "Back to the till" not in html
