"""Measure storing discount rules one by one through the API, as a manager sets up a chain.

Target (the cashier's wait issue): the 10,000th rule stored through ``POST /api/v1/discounts``
takes <= 20 ms. The rules go to the root and to 20 groups a manager made first (priority and
max); nine in ten are item promotions, the rest segment offers, some with a condition. Each
create is timed through the Flask test client on a temporary SQLite database; the figure for
the n-th rule is the p50 of the creates around it (the first: creates 1-20).

Run: ``.venv/bin/python bench/discount_store.py [--rules 10000]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from pos.app import create_app  # noqa: E402
from pos.auth.service import NewUser, create_user  # noqa: E402
from pos.catalog.model import Item, Segment  # noqa: E402
from pos.core import migrate  # noqa: E402
from pos.core.security import set_scrypt_cost  # noqa: E402

ITEMS, SEGMENTS, GROUPS, WINDOW = 5_000, 200, 20, 100
TARGET_MS = 20.0


def seed(db, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """Create the items and segments the rules refer to."""
    with db.transaction() as s:
        s.execute(insert(Segment), [{"code": f"SEG-{n}", "name": f"Segment {n}"}
                                    for n in range(SEGMENTS)])
        s.execute(insert(Item), [{"sku": f"SKU-{n}", "name": f"Item {n}", "unit": "pcs",
                                  "is_weighed": False, "vat_rate": "vat20", "is_active": True,
                                  "is_discountable": True, "created_at": now,
                                  "updated_at": now} for n in range(ITEMS)])


def rule(rng: random.Random, number: int, groups: list[int | None]) -> dict[str, object]:
    """Return the body of the n-th rule: an item promotion or a segment offer."""
    body: dict[str, object] = {"name": f"Rule {number}", "kind": "campaign",
                               "group_id": groups[number % len(groups)]}
    if rng.random() < 0.9:
        body["item_ids"] = [rng.randrange(1, ITEMS + 1) for _ in range(rng.randint(1, 3))]
        body["benefit"] = {"type": "percent_off", "percent": str(rng.choice([5, 10, 15, 20]))}
    else:
        body["segment"] = f"SEG-{rng.randrange(SEGMENTS)}"
        body["benefit"] = {"type": "cheapest_free", "set_size": 3}
        if rng.random() < 0.5:
            body["conditions"] = [{"type": "receipt_volume", "min_amount": "1000.00"}]
    return body


def around(timings: list[float], number: int) -> float:
    """Return the p50 of the creates in a window around the n-th (1-based)."""
    start = max(0, min(number - WINDOW // 2, len(timings) - WINDOW))
    return statistics.median(timings[start:start + WINDOW] if number > 1 else timings[:20])


def main() -> None:
    """Store the rules one by one and print the time of the 1st, 1,000th and last create."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rules", type=int, default=10_000)
    rules = parser.parse_args().rules
    set_scrypt_cost(2**10)
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='pos-bench-')) / 'store.db'}"
    migrate.upgrade(url)
    app = create_app({"database_url": url, "log_level": "WARNING"})
    db, now = app.extensions["pos.db"], datetime.now(UTC)
    seed(db, now)
    create_user(db, NewUser("boss", "Bench Manager", "manager", "bench-password"), now=now,
                actor_id=None)
    client = app.test_client()
    token = client.post("/api/v1/auth/login", json={"username": "boss",
                                                    "password": "bench-password"}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    groups: list[int | None] = [None]
    for n in range(GROUPS):
        made = client.post("/api/v1/discount-groups", headers=headers,
                           json={"name": f"Campaigns {n}", "rule": ["priority", "max"][n % 2]})
        assert made.status_code == 201, made.get_json()
        groups.append(made.get_json()["id"])
    rng, timings = random.Random(7), []
    for number in range(rules):
        body = rule(rng, number, groups)
        started = time.perf_counter()
        response = client.post("/api/v1/discounts", json=body, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201, response.get_json()
    marks = sorted({1, min(1_000, rules), rules})
    figures = ", ".join(f"#{n:,} {around(timings, n):.1f} ms" for n in marks)
    last = around(timings, rules)
    verdict = f" (target #10,000 <= {TARGET_MS:.0f} ms: {'met' if last <= TARGET_MS else 'MISSED'})"
    print(f"store {rules:,} rules through the API, p50 around each: {figures}"
          + (verdict if rules >= 10_000 else "")
          + f"; all {sum(timings) / 1000:.1f} s")


if __name__ == "__main__":
    main()
