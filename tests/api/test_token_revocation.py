"""A revoked token or a changed user reaches every worker within a second.

Each worker caches the principal behind a token (30 s); a second worker here is a second app
on the same database, with a cache of its own. The workers' clock for the cache is faked, so
"within the second" and "after it" are exact, not timing.
"""

from types import SimpleNamespace

import pytest
from sqlalchemy import update

from pos.auth.model import User
from pos.core import security
from tests.conftest import _app_config

ME = "/api/v1/auth/me"


class Monotonic:
    """A stand-in for ``time.monotonic`` that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):  # type: ignore[no-untyped-def]
    fake = Monotonic()
    monkeypatch.setattr(security, "time", SimpleNamespace(monotonic=fake.monotonic))
    return fake


@pytest.fixture
def other_worker(database_url, fixed_clock, app):  # type: ignore[no-untyped-def]
    """A test client of another worker: its own app, registry and token cache."""
    from pos.app import create_app

    other = create_app(_app_config(database_url), clock=fixed_clock)
    yield other.test_client()
    other.extensions["pos.db"].dispose()


def seen_by(client, token):  # type: ignore[no-untyped-def]
    return client.get(ME, headers={"Authorization": f"Bearer {token}"})


def logout(api, db):  # type: ignore[no-untyped-def]
    assert api.post("/api/v1/auth/logout").status_code == 204


def made_inactive_by_a_script(api, db):  # type: ignore[no-untyped-def]
    with db.transaction() as session:  # no service call: the database's trigger notices
        session.execute(update(User).where(User.username == "cashier").values(is_active=False))


def new_password(api, db):  # type: ignore[no-untyped-def]
    assert api.as_("admin").put("/api/v1/users/cashier/password",
                                json={"password": "brand-new-pass"}).status_code == 204


@pytest.mark.parametrize("change", [logout, made_inactive_by_a_script, new_password])
def test_a_revoked_token_stops_working_in_every_worker_within_a_second(
        api, db, other_worker, clock, change):  # type: ignore[no-untyped-def]
    token = api.token("cashier")
    assert seen_by(other_worker, token).status_code == 200  # now in the other's cache
    change(api, db)
    clock.now += 0.5
    assert seen_by(other_worker, token).status_code == 200  # the second has not passed
    clock.now += 0.5
    refused = seen_by(other_worker, token)
    assert refused.status_code == 401 and refused.get_json()["code"] == "invalid_token"


def test_stores_given_to_a_user_reach_every_worker_within_a_second(
        api, shop, other_worker, clock):  # type: ignore[no-untyped-def]
    token = api.token("cashier")
    assert seen_by(other_worker, token).get_json()["store_ids"] == [shop.store_id]
    assert api.as_("admin").put("/api/v1/users/cashier/stores", json={
        "store_ids": [shop.store_id, shop.other_store_id], "till_ids": []}).status_code == 200
    clock.now += 1.0
    assert sorted(seen_by(other_worker, token).get_json()["store_ids"]) \
        == sorted([shop.store_id, shop.other_store_id])


def test_a_login_elsewhere_keeps_the_cache_and_reads_the_version_once_a_second(
        api, other_worker, clock, monkeypatch):  # type: ignore[no-untyped-def]
    token = api.token("cashier")
    assert seen_by(other_worker, token).status_code == 200
    reads = []
    real = security.TokenCache.follow

    def counted(self, read):  # type: ignore[no-untyped-def]
        return real(self, lambda: reads.append(1) or read())

    monkeypatch.setattr(security.TokenCache, "follow", counted)
    api.token("manager")  # a login inserts a token: nothing cached is stale
    for _ in range(5):
        assert seen_by(other_worker, token).status_code == 200
    assert reads == []
    clock.now += 1.0
    assert seen_by(other_worker, token).status_code == 200
    assert reads == [1]


def test_a_look_up_that_raced_a_change_is_not_served(clock):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    cache, now = security.TokenCache(), datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    principal = security.Principal(user_id=1, username="cashier", role="cashier",
                                   rights=frozenset(), store_ids=frozenset())
    cache.follow(lambda: "before")
    looked_up_under = cache.version  # the look-up starts, reads a token still valid...
    clock.now += 1.0
    cache.follow(lambda: "after")  # ...while another request sees the revocation
    cache.put("digest", principal, now + timedelta(hours=1), looked_up_under)
    assert cache.get("digest", now) is None
    cache.put("digest", principal, now + timedelta(hours=1), cache.version)
    assert cache.get("digest", now) is principal


def test_a_slow_read_of_the_version_does_not_undo_a_later_one(clock):  # type: ignore[no-untyped-def]
    cache = security.TokenCache()

    def slow_read() -> str:
        clock.now += 1.5  # meanwhile another request read the version that came after
        cache.follow(lambda: "after")
        return "before"

    cache.follow(slow_read)
    assert cache.version == "after"
