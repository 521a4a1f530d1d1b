"""The screens' foundation: cookie, CSRF, CSP, escaping, problems, vendored files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pos.catalog.model import Barcode, Item, Price
from tests.helpers import Shop
from tests.screens.conftest import TillScreen, problem_code

VENDOR = Path(__file__).parents[2] / "pos" / "screens" / "static" / "vendor"


class TestVendoredFiles:
    def test_every_vendored_file_matches_its_manifest_checksum(self) -> None:
        manifest = json.loads((VENDOR / "MANIFEST.json").read_text())
        listed = {entry["path"] for entry in manifest["files"]}
        assert listed == {p.name for p in VENDOR.iterdir() if p.name != "MANIFEST.json"}
        for entry in manifest["files"]:
            digest = hashlib.sha256((VENDOR / entry["path"]).read_bytes()).hexdigest()
            assert digest == entry["sha256"], entry["path"]
            assert entry["source"].startswith("https://registry.npmjs.org/")

    def test_the_page_loads_the_vendored_htmx(self, screen: TillScreen) -> None:
        html = screen.page().get_data(as_text=True)
        assert "/screens/static/vendor/htmx-2.0.4.min.js" in html
        assert screen.client.get("/screens/static/vendor/htmx-2.0.4.min.js").status_code == 200

    def test_assets_carry_the_security_policy_and_stay_cacheable(self, screen: TillScreen
                                                                  ) -> None:
        response = screen.client.get("/screens/static/till.js")
        assert response.status_code == 200
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" not in response.headers.get("Cache-Control", "")


class TestSessionCookie:
    def test_the_session_cookie_is_http_only_and_strictly_same_site(
            self, screen: TillScreen) -> None:
        response = screen.page()
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "Secure" not in cookie

    def test_over_https_the_session_cookie_is_secure(self, screen: TillScreen) -> None:
        response = screen.client.get("/till", base_url="https://localhost")
        assert "Secure" in response.headers["Set-Cookie"]

    def test_signing_in_gives_a_new_csrf_token(self, screen: TillScreen) -> None:
        screen.page()
        before = screen.csrf
        screen.sign_in()
        assert screen.csrf and screen.csrf != before


class TestCsrf:
    def test_a_post_without_the_token_is_refused(self, selling: TillScreen) -> None:
        response = selling.client.post("/till/scan", data={"code": "OAT-MILK-1L"},
                                       headers={"HX-Request": "true"})
        assert response.status_code == 403
        assert problem_code(response) == "csrf_failed"

    def test_a_post_with_another_token_is_refused(self, selling: TillScreen) -> None:
        response = selling.post("/till/scan", {"code": "OAT-MILK-1L"},
                                headers={"X-CSRF-Token": "forged"})
        assert response.status_code == 403
        assert problem_code(response) == "csrf_failed"

    def test_sign_in_without_the_token_is_refused(self, screen: TillScreen, shop: Shop) -> None:
        screen.page()
        response = screen.client.post("/till/sign-in", data={
            "username": "cashier", "pin": "1111", "till_id": str(shop.till_id)})
        assert response.status_code == 403
        assert problem_code(response) == "csrf_failed"


class TestContentSecurityPolicy:
    def test_pages_allow_only_own_scripts_and_styles(self, screen: TillScreen) -> None:
        policy = screen.page().headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy

    def test_no_page_carries_inline_script_or_style(self, selling: TillScreen) -> None:
        for path in ("/till", "/till/x-report", "/till/shift/close"):
            html = selling.page(path).get_data(as_text=True)
            assert "<script>" not in html and "<style" not in html and " style=" not in html
            assert " onclick=" not in html and "hx-on" not in html

    def test_fragments_carry_the_policy_too(self, selling: TillScreen) -> None:
        response = selling.scan("4600000000015")
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


class TestEscaping:
    def test_an_item_named_with_markup_is_shown_escaped(self, selling: TillScreen, db, shop: Shop,
                                                       fixed_clock) -> None:
        now = fixed_clock.now()
        with db.transaction() as s:
            oat = s.get(Item, shop.items["OAT-MILK-1L"])
            item = Item(sku="EVIL-1", name="<script>alert(1)</script>", unit="pcs",
                        is_weighed=False, price_group_id=oat.price_group_id, vat_rate="vat10",
                        created_at=now, updated_at=now,
                        barcodes=[Barcode(code="4600000000091", kind="ean13")])
            s.add(item)
            s.flush()
            price = s.query(Price).filter_by(item_id=oat.id).one()
            s.add(Price(store_id=shop.store_id, item_id=item.id,
                        price_type_id=price.price_type_id, price_minor=100,
                        valid_from=price.valid_from, valid_to=None))
        response = selling.scan("4600000000091")
        html = response.get_data(as_text=True)
        assert response.status_code == 200, html
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


class TestProblems:
    def test_a_refusal_is_swapped_into_the_message_area_with_its_code(
            self, selling: TillScreen) -> None:
        response = selling.scan("4600000000107")
        assert response.status_code == 404
        assert response.headers["HX-Retarget"] == "#message"
        assert problem_code(response) == "barcode_not_found"
        assert "No item has barcode 4600000000107" in response.get_data(as_text=True)

    def test_a_signed_out_htmx_request_is_sent_to_sign_in(self, screen: TillScreen) -> None:
        screen.page()
        response = screen.post("/till/scan", {"code": "4600000000015"})
        assert response.status_code == 204
        assert response.headers["HX-Redirect"].endswith("/till")


class TestCardNumbers:
    def test_a_card_number_in_a_form_is_refused_before_any_view(self, selling: TillScreen) -> None:
        response = selling.scan("4111111111111111")
        assert response.status_code == 422
        assert problem_code(response) == "card_number_rejected"
        assert "4111111111111111" not in response.get_data(as_text=True)

    def test_a_barcode_that_passes_luhn_is_judged_under_its_field_and_taken(
            self, selling: TillScreen) -> None:
        # 4600000000060 is a valid EAN-13 that is also Luhn-valid: a whole-body check of the
        # form refused it as a card number; under "code" it is a barcode (here an unknown one).
        response = selling.scan("4600000000060")
        assert problem_code(response) == "barcode_not_found"
