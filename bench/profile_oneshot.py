"""Profile one-shot receipt uploads in a single process through the Flask test client.

Run: ``.venv/bin/python bench/profile_oneshot.py [--receipts 300] [--postgres URL] [--sql]
[--card [--earn-only] | --bank-card] [--rounds N] [--dump FILE]``. Prints the SQL statements
per receipt, per receipt of each unprofiled round the wall time, the CPU of all the process's
threads (the WAL checkpointer's too) and the bytes written, then the cProfile top functions
(cumulative and own time). ``--card``: each upload has a bonus card, earns, and pays 50.00 in
points (``--earn-only``: all in cash). ``--bank-card``: each upload pays 50.00 by bank card
(brand and last four digits), the rest in cash.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import sys
import tempfile
import time
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.checkout import LINES, prepare  # noqa: E402

UNPROFILED = 300


def _written() -> int:
    """Return the bytes this process has written through system calls (Linux)."""
    with open("/proc/self/io") as counters:
        return int(next(line for line in counters if line.startswith("wchar")).split()[1])


def main() -> None:
    """Warm up, then profile ``--receipts`` one-shot uploads."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--receipts", type=int, default=300)
    parser.add_argument("--postgres", default=os.environ.get("POS_BENCH_POSTGRES_URL"))
    parser.add_argument("--sql", action="store_true", help="print one receipt's statements")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--card", action="store_true",
                        help="with a bonus card: earn, and 50.00 paid in points")
    parser.add_argument("--earn-only", action="store_true",
                        help="with --card: the card earns, the receipt is paid in cash")
    parser.add_argument("--bank-card", action="store_true",
                        help="50.00 paid by bank card (brand, last four digits)")
    parser.add_argument("--rounds", type=int, default=1, help="unprofiled rounds to time")
    parser.add_argument("--dump", help="write the profile to this file (pstats)")
    args = parser.parse_args()
    from pos.app import create_app
    from tests.helpers import ApiClient

    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite:///{tmp}/profile.db"
        prepare(url)
        card = None
        if args.card:
            from bench.loyalty_http import bonus_card
            # (50 points spent per upload: the first lot, drawn down, must outlast the run)
            card = bonus_card(url, 60 * (args.receipts + args.rounds * UNPROFILED + 200))
        app = create_app({"database_url": url, "log_level": "WARNING"})
        client = app.test_client()
        api = ApiClient(client)
        api.post("/api/v1/shifts", json={"till_id": 1, "opening_float": "0"})
        total = api.post("/api/v1/receipts/quote",
                         json={"till_id": 1, "lines": LINES}).get_json()["total"]
        def upload() -> None:
            key = str(uuid.uuid4())
            payments = [{"type": "cash", "amount": total}]
            body = {"till_id": 1, "client_uuid": key, "lines": LINES, "payments": payments}
            if card is not None:
                body["card_code"] = card
                if not args.earn_only:
                    payments[:] = [{"type": "points", "amount": "50.00"},
                                   {"type": "cash", "amount": str(Decimal(total) - 50)}]
            elif args.bank_card:
                payments[:] = [{"type": "card", "amount": "50.00", "card_brand": "VISA",
                                "card_last4": "4242"},
                               {"type": "cash", "amount": str(Decimal(total) - 50)}]
            response = api.post("/api/v1/receipts", json=body,
                                headers={"Idempotency-Key": key})
            assert response.status_code == 201, response.get_json()

        for _ in range(20):
            upload()
        # As a server's worker does once started (pos.server): the app's long-lived objects
        # leave the collector's sight, so a full collection (0.1 s and more, walking them all)
        # does not land in one upload of the timed rounds.
        gc.collect()
        gc.freeze()
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
        for _ in range(args.rounds):
            written, start, cpu = _written(), time.perf_counter(), time.process_time()
            for _ in range(UNPROFILED):
                upload()
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            print(f"per receipt (unprofiled, {UNPROFILED}): wall {wall * 1000 / UNPROFILED:.2f} "
                  f"ms, CPU of all threads {cpu * 1000 / UNPROFILED:.2f} ms, written "
                  f"{(_written() - written) / UNPROFILED / 1024:.0f} KiB (WAL and checkpoints)")
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.receipts):
            upload()
        profiler.disable()
        if args.dump:
            profiler.dump_stats(args.dump)
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        app.extensions["pos.db"].dispose()


if __name__ == "__main__":
    main()
