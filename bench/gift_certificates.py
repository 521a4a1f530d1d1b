"""Gift certificate benchmarks: issue a batch, look a code up, redeem on a receipt close.

Workloads (issue 13's targets):

- issue a printed batch of 100,000 certificates in one use case (target <= 20 s);
- look a code up among 1,000,000 certificates: the indexed find by digest, and the till's
  whole look-up (check letter, throttle check, find, status) (target <= 2 ms);
- a one-shot receipt close paid with a certificate against the same close paid in cash: what
  redemption adds (target <= 3 ms).

In process, through the services (no HTTP): the figures are the feature's own cost. The
redemption figure is also given as a ratio to the cash close measured interleaved in the same
run, since the machine is shared and noisy.

Run: ``.venv/bin/python bench/gift_certificates.py [--batch 100000] [--population 1000000]
[--closes 300] [--rounds 5] [--postgres URL] [--only sqlite|postgres]``; ``bench/with_postgres.sh``
adds a throwaway PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from loyalty.gift_certificates import service  # noqa: E402
from loyalty.gift_certificates.lookup import find, look_up  # noqa: E402
from pos.core.context import Context  # noqa: E402
from pos.receipts.lines import LineRequest  # noqa: E402
from pos.receipts.opening import NewReceipt, create_receipt  # noqa: E402
from pos.receipts.service import PaymentRequest  # noqa: E402
from pos.shifts.service import open_shift  # noqa: E402

MILK_MINOR = 8990


def _ms(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:.3f} ms, p99 {p99 * 1000:.3f} ms"


def setup(url: str) -> tuple[Context, Context, int, dict[str, int]]:
    """Migrate, seed a shop, the certificate item and types; return contexts and the till."""
    from pos.app import create_app
    from pos.core import migrate
    from pos.core.security import set_scrypt_cost
    from tests.conftest import empty_tables
    from tests.gift_helpers import add_certificate_item, add_types
    from tests.helpers import context_for, seed_shop

    set_scrypt_cost(2**8)
    migrate.upgrade(url)
    app = create_app({"database_url": url, "log_level": "WARNING"})
    db, registry = app.extensions["pos.db"], app.extensions["pos.registry"]
    empty_tables(db)
    now = datetime.now(UTC)
    shop = seed_shop(db, now)
    add_certificate_item(db, now)
    manager = context_for(db, registry, "manager", now)
    cashier = context_for(db, registry, "cashier", now, till_id=shop.till_id)
    return cashier, manager, shop.till_id, add_types(manager)


def issue(manager: Context, type_id: int, count: int) -> tuple[int, float]:
    """Issue one batch; return its id and the seconds it took."""
    from tests.gift_helpers import CODES

    start = time.perf_counter()
    batch = service.issue_batch(manager, CODES, type_id, count)
    return batch.id, time.perf_counter() - start


def lookups(cashier: Context, batch_id: int, samples: int) -> None:
    """Time finds and whole look-ups of random codes of a batch."""
    from tests.gift_helpers import CODES

    codes = [p.code for p in service.batch_codes(cashier.db, CODES, batch_id)]
    chosen = random.Random(13).sample(codes, min(samples, len(codes)))
    found, whole = [], []
    for code in chosen:
        start = time.perf_counter()
        with cashier.db.read() as session:
            assert find(session, CODES, code) is not None
        found.append(time.perf_counter() - start)
        start = time.perf_counter()
        look_up(cashier, CODES, code)
        whole.append(time.perf_counter() - start)
    print(f"  find by digest: {_ms(found)}; till look-up: {_ms(whole)} (target <= 2 ms)")


def closes(cashier: Context, till_id: int, count: int) -> tuple[float, float]:
    """Time one-shot closes paid in cash and with a certificate, interleaved; return medians."""
    from tests.gift_helpers import FREE, pay, sell

    cash, certificate = [], []
    for n in range(count * 2):
        if n % 200 == 0:  # a fresh 10,000.00 certificate for each 100 milk payments
            _, code = sell(cashier, till_id, FREE, 1000000)
        payment = pay(code, MILK_MINOR) if n % 2 else PaymentRequest("cash", MILK_MINOR)
        command = NewReceipt(till_id=till_id, client_uuid=str(uuid.uuid4()),
                             lines=(LineRequest(sku="MILK-1L"),), payments=(payment,))
        start = time.perf_counter()
        create_receipt(cashier, command)
        (certificate if n % 2 else cash).append(time.perf_counter() - start)
    print(f"    cash close: {_ms(cash)}; with a certificate: {_ms(certificate)}")
    return statistics.median(cash), statistics.median(certificate)


def rounds(cashier: Context, till_id: int, count: int, how_many: int) -> None:
    """Run ``how_many`` rounds of interleaved closes; give min and median over the rounds."""
    added, ratios = [], []
    for _ in range(how_many):
        cash, certificate = closes(cashier, till_id, count)
        added.append((certificate - cash) * 1000)
        ratios.append(certificate / cash)
    print(f"  redemption adds (p50 per round, {how_many} rounds of {count}): "
          f"min {min(added):.3f} ms, median {statistics.median(added):.3f} ms "
          f"(target <= 3 ms); ratio to the cash close: min {min(ratios):.2f}, "
          f"median {statistics.median(ratios):.2f}")


def run(url: str, args: argparse.Namespace) -> None:
    """Run every workload on one database."""
    cashier, manager, till_id, types = setup(url)
    batch_id, seconds = issue(manager, types["GC-1000"], args.batch)
    print(f"  issue a batch of {args.batch:,}: {seconds:.1f} s (target <= 20 s)")
    issued, chunk = args.batch, max(args.batch, 100_000)
    start = time.perf_counter()
    while issued < args.population:
        step = min(chunk, args.population - issued)
        issue(manager, types["GC-1000"], step)
        issued += step
    print(f"  population {issued:,} certificates (filled in {time.perf_counter() - start:.0f} s)")
    lookups(cashier, batch_id, args.lookups)
    open_shift(cashier, till_id, 0)
    rounds(cashier, till_id, args.closes, args.rounds)


def main() -> None:
    """Run on SQLite and, when given, PostgreSQL."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--population", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--closes", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("POS_BENCH_POSTGRES_URL"))
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("SQLite", f"sqlite:///{tmp}/gift.db")] if args.only != "postgres" else []
        if args.postgres and args.only != "sqlite":
            targets.append(("PostgreSQL", args.postgres))
        for name, url in targets:
            print(f"{name}:")
            run(url, args)


if __name__ == "__main__":
    main()
