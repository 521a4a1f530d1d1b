"""A card holder signs in with a card and PIN and sees only their own cards (others: 404)."""

from __future__ import annotations

import pytest

from tests.helpers import issue_card, problem

TIERS = [{"name": "Silver", "min_amount": "100.00"}, {"name": "Gold", "min_amount": "1000.00"}]
TYPE = {"is_bonus": True, "earn_percent": "5", "expiry_days": 20, "tiers": TIERS}


@pytest.fixture
def mine(api):  # type: ignore[no-untyped-def]
    return issue_card(api, "CLUB", **TYPE)


@pytest.fixture
def theirs(api, mine):  # type: ignore[no-untyped-def]
    return issue_card(api, "CLUB")  # another holder's card


def sign_in(client, number, pin="4321"):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/loyalty/me/sign-in", json={"card_number": number, "pin": pin})


@pytest.fixture
def holder(client, mine):  # type: ignore[no-untyped-def]
    response = sign_in(client, mine)
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


class TestSignIn:
    def test_a_wrong_pin_or_unknown_card_is_401_and_guessing_is_slowed_down(self, client, mine):
        assert problem(sign_in(client, mine, "0000"), 401)["code"] == "invalid_credentials"
        assert problem(sign_in(client, "2900000000000"), 401)["code"] == "invalid_credentials"
        for _ in range(4):
            sign_in(client, mine, "9999")
        blocked = sign_in(client, mine)  # even the right PIN waits now
        assert problem(blocked, 429)["code"] == "too_many_attempts"
        assert int(blocked.headers["Retry-After"]) >= 1

    def test_a_bank_card_number_is_refused_before_anything(self, client):
        response = sign_in(client, "4111111111111111")
        assert problem(response, 422)["code"] == "card_number_rejected"

    def test_a_staff_token_is_no_holder_token(self, api):
        assert problem(api.get("/api/v1/loyalty/me/cards"), 401)["code"] == "invalid_token"

    def test_signing_out_ends_the_token(self, client, holder):
        assert client.post("/api/v1/loyalty/me/sign-out", headers=holder).status_code == 204
        response = client.get("/api/v1/loyalty/me/cards", headers=holder)
        assert problem(response, 401)["code"] == "invalid_token"


class TestOwnView:
    def test_the_list_holds_only_the_holders_cards(self, client, holder, mine, theirs):
        cards = client.get("/api/v1/loyalty/me/cards", headers=holder).get_json()
        assert [c["number"] for c in cards] == [mine]

    def test_a_card_shows_points_expiring_and_the_distance_to_the_next_tier(
            self, api, till, client, holder, mine):
        till.open_shift()
        till.ok(till.checkout([{"sku": "OAT-MILK-1L"}], [{"type": "cash", "amount": "149.90"}],
                              card_code=mine), 201)
        card = client.get(f"/api/v1/loyalty/me/cards/{mine}", headers=holder).get_json()
        assert (card["points"], card["pending_points"], card["expiring_points"]) == (
            "7.00", "0.00", "7.00")
        assert (card["accumulated"], card["tier"], card["next_tier"], card["to_next_tier"]) == (
            "149.90", "Silver", "Gold", "850.10")

    def test_history_lists_every_change(self, api, client, holder, mine):
        api.as_("manager").post(f"/api/v1/loyalty/cards/{mine}/adjustments",
                                json={"points": "3", "reason": "birthday"})
        page = client.get(f"/api/v1/loyalty/me/cards/{mine}/history", headers=holder).get_json()
        assert [(e["kind"], e["points"]) for e in page["items"]] == [("adjust", "3.00")]

    @pytest.mark.parametrize("suffix", ["", "/history"])
    def test_another_holders_card_is_404_like_one_that_does_not_exist(
            self, client, holder, theirs, suffix):
        for number in (theirs, "2900000000000"):
            response = client.get(f"/api/v1/loyalty/me/cards/{number}{suffix}", headers=holder)
            assert problem(response, 404)["code"] == "card_not_found"

    def test_a_replaced_card_keeps_its_history_on_the_new_one(self, api, client, holder, mine):
        api.as_("manager").post(f"/api/v1/loyalty/cards/{mine}/adjustments",
                                json={"points": "3", "reason": "birthday"})
        new = api.as_("manager").post(f"/api/v1/loyalty/cards/{mine}/replace", json={})
        number = new.get_json()["number"]
        page = client.get(f"/api/v1/loyalty/me/cards/{number}/history", headers=holder)
        assert [e["kind"] for e in page.get_json()["items"]] == ["transfer", "transfer",
                                                                 "adjust"]


def test_expired_points_are_gone_when_read_even_if_no_job_ran(api, client, mine, fixed_clock):
    api.as_("manager").post(f"/api/v1/loyalty/cards/{mine}/adjustments",
                            json={"points": "3", "reason": "birthday"})
    fixed_clock.advance(days=21)  # the type's points last 20 days
    token = sign_in(client, mine).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    card = client.get(f"/api/v1/loyalty/me/cards/{mine}", headers=headers).get_json()
    assert (card["points"], card["expiring_points"]) == ("0.00", "0.00")
    page = client.get(f"/api/v1/loyalty/me/cards/{mine}/history", headers=headers).get_json()
    assert [(e["kind"], e["points"]) for e in page["items"]] == [("expire", "-3.00"),
                                                                 ("adjust", "3.00")]
