"""Benchmark the office's sales figures over 100,000 receipts (60 days, two tills).

Times each chart's query (revenue by hour for a day and the same weekday before, by payment
type, by day over 30 days, top items and discounts by rule over 30 days), best of five.
Run: ``.venv/bin/python bench/office_sales.py [--receipts 100000] [--postgres URL]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from pos.core.db import Database  # noqa: E402
from pos.receipts.model import Receipt, ReceiptLine, ReceiptPayment  # noqa: E402
from pos.screens import office_sales_data as data  # noqa: E402
from pos.shifts.model import Shift  # noqa: E402

DAYS = 60
TILLS = (1, 2)
ZONE = ZoneInfo("Europe/Moscow")
APPLIED = [{"discount_id": "milk-10", "name": "Milk 10%", "kind": "line", "group_id": "root",
            "group_name": "All", "rule": "sum", "amount_minor": 1000}]


def fill_shift(db: Database, till_id: int, opened: datetime, count: int) -> None:
    """Insert one closed shift of ``count`` receipts over 12 hours, in bulk."""
    with db.transaction() as session:
        shift = Shift(store_id=1, till_id=till_id, state="closed", opened_by_id=1,
                      opened_at=opened, closed_at=opened + timedelta(hours=13),
                      opening_float_minor=0)
        session.add(shift)
        session.flush()
        step = timedelta(hours=12) / count
        rows = [{"store_id": 1, "till_id": till_id, "shift_id": shift.id,
                 "kind": "return" if n % 50 == 0 else "sale", "state": "closed",
                 "client_uuid": str(uuid.uuid4()), "number": n + 1, "cashier_id": 1,
                 "opened_at": opened + step * n, "closed_at": opened + step * n,
                 "total_minor": 29000, "discount_minor": 1000, "change_minor": 500,
                 "pricing_trace": []} for n in range(count)]
        session.execute(insert(Receipt), rows)
        ids = list(session.scalars(select(Receipt.id).where(Receipt.shift_id == shift.id)))
        session.execute(insert(ReceiptLine), [
            {"receipt_id": rid, "line_no": no, "item_id": no, "sku": sku, "name": sku,
             "quantity_milli": 1000, "unit_price_minor": 15000, "base_amount_minor": 15000,
             "discount_minor": 1000 if no == 1 else 0,
             "amount_minor": 14000 if no == 1 else 15000, "vat_rate": "vat10",
             "is_weighed": False, "discounts": APPLIED if no == 1 else []}
            for rid in ids for no, sku in ((1, "OAT-MILK-1L"), (2, "BANANA-KG"))])
        session.execute(insert(ReceiptPayment), [
            {"receipt_id": rid, "seq": seq, "kind": kind, "amount_minor": amount,
             "gives_change": kind == "cash", "details": {}}
            for rid in ids for seq, kind, amount in ((1, "card", 9000), (2, "cash", 20500))])


def timed(run: Callable[[], object]) -> float:
    """Return the best of five runs of ``run`` in milliseconds."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        run()
        best = min(best, (time.perf_counter() - start) * 1000)
    return best


def run(url: str, receipts: int) -> None:
    """Seed the shop, fill 60 days of receipts and time each chart's query."""
    from pos.core import migrate
    from pos.core.security import set_scrypt_cost
    from tests.conftest import empty_tables
    from tests.helpers import seed_shop

    set_scrypt_cost(2**8)
    migrate.upgrade(url)
    db = Database(url)
    empty_tables(db)
    today = date(2026, 11, 22)
    seed_shop(db, datetime(2026, 11, 22, tzinfo=UTC))
    per_shift = receipts // (DAYS * len(TILLS))
    for back in range(DAYS):
        opened = datetime.combine(today - timedelta(days=back), datetime.min.time(), ZONE)
        for till in TILLS:
            fill_shift(db, till, (opened + timedelta(hours=8)).astimezone(UTC), per_shift)
    day = data.Period(1, ZONE, today, today)
    month = data.Period(1, ZONE, today - timedelta(days=29), today)
    charts = {"hourly (two days)": lambda s: (data.revenue_by_hour(s, day),
                                              data.revenue_by_hour(s, day)),
              "payments (a day)": lambda s: data.by_payment_type(s, day),
              "daily (30 days)": lambda s: data.revenue_by_day(s, month),
              "top items (30 days)": lambda s: data.top_items(s, month),
              "discounts (30 days)": lambda s: (data.discounts_given(s, month),
                                                data.discounts_returned(s, month))}
    with db.read() as session:
        for name, chart in charts.items():
            print(f"  {name:<22} {timed(lambda chart=chart: chart(session)):8.1f} ms")
    db.dispose()


def main() -> None:
    """Run on SQLite and, when given, PostgreSQL."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--receipts", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("POS_BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("SQLite", f"sqlite:///{tmp}/sales.db")]
        if args.postgres:
            targets.append(("PostgreSQL", args.postgres))
        for name, url in targets:
            print(f"{name}, {args.receipts} receipts over {DAYS} days:")
            run(url, args.receipts)


if __name__ == "__main__":
    main()
