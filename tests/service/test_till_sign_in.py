"""Sign-in at a till by PIN (pos.auth.pin): the screens' way in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pos.auth.pin import login_at_till
from pos.auth.service import resolve_token
from pos.core.security import TokenCache
from tests.helpers import refused


def sign_in(db, shop, now, username="cashier", pin="1111", till_id=None, client="10.0.0.5"):  # type: ignore[no-untyped-def]
    return login_at_till(db, username, pin, till_id or shop.till_id, client=client, now=now,
                         ttl=timedelta(hours=12), free_failures=3, free_address_failures=20)


class TestSignInAtTill:
    def test_the_right_pin_gives_a_token_of_that_user(self, db, shop, fixed_clock) -> None:  # type: ignore[no-untyped-def]
        result = sign_in(db, shop, fixed_clock.now())
        principal = resolve_token(db, TokenCache(), result.token, fixed_clock.now())
        assert principal is not None and principal.username == "cashier"

    def test_a_wrong_pin_is_refused(self, db, shop, fixed_clock) -> None:  # type: ignore[no-untyped-def]
        with refused("invalid_credentials"):
            sign_in(db, shop, fixed_clock.now(), pin="1112")

    def test_the_password_is_not_a_pin(self, db, shop, fixed_clock) -> None:  # type: ignore[no-untyped-def]
        with refused("invalid_credentials"):
            sign_in(db, shop, fixed_clock.now(), pin="cashier-pass")

    def test_a_user_without_a_pin_cannot_sign_in_by_pin(self, db, shop, fixed_clock) -> None:  # type: ignore[no-untyped-def]
        with refused("invalid_credentials"):
            sign_in(db, shop, fixed_clock.now(), username="admin", pin="")

    def test_guesses_are_throttled_even_with_the_right_pin_after(self, db, shop, fixed_clock  # type: ignore[no-untyped-def]
                                                                ) -> None:
        for _ in range(3):
            with refused("invalid_credentials"):
                sign_in(db, shop, fixed_clock.now(), pin="0000")
        with pytest.raises(Exception) as caught:
            sign_in(db, shop, fixed_clock.now())
        assert getattr(caught.value, "status", None) == 429

    def test_a_till_of_a_store_the_cashier_does_not_work_in_is_refused(
            self, db, shop, fixed_clock) -> None:  # type: ignore[no-untyped-def]
        with refused("till_not_allowed"):
            sign_in(db, shop, fixed_clock.now(), till_id=shop.other_store_till_id)

    def test_an_unknown_till_is_refused_once_the_pin_is_right(self, db, shop, fixed_clock  # type: ignore[no-untyped-def]
                                                             ) -> None:
        with refused("till_not_allowed"):
            sign_in(db, shop, fixed_clock.now(), till_id=10**9)

    def test_a_manager_signs_in_at_any_till_of_their_store(self, db, shop, fixed_clock  # type: ignore[no-untyped-def]
                                                          ) -> None:
        result = sign_in(db, shop, fixed_clock.now(), username="manager", pin="2222",
                         till_id=shop.other_till_id)
        assert result.principal.username == "manager"
