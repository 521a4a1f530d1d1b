"""Benchmark the Z report of a shift with 10,000 receipts (target <= 200 ms).

Also prints the number of SQL statements the report runs for 100 and for 10,000 receipts:
it must not grow with the receipt count (aggregate queries only).
Run: ``.venv/bin/python bench/zreport.py [--receipts 10000] [--postgres URL]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select  # noqa: E402

from pos.core.db import Database  # noqa: E402
from pos.receipts.model import Receipt, ReceiptLine, ReceiptPayment  # noqa: E402
from pos.shifts.model import Shift  # noqa: E402
from pos.shifts.report import shift_totals  # noqa: E402


def fill(db: Database, shift_id: int, count: int, now: datetime) -> None:
    """Insert ``count`` closed receipts of 3 lines, paid by card and cash, in bulk."""
    with db.transaction() as session:
        rows = [{"store_id": 1, "till_id": 1, "shift_id": shift_id, "kind": "sale",
                 "state": "closed", "client_uuid": str(uuid.uuid4()), "number": n + 1,
                 "cashier_id": 1, "opened_at": now, "closed_at": now, "total_minor": 30000,
                 "discount_minor": 0, "change_minor": 500, "pricing_trace": []}
                for n in range(count)]
        session.execute(insert(Receipt), rows)
        ids = list(session.scalars(select(Receipt.id).where(Receipt.shift_id == shift_id)))
        lines = [{"receipt_id": rid, "line_no": no, "item_id": 1, "sku": "OAT-MILK-1L",
                  "name": "Oat milk", "quantity_milli": 1000, "unit_price_minor": 10000,
                  "base_amount_minor": 10000, "discount_minor": 0, "amount_minor": 10000,
                  "vat_rate": "vat10" if no < 3 else "vat20", "is_weighed": False,
                  "discounts": []} for rid in ids for no in (1, 2, 3)]
        session.execute(insert(ReceiptLine), lines)
        pays = [{"receipt_id": rid, "seq": seq, "kind": kind, "amount_minor": amount,
                 "gives_change": kind == "cash", "details": {}}
                for rid in ids for seq, kind, amount in ((1, "card", 10000), (2, "cash", 20500))]
        session.execute(insert(ReceiptPayment), pays)


def measure(db: Database, shift_id: int) -> tuple[float, int, dict[str, object]]:
    """Return the report's time (ms), statement count and result."""
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    start = time.perf_counter()
    with db.read() as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None
        totals = shift_totals(session, shift)
    elapsed = (time.perf_counter() - start) * 1000
    event.remove(db.engine, "before_cursor_execute", count)
    return elapsed, len([s for s in statements if not s.startswith("BEGIN")]), totals


def run(url: str, receipts: int) -> None:
    """Seed, fill two shifts (100 and ``receipts`` receipts) and time their reports."""
    from pos.core import migrate
    from pos.core.security import set_scrypt_cost
    from tests.conftest import empty_tables
    from tests.helpers import seed_shop

    set_scrypt_cost(2**8)
    migrate.upgrade(url)
    db = Database(url)
    empty_tables(db)
    now = datetime.now(UTC)
    seed_shop(db, now)
    for size in (100, receipts):
        with db.transaction() as session:
            shift = Shift(store_id=1, till_id=1, state="closed", opened_by_id=1, opened_at=now,
                          opening_float_minor=0)
            session.add(shift)
            session.flush()
            shift_id = shift.id
        fill(db, shift_id, size, now)
        best = min(measure(db, shift_id)[0] for _ in range(5))
        _, statements, totals = measure(db, shift_id)
        cash = totals["cash"]
        assert isinstance(cash, dict)
        print(f"  {size:>6} receipts: Z report {best:.1f} ms, {statements} SQL statements, "
              f"expected cash {cash['expected_minor'] / 100:.2f}")
    db.dispose()


def main() -> None:
    """Run on SQLite and, when given, PostgreSQL."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--receipts", type=int, default=10_000)
    parser.add_argument("--postgres", default=os.environ.get("POS_BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("SQLite", f"sqlite:///{tmp}/z.db")]
        if args.postgres:
            targets.append(("PostgreSQL", args.postgres))
        for name, url in targets:
            print(f"{name} (target <= 200 ms, statements independent of the count):")
            run(url, args.receipts)


if __name__ == "__main__":
    main()
