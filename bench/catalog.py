"""Catalog benchmark: import 100,000 items, then barcode lookups via the service and HTTP.

Run: ``.venv/bin/python bench/catalog.py [--items N] [--lookups N]``. Prints figures; asserts
nothing. Targets (issue "Foundation"): import <= 30 s, peak memory <= 300 MB, service lookup
p99 <= 2 ms, HTTP lookup p99 <= 5 ms. ``bench/with_postgres.sh .venv/bin/python
bench/catalog.py`` runs it on a throwaway PostgreSQL instead.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.servers import postgres_databases  # noqa: E402
from pos.app import create_app  # noqa: E402
from pos.auth.service import NewUser, create_user  # noqa: E402
from pos.catalog.importer import import_file  # noqa: E402
from pos.catalog.prices import lookup  # noqa: E402
from pos.core import migrate  # noqa: E402
from pos.core.barcode import WeightLayout, encode_weight_barcode, gs1_check_digit  # noqa: E402
from pos.core.security import set_scrypt_cost  # noqa: E402
from pos.stores.model import Store  # noqa: E402

COLUMNS = ["sku", "name", "unit", "is_weighed", "vat_rate", "plu", "barcodes", "price", "store"]


def ean13(n: int) -> str:
    """Return a valid EAN-13 for sequence number ``n``."""
    body = f"461{n:09d}"
    return body + str(gs1_check_digit(body))


def write_catalog(path: Path, items: int) -> list[str]:
    """Write an import file of ``items`` rows (every 20th weighed); return scannable codes."""
    codes: list[str] = []
    layout = WeightLayout.parse("20-29", "PPCCCCCWWWWWK")
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(items):
            weighed = n % 20 == 0
            plu = n // 20 + 1 if weighed else ""
            barcodes = "" if weighed else f"{ean13(n)};{ean13(n + 5_000_000)}" if n % 3 == 0 \
                else ean13(n)
            writer.writerow([f"SKU-{n:06d}", f"Item number {n}", "kg" if weighed else "pcs",
                             str(weighed).lower(), "vat20", plu, barcodes,
                             f"{100 + n % 900}.{n % 100:02d}", "MAIN"])
            codes.append(encode_weight_barcode("21", int(plu), 455, layout) if weighed
                         else ean13(n))
    return codes


def percentiles(samples: list[float]) -> str:
    """Format p50/p99/max of samples in milliseconds."""
    ordered = sorted(samples)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    return (f"p50 {statistics.median(ordered) * 1000:.3f} ms, p99 {p99 * 1000:.3f} ms, "
            f"max {ordered[-1] * 1000:.3f} ms")


def main() -> None:
    """Run the three workloads and print their figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=10_000)
    args = parser.parse_args()
    set_scrypt_cost(2**10)
    workdir = Path(tempfile.mkdtemp(prefix="pos-bench-"))
    with ExitStack() as stack:
        url = f"sqlite:///{workdir / 'bench.db'}"
        postgres = os.environ.get("POS_BENCH_POSTGRES_URL")
        if postgres:
            url = stack.enter_context(postgres_databases(postgres, ("catalog",)))[0]
        print("PostgreSQL" if postgres else "SQLite")
        measure(url, workdir, args)


def measure(url: str, workdir: Path, args: argparse.Namespace) -> None:
    """Migrate, seed, import, look up; print each figure."""
    migrate.upgrade(url)
    app = create_app({"database_url": url, "log_level": "WARNING"})
    db, now = app.extensions["pos.db"], datetime.now(UTC)
    with db.transaction() as s:
        s.add(Store(code="MAIN", name="Bench", timezone="Europe/Moscow", created_at=now))
    from pos.catalog.prices import create_price_type

    create_price_type(db, "retail", "Retail", 1)
    create_user(db, NewUser("bench", "Bench", "cashier", "bench-password", store_ids=(1,)),
                now=now, actor_id=None)
    codes = write_catalog(workdir / "catalog.csv", args.items)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    started = time.perf_counter()
    report = import_file(db, workdir / "catalog.csv", "csv",
                         app.extensions["pos.barcode_layouts"], now)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert not report.errors, report.errors[:5]
    print(f"import: {report.items} items, {report.barcodes} barcodes, {report.prices} prices "
          f"in {elapsed:.2f} s ({report.items / elapsed:,.0f} items/s); peak RSS {peak:.0f} MB "
          f"(process before import {rss_before:.0f} MB)")

    rng = random.Random(7)
    sample = [rng.choice(codes) for _ in range(args.lookups)]
    layouts = app.extensions["pos.barcode_layouts"]
    timings = []
    for code in sample:
        t0 = time.perf_counter()
        lookup(db, 1, code, layouts, now)
        timings.append(time.perf_counter() - t0)
    print(f"service lookup x{len(sample)}: {percentiles(timings)}")

    client = app.test_client()
    token = client.post("/api/v1/auth/login", json={"username": "bench",
                                                    "password": "bench-password"}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    timings = []
    for code in sample:
        t0 = time.perf_counter()
        response = client.get(f"/api/v1/catalog/lookup?code={code}&store_id=1", headers=headers)
        timings.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.get_json()
    print(f"HTTP lookup (Flask test client) x{len(sample)}: {percentiles(timings)}")
    db.dispose()


if __name__ == "__main__":
    main()
