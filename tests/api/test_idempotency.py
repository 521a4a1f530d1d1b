"""Idempotency keys: a retried POST has one effect and gets the first response."""

from datetime import timedelta

from sqlalchemy import func, select

from pos.catalog.model import Segment
from pos.core.idempotency import IdempotencyRecord

KEY = {"Idempotency-Key": "9b2f7c1e-segment-1"}


def segments(db):
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Segment))


def post_item(api, body, key):
    return api.as_("manager").post("/api/v1/items", json=body,
                                   headers={"Idempotency-Key": key})


class TestIdempotency:
    def test_a_replay_returns_the_first_response_and_writes_once(self, api, db):
        body = {"sku": "TEA-1", "name": "Tea"}
        first = post_item(api, body, "key-1")
        second = post_item(api, body, "key-1")
        assert first.status_code == second.status_code == 201
        assert second.get_json() == first.get_json()
        assert second.headers["Idempotent-Replayed"] == "true"
        assert api.get("/api/v1/items?q=TEA-1").get_json()["total"] == 1

    def test_the_same_key_with_another_body_is_422(self, api):
        post_item(api, {"sku": "TEA-1", "name": "Tea"}, "key-2")
        reused = post_item(api, {"sku": "TEA-2", "name": "Tea"}, "key-2")
        assert reused.status_code == 422
        assert reused.get_json()["code"] == "idempotency_key_reused"

    def test_a_request_still_in_flight_is_409(self, api, db, fixed_clock):
        body = {"sku": "TEA-3", "name": "Tea"}
        post_item(api, body, "key-3")
        with db.transaction() as s:
            record = s.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == "key-3"))
            record.state = "in_flight"
            record.locked_at = fixed_clock.now()
        response = post_item(api, body, "key-3")
        assert response.status_code == 409
        assert response.get_json()["code"] == "idempotency_in_flight"

    def test_a_refusal_is_replayed_too(self, api):
        body = {"sku": "OAT-MILK-1L", "name": "Duplicate"}
        first = post_item(api, body, "key-4")
        again = post_item(api, body, "key-4")
        assert first.status_code == again.status_code == 409
        assert again.get_json()["code"] == "duplicate_sku"

    def test_keys_are_scoped_per_user(self, api):
        body = {"sku": "TEA-5", "name": "Tea"}
        assert post_item(api, body, "shared").status_code == 201
        other = api.as_("admin").post("/api/v1/items", json=body,
                                      headers={"Idempotency-Key": "shared"})
        assert other.get_json()["code"] == "duplicate_sku"

    def test_keys_are_kept_at_least_seven_days(self, api, db, fixed_clock):
        post_item(api, {"sku": "TEA-6", "name": "Tea"}, "key-6")
        with db.read() as s:
            record = s.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == "key-6"))
        assert record.expires_at - fixed_clock.now() >= timedelta(days=7)

    def test_an_overlong_key_is_refused(self, api):
        response = post_item(api, {"sku": "TEA-7", "name": "Tea"}, "k" * 300)
        assert response.get_json()["code"] == "invalid_idempotency_key"
