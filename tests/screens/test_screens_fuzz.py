"""Every screen route, attacked: hostile query values, form fields and path ids, as each caller.

The routes come from ``app.url_map`` (every rule of the ``till``, ``office`` and ``me``
blueprints), so a screen added later is attacked without editing this file. Each area is
attacked signed in as its own kind of user (a cashier at a till with an open shift and an open
receipt; a manager at the office; a card holder and a partner at ``/me``) and signed out. No
answer may be a 5xx, show a traceback, echo a card number or unescaped markup; afterwards no
table holds the card number; another till's, store's or holder's id is 404 or shows nothing
of theirs. Values are sampled, not crossed, to keep each area to a few seconds.

Runs on both databases: PostgreSQL refuses what SQLite takes (a NUL in text, an id past
64 bits), and the storage scan reads the database.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from loyalty.cards.model import Card
from pos.core.db import Database
from pos.discounts.model import DiscountGroup, DiscountRow
from tests.api.test_card_numbers import holds_the_pan, stored_values
from tests.helpers import PASSWORDS, ApiClient, Shop, Till, hire, issue_card
from tests.screens.conftest import TillScreen, csrf_in, problem_code
from tests.screens.fuzzing import BIG, Caller, World, attack
from tests.screens.office_client import OfficeScreen
from tests.screens.test_me import MeScreen

_WEST_DISCOUNT = "Far store discount"


# --- the world and its callers ------------------------------------------------------------

@pytest.fixture
def world(api: ApiClient, shop: Shop, app: Flask, db: Database) -> World:
    """Discounts of MAIN and of WEST, two holders' cards, a partner: ids for the paths."""
    admin = OfficeScreen(app.test_client(), shop)
    admin.sign_in("admin")
    discount = {"name": "Main ten off", "kind": "automatic", "scope": "line",
                "benefit_type": "percent_off", "benefit_percent": "10", "items": "OAT-MILK-1L",
                "store_ids": str(shop.store_id)}
    for fields in (discount, {**discount, "name": _WEST_DISCOUNT,
                              "store_ids": str(shop.other_store_id)}):
        assert admin.form("/office/discounts/new", fields).status_code == 302
    admin.form("/office/discounts/groups/new", {"name": "Weekend", "rule": "priority"})
    ids = _ids(db)
    mine, theirs = issue_card(api, "CLUB", is_bonus=True), issue_card(api, "CLUB")
    with db.read() as session:
        cards = {card.number: card.id for card in session.scalars(select(Card))}
    west = Till(api.as_("admin"), shop, shop.other_store_till_id)
    west.open_shift()
    west.open_receipt()
    assert west.shift is not None and west.receipt is not None
    return World(shop, own={"display_till_id": str(shop.till_id), **ids,
                            "card_id": str(cards[mine]), "card_number": mine},
                 others={"display_till_id": [str(shop.other_till_id),
                                             str(shop.other_store_till_id)],
                         # Discounts are the chain's: a manager sees WEST's, not WEST itself.
                         "discount_id": [ids["west_discount_id"]],
                         "card_id": [str(cards[theirs])],
                         # Named as the office's shift and receipt pages may name them.
                         "shift_id": [str(west.shift["id"])],
                         "receipt_id": [str(west.receipt["id"])]},
                 secrets=["West side", theirs, f"…{theirs[-4:]}"])


def _ids(db: Database) -> dict[str, str]:
    with db.read() as session:
        by_name = {row.name: str(row.id) for row in session.scalars(select(DiscountRow))}
        group_id = session.scalar(select(DiscountGroup.id).order_by(DiscountGroup.id.desc()))
    return {"discount_id": by_name["Main ten off"], "west_discount_id": by_name[_WEST_DISCOUNT],
            "group_id": str(group_id or 1)}


def _partner(api: ApiClient) -> None:
    manager = api.as_("manager")
    response = manager.post("/api/v1/customers", json={"code": "ACME", "legal_name": "ACME"})
    assert response.status_code == 201, response.get_json()
    buyer = hire(api, "acme-buyer", "card_holder", [])
    user_id = buyer.get("/api/v1/auth/me").get_json()["id"]
    assert api.as_("admin").post(f"/api/v1/customers/{response.get_json()['id']}/partners",
                                 json={"user_id": user_id}).status_code == 204


def _cashier(app: Flask, world: World) -> Caller:
    screen = TillScreen(app.test_client(), world.shop)
    screen.sign_in()
    screen.open_shift()
    assert screen.scan("4600000000015").status_code == 200
    screen.page()
    return Caller("till", screen.client, screen.csrf, world)


def _manager(app: Flask, world: World) -> Caller:
    office = OfficeScreen(app.test_client(), world.shop)
    office.sign_in()
    return Caller("office", office.client, office.csrf, world)


def _holder(app: Flask, world: World) -> Caller:
    me = MeScreen(app.test_client())
    assert me.sign_in(world.own["card_number"]).status_code == 302
    return Caller("me", me.client, me.csrf, world)


def _partner_caller(app: Flask, world: World, api: ApiClient) -> Caller:
    _partner(api)
    me = MeScreen(app.test_client())
    assert me.sign_in_partner("acme-buyer", PASSWORDS["acme-buyer"]).status_code == 302
    return Caller("me", me.client, me.csrf, world)


def _signed_out(app: Flask, world: World, blueprint: str) -> Caller:
    client = app.test_client()
    csrf = csrf_in(client.get(f"/{blueprint}")) or ""
    return Caller(blueprint, client, csrf, world)


def _assert_reached_the_views(caller: Caller) -> None:
    # A run that met only redirects or refusals attacked nothing behind the sign-in.
    assert caller.seen.get(200, 0) > 20, caller.seen


def _assert_stored_nowhere(db: Any) -> None:
    leaks = [where for where, text in stored_values(db) if holds_the_pan(text)]
    assert leaks == []


class TestScreensFuzz:
    def test_the_till_as_its_cashier(self, app: Flask, world: World, db: Database) -> None:
        caller = _cashier(app, world)
        attack(caller, app, db)
        _assert_reached_the_views(caller)
        _assert_stored_nowhere(db)

    def test_the_office_as_a_manager(self, app: Flask, world: World, db: Database) -> None:
        caller = _manager(app, world)
        attack(caller, app, db)
        _assert_reached_the_views(caller)
        _assert_stored_nowhere(db)

    def test_me_as_a_card_holder(self, app: Flask, world: World, db: Database) -> None:
        caller = _holder(app, world)
        attack(caller, app, db)
        _assert_reached_the_views(caller)
        _assert_stored_nowhere(db)

    def test_me_as_a_partner(self, app: Flask, world: World, db: Database,
                            api: ApiClient) -> None:
        caller = _partner_caller(app, world, api)
        attack(caller, app, db)
        assert caller.seen.get(200, 0) > 5, caller.seen
        _assert_stored_nowhere(db)

    @pytest.mark.parametrize("blueprint", ["till", "office", "me"])
    def test_every_area_signed_out(self, app: Flask, world: World, db: Database,
                                    blueprint: str) -> None:
        caller = _signed_out(app, world, blueprint)
        attack(caller, app, db)
        assert caller.seen.get(302, 0) + caller.seen.get(204, 0) > 5, caller.seen
        _assert_stored_nowhere(db)


class TestSignedInElsewhere:
    """A session signed in at one screen reaches nothing of a screen it is not for."""

    @pytest.mark.parametrize("area", ["till", "office"])
    def test_a_card_holder_reaches_nothing_of_the_till_or_the_office(
            self, app: Flask, world: World, db: Database, area: str) -> None:
        caller = _stranger(_holder(app, world), area)
        attack(caller, app, db)
        assert caller.seen.get(302, 0) > 5, caller.seen

    @pytest.mark.parametrize("area", ["till", "office"])
    def test_a_partner_reaches_nothing_of_the_till_or_the_office(
            self, app: Flask, world: World, db: Database, api: ApiClient, area: str) -> None:
        caller = _stranger(_partner_caller(app, world, api), area)
        attack(caller, app, db)
        assert caller.seen.get(302, 0) > 5, caller.seen

    def test_a_cashier_reaches_nothing_of_the_office(self, app: Flask, world: World,
                                                     db: Database) -> None:
        caller = _stranger(_cashier(app, world), "office")
        attack(caller, app, db)
        assert caller.seen.get(302, 0) > 5, caller.seen


def _stranger(signed_in_elsewhere: Caller, area: str) -> Caller:
    return Caller(area, signed_in_elsewhere.client, signed_in_elsewhere.csrf,
                  signed_in_elsewhere.world, stranger=True)



class TestFloods:
    """A flood of wrong codes is slowed down (429 with Retry-After), never a 500."""

    def test_wrong_one_time_codes_at_me_are_slowed_down(self, app: Flask, world: World,
                                                        db: Database) -> None:
        caller = _signed_out(app, world, "me")
        statuses = [caller.client.post("/me/sign-in/code", data={
            "csrf_token": caller.csrf, "code": f"WRONG{n:04d}"}) for n in range(30)]
        assert all(response.status_code < 500 for response in statuses)
        assert statuses[0].status_code == 401 and statuses[-1].status_code == 429
        assert int(statuses[-1].headers["Retry-After"]) > 0

    def test_wrong_manager_pins_at_the_till_are_slowed_down(self, app: Flask, world: World
                                                            ) -> None:
        caller = _cashier(app, world)
        statuses = [caller.client.post("/till/void", data={
            "csrf_token": caller.csrf, "approval_user": "manager",
            "approval_pin": f"{n:04d}"}, headers={"HX-Request": "true"}) for n in range(30)]
        assert all(response.status_code < 500 for response in statuses)
        assert statuses[-1].status_code == 429
        assert int(statuses[-1].headers["Retry-After"]) > 0


class TestWhatTheFuzzFound:
    """Each finding of the fuzz, pinned by its own request."""

    def test_a_card_number_typed_with_spaces_is_refused_and_not_echoed(
            self, app: Flask, world: World) -> None:
        caller = _cashier(app, world)
        response = caller.client.post("/till/scan", data={
            "csrf_token": caller.csrf, "code": "4111 1111 1111 1111", "via": "keys"})
        assert response.status_code == 422 and problem_code(response) == "card_number_rejected"
        assert not holds_the_pan(response.get_data(as_text=True))

    def test_a_nul_in_a_field_is_a_message_not_a_500(self, app: Flask, world: World) -> None:
        caller = _cashier(app, world)
        response = caller.client.post("/till/scan", data={
            "csrf_token": caller.csrf, "code": "MILK\x00", "via": "keys"},
            headers={"HX-Request": "true"})
        assert response.status_code == 422 and problem_code(response) == "nul_character"

    @pytest.mark.parametrize("value", ["²", BIG])
    def test_a_discount_moved_to_no_group_id_stays_where_it_is(
            self, app: Flask, world: World, value: str) -> None:
        caller = _manager(app, world)
        path = f"/office/discounts/{world.own['discount_id']}/move"
        response = caller.client.post(path, data={
            "csrf_token": caller.csrf, "group_id": value, "position": value})
        assert response.status_code == 302

    def test_a_long_user_name_at_the_office_is_a_wrong_sign_in(self, app: Flask,
                                                              world: World) -> None:
        caller = _signed_out(app, world, "office")
        response = caller.client.post("/office/sign-in", data={
            "csrf_token": caller.csrf, "username": "y" * 3000, "password": "x"})
        assert response.status_code == 401

    def test_the_approval_form_names_its_target_only_when_it_is_an_element_id(
            self, app: Flask, world: World) -> None:
        caller = _cashier(app, world)
        for sent, kept in (("receipt", "#receipt"), ("close-shift-page", "#close-shift-page"),
                           ("4111 1111 1111 1111", "#receipt"), ("a\"><b>", "#receipt")):
            response = caller.client.post("/till/void", data={"csrf_token": caller.csrf},
                                          headers={"HX-Request": "true", "HX-Target": sent})
            assert problem_code(response) == "approval_required"
            assert f'hx-target="{kept}"' in response.get_data(as_text=True), sent
