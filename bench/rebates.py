"""Rebates benchmark: period end over 1,000 agreements and 1,000,000 sale lines; progress; accrual.

1. 1,000 wholesale customers, each with an approved quarterly agreement (whole-base tiers).
2. 1,000,000 qualifying sale lines accrued through the real listener (``RebateListener``):
   10,000 receipts of 100 lines, dated in 2026-Q3, 100 receipts per write transaction.
3. Period end: ``calculate_period("2026-Q3")`` (target <= 10 s), then again (idempotent).
4. Rounds (``--rounds``, interleaved): a live progress read of an agreement, p50 / p99 of
   2,000 reads (target <= 5 ms), each beside a one-row read (the floor of any read here);
   then what accrual adds to a receipt close: one-shot 3-line uploads to a customer through
   the receipt service, with the accrual listener and without it, alternating, medians
   (target <= 2 ms) and their ratio. Each figure is printed as min and median over rounds.

Run: ``.venv/bin/python bench/rebates.py [--lines 1000000] [--postgres URL]``, or
``bench/with_postgres.sh .venv/bin/python bench/rebates.py`` (uses POS_BENCH_POSTGRES_URL).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, make_url, text  # noqa: E402

from loyalty.customers.model import Customer  # noqa: E402
from loyalty.rebates.accrual import RebateListener  # noqa: E402
from loyalty.rebates.claims import calculate_period  # noqa: E402
from loyalty.rebates.model import Agreement  # noqa: E402
from loyalty.rebates.progress import agreement_progress  # noqa: E402
from pos.app import create_app  # noqa: E402
from pos.core import migrate  # noqa: E402
from pos.core.extensions import ReceiptListeners  # noqa: E402
from pos.core.security import set_scrypt_cost  # noqa: E402
from pos.receipts.lines import LineRequest  # noqa: E402
from pos.receipts.opening import NewReceipt, create_receipt  # noqa: E402
from pos.receipts.service import PaymentRequest  # noqa: E402
from pos.shifts.service import open_shift  # noqa: E402
from tests.helpers import context_for, seed_shop  # noqa: E402

TIERS = [{"from": "100000.00", "rate": "3"}, {"from": "200000.00", "rate": "5"}]
Q3_DAY = datetime(2026, 8, 14, 10, tzinfo=UTC)


@dataclass
class Line:
    """A sale line as the listener reads it."""

    line_no: int
    item_id: int = 1
    sku: str = "OAT-MILK-1L"
    quantity_milli: int = 1000
    base_amount_minor: int = 14990
    discount_minor: int = 0
    amount_minor: int = 14990
    is_gift: bool = False
    original_line_id: int | None = None


@dataclass
class Sale:
    """A closed sale as the listener reads it."""

    id: int
    customer_ref: str
    lines: list[Line]
    payments: list[Any] = field(default_factory=list)
    kind: str = "sale"
    closed_at: datetime = Q3_DAY
    opened_at: datetime = Q3_DAY
    original_receipt_id: int | None = None


def database_url(args: argparse.Namespace, tmp: str) -> str:
    """Return a fresh database: a SQLite file, or a new database on the given server."""
    server = args.postgres or os.environ.get("POS_BENCH_POSTGRES_URL")
    if not server:
        return f"sqlite:///{tmp}/rebates.db"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS bench_rebates WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE bench_rebates"))
    admin.dispose()
    return make_url(server).set(database="bench_rebates").render_as_string(hide_password=False)


def agreements(db: Any, count: int, now: datetime) -> list[int]:
    """Create ``count`` customers with an approved quarterly agreement each; return their ids."""
    with db.transaction() as session:
        customers = [Customer(code=f"C{n:05d}", legal_name=f"Customer {n}", credit_limit_minor=0,
                              payment_terms_days=0, debt_minor=0, credit_minor=0, created_at=now)
                     for n in range(count)]
        session.add_all(customers)
        session.flush()
        rows = [Agreement(series_id=-c.id, version=1, name=f"A{c.id}", kind="retro",
                          status="approved", customer_id=c.id, include_children=False,
                          period_type="quarter", valid_from=date(2026, 1, 1),
                          valid_to=date(2026, 12, 31), measure="amount", is_net=True,
                          source="sales", item_segments=[], mode="whole", rate_kind="percent",
                          tiers=TIERS, compensation_minor=0, lump_sum_minor=0,
                          requires_no_overdue=False, settlement="credit", funds=[],
                          created_at=now, approved_at=now)
                for c in customers]
        session.add_all(rows)
        session.flush()
        for row in rows:
            row.series_id = row.id
        return [row.id for row in rows]


def accrue(ctx: Any, customers: int, lines: int) -> float:
    """Accrue ``lines`` sale lines (receipts of 100) spread over the customers; return s."""
    listener, per_receipt = RebateListener(), 100
    receipts = lines // per_receipt
    started = time.perf_counter()
    for batch in range(0, receipts, 100):
        with ctx.db.transaction() as session:
            for n in range(batch, min(batch + 100, receipts)):
                sale = Sale(n + 1, f"C{n % customers:05d}",
                            [Line(i + 1) for i in range(per_receipt)])
                listener.closed(session, ctx, sale)  # type: ignore[arg-type]
    return time.perf_counter() - started


def close_costs(app: Any, shop: Any, rounds: int) -> tuple[float, float]:
    """Return the median ms of a 3-line one-shot sale to a customer, without and with accrual.

    Both sales name the same customer (whose agreement covers them), so what differs is only
    the accrual listener: the app's registry against a copy with every receipt listener but
    accrual (the drawer kick, points, certificates, allowances run on both sides: they are not
    accrual's cost). The two alternate, so noise on the shared machine falls on both alike.
    """
    db, registry = app.extensions["pos.db"], app.extensions["pos.registry"]
    cashier = context_for(db, registry, "cashier", Q3_DAY, till_id=shop.till_id)
    silent = replace(registry, receipt_listeners=_without_accrual(registry.receipt_listeners))
    lines = tuple(LineRequest(sku="OAT-MILK-1L", quantity="1") for _ in range(3))
    timings: dict[bool, list[float]] = {False: [], True: []}
    for n in range(rounds):
        for accrues in ((False, True) if n % 2 else (True, False)):
            ctx = replace(cashier, registry=registry if accrues else silent)
            started = time.perf_counter()
            create_receipt(ctx, NewReceipt(
                till_id=shop.till_id, lines=lines, customer_ref="C00001",
                payments=(PaymentRequest("cash", 3 * 14990),)))
            timings[accrues].append((time.perf_counter() - started) * 1000)
    return statistics.median(timings[False]), statistics.median(timings[True])


def _without_accrual(listeners: ReceiptListeners) -> ReceiptListeners:
    """Return the app's receipt listeners less the accrual one (a bench may read the list)."""
    others = ReceiptListeners()
    for listener in listeners._listeners:  # the registry keeps no public list of them
        if not isinstance(listener, RebateListener):
            others.register(listener)
    return others


def progress_reads(db: Any, ids: list[int], reads: int) -> tuple[float, float, float, float]:
    """Return p50 and p99 ms of an agreement's live progress, then of a one-row read.

    The one-row read (a customer by id, in its own read transaction) is the floor any read
    pays on this machine; the two alternate, so a tail both share is the machine's.
    """
    progress: list[float] = []
    floor: list[float] = []
    for n in range(reads):
        agreement_id = ids[(n * 7919) % len(ids)]
        started = time.perf_counter()
        agreement_progress(db, agreement_id, date(2026, 8, 20))
        progress.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        with db.read() as session:
            session.get(Customer, 1 + n % len(ids))
        floor.append((time.perf_counter() - started) * 1000)
    return (*_p50_p99(progress), *_p50_p99(floor))


def _p50_p99(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return timings[len(timings) // 2], timings[int(len(timings) * 0.99)]


def measure_rounds(app: Any, shop: Any, ids: list[int], args: argparse.Namespace) -> None:
    """Interleave rounds of progress reads and of closes; print each figure's min and median."""
    db, registry = app.extensions["pos.db"], app.extensions["pos.registry"]
    open_shift(context_for(db, registry, "cashier", Q3_DAY, till_id=shop.till_id),
               shop.till_id, 100000)
    figures: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        p50, p99, floor50, floor99 = progress_reads(db, ids, args.reads)
        bare, accrued = close_costs(app, shop, args.closes)
        for name, value in (("progress p50 ms", p50), ("progress p99 ms", p99),
                            ("one-row read p50 ms", floor50), ("one-row read p99 ms", floor99),
                            ("progress / one-row p50", p50 / floor50),
                            ("close without accrual ms", bare), ("close with accrual ms", accrued),
                            ("accrual adds ms", accrued - bare),
                            ("close with / without", accrued / bare)):
            figures.setdefault(name, []).append(value)
    print(f"{args.rounds} interleaved rounds of {args.reads} progress reads and "
          f"{args.closes} close pairs (targets: progress <= 5 ms, accrual adds <= 2 ms):")
    for name, values in figures.items():
        print(f"  {name:26} min {min(values):7.2f}  median {statistics.median(values):7.2f}  "
              f"max {max(values):7.2f}")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--agreements", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--closes", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    set_scrypt_cost(2**8)
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url(args, tmp)
        migrate.upgrade(url)
        app = create_app({"database_url": url, "log_level": "WARNING"})
        db, registry = app.extensions["pos.db"], app.extensions["pos.registry"]
        shop = seed_shop(db, Q3_DAY)
        ids = agreements(db, args.agreements, Q3_DAY)
        manager = context_for(db, registry, "manager", Q3_DAY)
        print(f"database: {db.dialect}; {args.agreements} agreements")
        seconds = accrue(manager, args.agreements, args.lines)
        print(f"accrued {args.lines:,} lines in {seconds:.1f} s "
              f"({seconds / (args.lines / 100) * 1000:.2f} ms per 100-line receipt)")
        after = replace(manager, now=datetime(2026, 10, 5, tzinfo=UTC))
        for label in ("period end", "period end again (idempotent)"):
            started = time.perf_counter()
            claims = calculate_period(after, "2026-Q3")
            print(f"{label}: {len(claims)} claims in {time.perf_counter() - started:.2f} s "
                  "(target <= 10 s)")
        measure_rounds(app, shop, ids, args)
        db.dispose()


if __name__ == "__main__":
    main()
