"""Profile one-shot receipt uploads in a single process through the Flask test client.

Run: ``.venv/bin/python bench/profile_oneshot.py [--receipts 300] [--postgres URL] [--sql]``.
Prints the mean wall time and SQL statements per receipt, then the cProfile top functions
(cumulative and own time).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.checkout import LINES, prepare  # noqa: E402


def main() -> None:
    """Warm up, then profile ``--receipts`` one-shot uploads."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--receipts", type=int, default=300)
    parser.add_argument("--postgres", default=os.environ.get("POS_BENCH_POSTGRES_URL"))
    parser.add_argument("--sql", action="store_true", help="print one receipt's statements")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    from pos.app import create_app
    from tests.helpers import ApiClient

    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite:///{tmp}/profile.db"
        prepare(url)
        app = create_app({"database_url": url, "log_level": "WARNING"})
        client = app.test_client()
        api = ApiClient(client)
        api.post("/api/v1/shifts", json={"till_id": 1, "opening_float": "0"})
        total = api.post("/api/v1/receipts/quote",
                         json={"till_id": 1, "lines": LINES}).get_json()["total"]
        def upload() -> None:
            key = str(uuid.uuid4())
            response = api.post("/api/v1/receipts", json={
                "till_id": 1, "client_uuid": key, "lines": LINES,
                "payments": [{"type": "cash", "amount": total}]},
                headers={"Idempotency-Key": key})
            assert response.status_code == 201, response.get_json()

        for _ in range(20):
            upload()
        statements: list[str] = []

        def count(*a: object) -> None:
            statements.append(str(a[2]))

        engine = app.extensions["pos.db"].engine
        event.listen(engine, "before_cursor_execute", count)
        upload()
        event.remove(engine, "before_cursor_execute", count)
        print(f"SQL statements per receipt: {len(statements)}")
        kinds = Counter(s.split()[0] + " " + (s.split()[2] if s.startswith(("INSERT", "DELETE"))
                        else s.split()[1] if s.startswith("UPDATE") else "") for s in statements)
        for kind, n in kinds.most_common():
            print(f"  {n:3} {kind}")
        if args.sql:
            for s in statements:
                print("   ", " ".join(s.split())[:220])
        start = time.perf_counter()
        for _ in range(100):
            upload()
        print(f"wall per receipt (unprofiled): {(time.perf_counter() - start) * 10:.2f} ms")
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.receipts):
            upload()
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        app.extensions["pos.db"].dispose()


if __name__ == "__main__":
    main()
