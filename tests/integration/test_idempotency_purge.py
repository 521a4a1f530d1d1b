"""Expired idempotency keys are purged: by ``pos idempotency purge`` and by keyed requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from pos.cli import main
from pos.core.idempotency import IdempotencyRecord, PurgeSchedule, purge_expired

TTL = timedelta(days=7)


def remember(db, key: str, at: datetime, state: str = "done") -> None:
    """Store a key as a request at ``at`` would have (kept until ``at`` + TTL)."""
    with db.engine.begin() as connection:
        connection.execute(IdempotencyRecord.__table__.insert(), dict(
            scope="user:1", key=key, request_hash="0" * 64, state=state, response_status=201,
            response_body={"id": 1}, locked_at=at, expires_at=at + TTL))


def keys(db) -> set[str]:
    """Return the keys still stored."""
    with db.read() as session:
        return set(session.scalars(select(IdempotencyRecord.key)))


class TestPurgeExpired:
    def test_only_keys_past_their_ttl_are_deleted_batch_by_batch(self, db, fixed_clock):
        now = fixed_clock.now()
        for n in range(5):
            remember(db, f"old-{n}", now - TTL - timedelta(minutes=n + 1))
        remember(db, "stuck-in-flight", now - TTL - timedelta(days=1), state="in_flight")
        remember(db, "yesterday", now - timedelta(days=1))
        remember(db, "almost-expired", now - TTL + timedelta(seconds=1))
        assert purge_expired(db, now, batch_size=2) == 6
        assert keys(db) == {"yesterday", "almost-expired"}
        assert purge_expired(db, now) == 0

    def test_a_bounded_purge_stops_after_its_batches(self, db, fixed_clock):
        now = fixed_clock.now()
        for n in range(5):
            remember(db, f"old-{n}", now - TTL - timedelta(hours=1))
        assert purge_expired(db, now, batch_size=2, max_batches=1) == 2
        assert len(keys(db)) == 3


def test_the_command_purges_and_says_how_many(database_url, app, db, monkeypatch):
    monkeypatch.setenv("POS_DATABASE_URL", database_url)
    now = datetime.now(UTC)  # the command runs on the system clock
    for n in range(3):
        remember(db, f"old-{n}", now - TTL - timedelta(days=1))
    remember(db, "fresh", now - timedelta(hours=1))
    result = CliRunner().invoke(main, ["idempotency", "purge", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "purged 3 expired idempotency keys" in result.output
    assert keys(db) == {"fresh"}


class TestLazyPurge:
    @pytest.fixture
    def every_other_key(self, registry):
        """Purge on every second key recorded (the default is one in a hundred)."""
        registry.caches.get(PurgeSchedule).every = 2

    def add_line(self, till, key: str):
        return till.api.post(f"/api/v1/receipts/{till.receipt['id']}/lines",
                             json={"sku": "MILK-1L"}, headers={"Idempotency-Key": key})

    @pytest.fixture
    def till(self, api, shop):
        from tests.helpers import Till

        driver = Till(api, shop)
        driver.open_shift()
        driver.open_receipt()
        return driver

    def test_keyed_requests_delete_a_bounded_batch_now_and_then(
            self, till, db, fixed_clock, every_other_key):
        now = fixed_clock.now()
        for n in range(6):
            remember(db, f"old-{n}", now - TTL - timedelta(hours=1))
        assert self.add_line(till, "line-1").status_code == 201
        assert len(keys(db) - {"line-1"}) == 6  # not due: nothing purged
        assert self.add_line(till, "line-2").status_code == 201
        assert len(keys(db) - {"line-1", "line-2"}) == 2  # due: at most 2 x 2 deleted
        shift = till.shift
        assert till.api.post(f"/api/v1/shifts/{shift['id']}/cash-in",
                             json={"amount": "1.00", "reason": "float"},
                             headers={"Idempotency-Key": "cash-1"}).status_code == 201
        assert self.add_line(till, "line-3").status_code == 201
        assert keys(db) == {"line-1", "line-2", "line-3", "cash-1"}

    def test_by_default_one_keyed_request_in_a_hundred_purges(self, till, db, fixed_clock,
                                                              registry):
        assert registry.caches.get(PurgeSchedule).every == 100
        remember(db, "old", fixed_clock.now() - TTL - timedelta(hours=1))
        for n in range(3):
            assert self.add_line(till, f"line-{n}").status_code == 201
        assert "old" in keys(db)
