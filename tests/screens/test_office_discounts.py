"""The office's discounts: the tree in words, forms that the services judge, simulation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from pos.auth.service import NewUser, create_user
from pos.core.db import Database
from pos.discounts import service
from pos.discounts.model import DiscountGroup, DiscountRow
from pos.discounts.schemas import NewDiscountSchema
from tests.helpers import Shop
from tests.screens.office_client import OfficeScreen

VIEWER_PASSWORD = "viewer-pass-123"
TEN_OFF = {"name": "Oat milk 10% off", "kind": "automatic", "scope": "line",
           "benefit_type": "percent_off", "benefit_percent": "10", "items": "OAT-MILK-1L"}


def _rows(db: Database) -> list[DiscountRow]:
    with db.read() as session:
        return list(session.scalars(select(DiscountRow).order_by(DiscountRow.id)))


def _groups(db: Database) -> dict[str, DiscountGroup]:
    with db.read() as session:
        return {g.name: g for g in session.scalars(select(DiscountGroup))}


def _create(office: OfficeScreen, **fields: str) -> Any:
    return office.form("/office/discounts/new", {**TEN_OFF, **fields})


def _html(response: Any) -> str:
    return str(response.get_data(as_text=True))


@pytest.fixture
def viewer(office: OfficeScreen, db: Database, shop: Shop, fixed_clock: Any) -> OfficeScreen:
    """Someone who may read the office's reports but not manage discounts, signed in."""
    create_user(db, NewUser("viewer", "Vic Viewer", "cashier", VIEWER_PASSWORD, "3333",
                            extra_rights=("view_reports",), store_ids=(shop.store_id,)),
                now=fixed_clock.now(), actor_id=None)
    office.sign_in("viewer", VIEWER_PASSWORD)
    return office


class TestAccess:
    def test_signed_out_the_tree_sends_to_the_sign_in(self, office: OfficeScreen) -> None:
        response = office.page("/office/discounts")
        assert response.status_code == 302 and response.headers["Location"].endswith("/office")

    def test_someone_without_the_right_is_refused_and_sees_no_nav_entry(
            self, viewer: OfficeScreen) -> None:
        response = viewer.page("/office/discounts")
        assert response.status_code == 403 and 'data-code="forbidden"' in _html(response)
        assert 'href="/office/discounts"' not in _html(viewer.page("/office"))
        assert _create(viewer).status_code == 403

    def test_a_manager_sees_discounts_in_the_nav(self, managing: OfficeScreen) -> None:
        assert 'href="/office/discounts"' in _html(managing.page("/office"))

    def test_a_form_without_the_csrf_token_is_refused(self, managing: OfficeScreen,
                                                      db: Database) -> None:
        response = managing.client.post("/office/discounts/new", data=TEN_OFF)
        assert response.status_code == 403 and 'data-code="csrf_failed"' in _html(response)
        assert _rows(db) == []


class TestTree:
    def test_groups_nest_with_their_rule_in_words_and_rules_in_words(
            self, managing: OfficeScreen, db: Database) -> None:
        managing.form("/office/discounts/groups/new", {"name": "Weekend", "rule": "priority"})
        weekend = _groups(db)["Weekend"]
        _create(managing, group_id=str(weekend.id), min_amount="500.00", weekdays="5",
                hours_start="20:00", hours_end="22:00")
        html = _html(managing.page("/office/discounts"))
        assert "the best one applies" in html  # the root, max
        assert "in priority order, first wins" in html
        assert re.search(rf'id="group-\d+".*id="group-{weekend.id}"', html, re.S)
        assert "10.00% off" in html and "receipt with at least 500.00" in html
        assert "Sat 20:00-22:00" in html and "only items OAT-MILK-1L" in html
        assert "inactive" in html

    def test_every_benefit_and_condition_type_reads_in_words(
            self, managing: OfficeScreen, db: Database, shop: Shop, fixed_clock: Any) -> None:
        oat = shop.items["OAT-MILK-1L"]
        benefits = [{"type": "amount_off", "amount": "5.00", "per": "line"},
                    {"type": "fixed_price", "price": "99.00"},
                    {"type": "markup", "percent": "3"},
                    {"type": "quantity_discount", "every_nth": 3},
                    {"type": "gift", "required_qty": 2, "gift_item_id": oat},
                    {"type": "cheapest_free", "set_size": 3, "max_per_receipt": 1}]
        conditions = [{"type": "accumulated_volume", "min_amount": "1000.00"},
                      {"type": "segment_quantity", "segment": "MILK", "min_quantity": 2},
                      {"type": "first_purchase"},
                      {"type": "payment_form", "forms": ["card"]},
                      {"type": "date_range", "start": "2026-12-01"}]
        for n, benefit in enumerate(benefits):
            doc = {"name": f"Rule {n}", "benefit": benefit,
                   "conditions": [conditions[n % len(conditions)]]}
            service.create_discount(db, NewDiscountSchema().load(doc), fixed_clock.now())
        html = _html(managing.page("/office/discounts"))
        for words in ("5.00 off per line", "price fixed at 99.00", "markup of 3.00%",
                      "every 3rd unit free", f"get item #{oat} for 0", "cheapest of every 3 "
                      "free, at most 1 per receipt", "bought at least 1000.00 before",
                      "at least 2.000 of MILK on the receipt", "the customer&#39;s first "
                      "purchase", "paid by card", "from 2026-12-01 to open end"):
            assert words in html, words
        gift = next(r for r in _rows(db) if r.benefit["type"] == "gift")
        page = _html(managing.page(f"/office/discounts/{gift.id}"))
        assert "the form cannot change it" in page and 'name="benefit_type"' not in page

    def test_a_rule_name_is_escaped(self, managing: OfficeScreen) -> None:
        _create(managing, name="<script>alert(1)</script>")
        html = _html(managing.page("/office/discounts"))
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


class TestRuleForms:
    def test_creating_a_rule_stores_it_inactive_with_its_conditions(
            self, managing: OfficeScreen, db: Database, shop: Shop) -> None:
        response = _create(managing, min_quantity="2", store_ids=str(shop.store_id),
                           card_types="gold, silver")
        assert response.status_code == 302
        (row,) = _rows(db)
        assert row.is_active is False and row.item_ids == [shop.items["OAT-MILK-1L"]]
        assert row.conditions == [{"type": "receipt_volume", "min_quantity": "2.000"}]
        assert row.store_ids == [shop.store_id] and row.card_types == ["gold", "silver"]
        assert row.benefit == {"type": "percent_off", "percent": "10.00"}

    def test_editing_keeps_what_the_form_cannot_express(self, managing: OfficeScreen,
                                                        db: Database) -> None:
        _create(managing)
        (row,) = _rows(db)
        with db.transaction() as session:
            stored = session.get(DiscountRow, row.id)
            assert stored is not None
            stored.conditions = [{"type": "payment_form", "forms": ["card"]}]
            stored.refinements = [{"price_group": "DAIRY",
                                   "benefit": {"type": "percent_off", "percent": "5"}}]
        page = _html(managing.page(f"/office/discounts/{row.id}"))
        assert "paid by card" in page and "DAIRY" in page
        response = managing.form(f"/office/discounts/{row.id}", {
            **TEN_OFF, "name": "Oat milk 15% off", "benefit_percent": "15",
            "min_amount": "300.00"})
        assert response.status_code == 302
        (row,) = _rows(db)
        assert row.name == "Oat milk 15% off" and row.benefit["percent"] == "15.00"
        assert row.conditions == [{"type": "receipt_volume", "min_amount_minor": 30000},
                                  {"type": "payment_form", "forms": ["card"]}]
        assert row.refinements[0]["price_group"] == "DAIRY"

    def test_a_store_the_manager_does_not_see_is_neither_shown_nor_lost(
            self, managing: OfficeScreen, db: Database, shop: Shop) -> None:
        _create(managing, store_ids=str(shop.store_id))
        (row,) = _rows(db)
        with db.transaction() as session:
            stored = session.get(DiscountRow, row.id)
            assert stored is not None
            stored.store_ids = [shop.store_id, shop.other_store_id]
        page = _html(managing.page(f"/office/discounts/{row.id}"))
        assert "West side" not in page and "Main street" in page
        assert f"only stores Main street, #{shop.other_store_id}" in _html(
            managing.page("/office/discounts"))
        managing.form(f"/office/discounts/{row.id}", {**TEN_OFF})  # MAIN unticked
        assert _rows(db)[0].store_ids == [shop.other_store_id]

    def test_a_validation_refusal_names_its_field_and_code(self, managing: OfficeScreen,
                                                           db: Database) -> None:
        response = _create(managing, min_quantity="lots")
        html = _html(response)
        assert response.status_code == 422
        assert 'data-code="validation_failed"' in html
        assert 'data-field="conditions[0].min_quantity"' in html
        response = _create(managing, benefit_percent="150")  # the schema's range
        assert 'data-field="benefit.percent"' in _html(response)
        assert 'value="lots"' in html  # the form keeps what was typed
        assert _rows(db) == []

    def test_a_services_refusal_is_shown_with_its_code(self, managing: OfficeScreen,
                                                       db: Database) -> None:
        response = _create(managing, benefit_percent="0")  # the engine's validation
        assert response.status_code == 422
        assert 'data-code="percent_out_of_range"' in _html(response)
        assert 'data-field="children[0].benefit.percent"' in _html(response)
        assert _rows(db) == []
        response = _create(managing, items="NO-SUCH-SKU")
        assert 'data-code="unknown_item"' in _html(response)
        response = _create(managing, valid_from="2026-12-10", valid_to="2026-12-01")
        assert 'data-code="dates_out_of_order"' in _html(response)
        assert 'data-field="valid_to"' in _html(response)

    def test_activating_and_deactivating_round_trip(self, managing: OfficeScreen,
                                                    db: Database) -> None:
        _create(managing)
        (row,) = _rows(db)
        response = managing.form(f"/office/discounts/{row.id}/active", {"active": "1"})
        assert response.status_code == 302 and _rows(db)[0].is_active is True
        assert "Deactivate" in _html(managing.page(f"/office/discounts/{row.id}"))
        managing.form(f"/office/discounts/{row.id}/active", {"active": "0"})
        assert _rows(db)[0].is_active is False

    def test_moving_a_rule_into_another_group(self, managing: OfficeScreen,
                                              db: Database) -> None:
        _create(managing)
        _create(managing, name="Second")
        managing.form("/office/discounts/groups/new", {"name": "Evening", "rule": "sum"})
        evening = _groups(db)["Evening"]
        first, second = _rows(db)
        response = managing.form(f"/office/discounts/{second.id}/move",
                                 {"group_id": str(evening.id), "position": "0"})
        assert response.status_code == 302
        assert {r.name: r.group_id for r in _rows(db)}["Second"] == evening.id
        managing.form(f"/office/discounts/{first.id}/move",
                      {"group_id": str(evening.id), "position": "0"})
        by_name = {r.name: r for r in _rows(db)}
        assert by_name["Oat milk 10% off"].position < by_name["Second"].position

    def test_an_unknown_discount_is_not_found(self, managing: OfficeScreen) -> None:
        response = managing.page("/office/discounts/999")
        assert response.status_code == 404 and 'data-code="discount_not_found"' in _html(
            response)


class TestGroupForms:
    def test_creating_and_editing_a_group(self, managing: OfficeScreen, db: Database) -> None:
        managing.form("/office/discounts/groups/new", {"name": "Evening", "rule": "sum"})
        evening = _groups(db)["Evening"]
        assert evening.rule == "sum" and evening.parent_id is not None
        response = managing.form(f"/office/discounts/groups/{evening.id}", {
            "name": "Evening", "rule": "multiply", "parent_id": str(evening.parent_id),
            "allow_stacking": "on"})
        assert response.status_code == 302
        evening = _groups(db)["Evening"]
        assert evening.rule == "multiply" and evening.allow_stacking is True

    def test_a_group_cannot_move_inside_itself(self, managing: OfficeScreen,
                                               db: Database) -> None:
        managing.form("/office/discounts/groups/new", {"name": "Outer", "rule": "sum"})
        outer = _groups(db)["Outer"]
        managing.form("/office/discounts/groups/new", {"name": "Inner", "rule": "max",
                                                       "parent_id": str(outer.id)})
        inner = _groups(db)["Inner"]
        response = managing.form(f"/office/discounts/groups/{outer.id}", {
            "name": "Outer", "rule": "sum", "parent_id": str(inner.id)})
        assert response.status_code == 422
        assert 'data-code="group_cycle"' in _html(response)
        assert 'data-field="parent_id"' in _html(response)


class TestSimulation:
    def _simulate(self, office: OfficeScreen, discount_id: int, shop: Shop, **fields: str
                  ) -> Any:
        return office.form(f"/office/discounts/{discount_id}/simulate", {
            "code_0": "OAT-MILK-1L", "qty_0": "2", "code_1": "MILK-1L", "qty_1": "1",
            "till_id": str(shop.till_id), **fields})

    def test_the_draft_rule_shows_its_effect_and_nothing_is_activated(
            self, managing: OfficeScreen, db: Database, shop: Shop) -> None:
        _create(managing)
        (row,) = _rows(db)
        assert 'name="code_0"' in _html(managing.page(f"/office/discounts/{row.id}/simulate"))
        response = self._simulate(managing, row.id, shop)
        html = _html(response)
        assert response.status_code == 200
        assert 'id="total-now">389.70<' in html  # 2 x 149.90 + 89.90
        assert 'id="total-draft">359.72<' in html  # 29.98 off the oat milk
        assert 'id="difference">-29.98<' in html
        assert "Oat milk 10% off: −29.98" in html
        assert _rows(db)[0].is_active is False

    def test_what_the_rule_displaces_is_explained(self, managing: OfficeScreen,
                                                  db: Database, shop: Shop) -> None:
        _create(managing, name="Small 5% off", benefit_percent="5", is_active="on")
        _create(managing, name="Big 20% off", benefit_percent="20")
        small, big = _rows(db)
        html = _html(self._simulate(managing, big.id, shop))
        assert "Small 5% off: −14.99" in html  # now
        assert "Big 20% off: −59.96" in html  # with it
        assert re.search(r"<s>Small 5% off: −14.99</s> <small>displaced by Big 20% off: in "
                         r"All discounts the best one applies", html)

    def test_conditions_on_time_and_card_type_are_met_by_the_sample(
            self, managing: OfficeScreen, db: Database, shop: Shop) -> None:
        _create(managing, card_types="gold", weekdays="5", hours_start="20:00",
                hours_end="22:00")
        (row,) = _rows(db)
        miss = _html(self._simulate(managing, row.id, shop, at="2026-12-05T21:00"))
        assert 'id="difference">0.00<' in miss  # no gold card
        hit = _html(self._simulate(managing, row.id, shop, at="2026-12-05T21:00",
                                   card_type="gold"))
        assert 'id="difference">-29.98<' in hit
        late = _html(self._simulate(managing, row.id, shop, at="2026-12-05T23:00",
                                    card_type="gold"))
        assert 'id="difference">0.00<' in late

    def test_an_upsell_hint_is_shown(self, managing: OfficeScreen, db: Database,
                                     shop: Shop) -> None:
        _create(managing, items="", min_amount="1000.00")
        (row,) = _rows(db)
        html = _html(self._simulate(managing, row.id, shop))
        assert "Upsell hints" in html and 'class="hint-line"' in html

    def test_a_bad_basket_is_a_message_with_its_code(self, managing: OfficeScreen,
                                                     db: Database, shop: Shop) -> None:
        _create(managing)
        (row,) = _rows(db)
        response = self._simulate(managing, row.id, shop, code_0="NO-SUCH", qty_0="1")
        assert response.status_code == 404 and 'data-code="barcode_not_found"' in _html(response)
        response = managing.form(f"/office/discounts/{row.id}/simulate",
                                 {"till_id": str(shop.till_id)})
        assert 'data-code="receipt_empty"' in _html(response)
        response = self._simulate(managing, row.id, shop, till_id=str(shop.other_store_till_id))
        assert response.status_code == 404 and 'data-code="till_not_found"' in _html(response)
