"""Benchmark the checkout: 20-line receipts through the HTTP API.

1. Flask test client (in process): add-line and close latency, p50/p99 (targets 15 / 30 ms).
2. A real server (``pos serve``, gunicorn, 2 workers) on loopback: one-shot
   ``POST /api/v1/receipts`` throughput (target >= 300 receipts/s on SQLite) and each worker's
   resident memory after the run (target <= 200 MB).

Run: ``.venv/bin/python bench/checkout.py [--receipts 10000] [--postgres URL]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pos.core import migrate  # noqa: E402
from pos.core.db import Database  # noqa: E402
from pos.core.security import set_scrypt_cost  # noqa: E402

SKUS = ("OAT-MILK-1L", "MILK-1L")
LINES = [{"sku": SKUS[i % 2], "quantity": str(1 + i % 3)} for i in range(18)] + [
    {"sku": "APPLE-KG", "quantity": "0.735", "weight_source": "scale"},
    {"sku": "BANANA-KG", "quantity": "1.210", "weight_source": "scale"}]


def percentile(values: list[float], pct: float) -> float:
    """Return the pct-th percentile (nearest rank) in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))] * 1000


def prepare(url: str, tills: int = 2) -> list[int]:
    """Seed a shop (users, items, ``tills`` tills in MAIN numbered 1..tills); return their ids.

    The ids are not 1..tills: the seeded second store's till comes between.
    """
    from pos.auth.service import assign_places
    from pos.core.security import TokenCache
    from pos.stores.service import create_till
    from tests.conftest import empty_tables
    from tests.helpers import seed_shop

    set_scrypt_cost(2**8)
    migrate.upgrade(url)
    db = Database(url)
    empty_tables(db)
    now = datetime.now(UTC)
    shop = seed_shop(db, now)
    till_ids = [shop.till_id, shop.other_till_id]
    for number in range(3, tills + 1):
        till_ids.append(create_till(db, shop.store_id, number, f"Till {number}", "online").id)
    # The cashier works at every till the load uses (she is assigned to the seeded two).
    assign_places(db, "cashier", [shop.store_id], till_ids, now=now, actor_id=None,
                  tokens=TokenCache())
    db.dispose()
    return till_ids


def in_process(url: str, receipts: int) -> None:
    """Time add-line and close through the Flask test client."""
    from pos.app import create_app
    from tests.helpers import ApiClient

    app = create_app({"database_url": url, "log_level": "WARNING"})
    api = ApiClient(app.test_client())
    shift = api.post("/api/v1/shifts", json={"till_id": 1, "opening_float": "0"}).get_json()
    adds: list[float] = []
    closes: list[float] = []
    for _ in range(receipts):
        rid = api.post("/api/v1/receipts", json={"till_id": 1}).get_json()["id"]
        for line in LINES:  # keyed, as a till sends them
            start = time.perf_counter()
            response = api.post(f"/api/v1/receipts/{rid}/lines", json=line,
                                headers={"Idempotency-Key": str(uuid.uuid4())})
            adds.append(time.perf_counter() - start)
            assert response.status_code == 201, response.get_json()
        total = api.get(f"/api/v1/receipts/{rid}").get_json()["total"]
        api.post(f"/api/v1/receipts/{rid}/payments", json={"type": "cash", "amount": total})
        start = time.perf_counter()
        response = api.post(f"/api/v1/receipts/{rid}/close",
                            headers={"Idempotency-Key": str(uuid.uuid4())})
        closes.append(time.perf_counter() - start)
        assert response.status_code == 200, response.get_json()
    api.post(f"/api/v1/shifts/{shift['id']}/close", json={"counted_cash": "0"})
    print(f"  add line : n={len(adds)} p50={percentile(adds, 50):.2f} ms "
          f"p99={percentile(adds, 99):.2f} ms (target p99 <= 15 ms)")
    print(f"  close    : n={len(closes)} p50={percentile(closes, 50):.2f} ms "
          f"p99={percentile(closes, 99):.2f} ms (target p99 <= 30 ms)")
    app.extensions["pos.db"].dispose()


def free_port() -> int:
    """Return a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, port: int, log: str | None = None) -> subprocess.Popen[bytes]:
    """Start ``pos serve`` with 2 workers and wait until it answers (output to ``log``)."""
    env = {**os.environ, "POS_DATABASE_URL": url, "POS_LOG_LEVEL": "WARNING"}
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - the child owns it
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/pos"), "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=out, stderr=out, start_new_session=True)
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/health")
            return server
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def login(port: int) -> str:
    """Sign in as the cashier over HTTP."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("POST", "/api/v1/auth/login", json.dumps(
        {"username": "cashier", "password": "cashier-pass"}), {"Content-Type": "application/json"})
    return str(json.loads(conn.getresponse().read())["token"])


def one_shot_load(port: int, token: str, receipts: int, clients: int, tills: list[int]
                  ) -> float:
    """Upload finished receipts from ``clients`` threads; return receipts per second.

    Client ``i`` uploads for till ``tills[i % len(tills)]``: one till's documents are numbered
    and chained one after another, so several tills show how a store server scales.
    """
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("POST", "/api/v1/receipts/quote", json.dumps({"till_id": 1, "lines": LINES}),
                 headers)
    total = json.loads(conn.getresponse().read())["total"]
    failures: list[Any] = []
    successes: list[int] = []

    def client(count: int, till_id: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        done = 0
        try:
            for _ in range(count):
                body = {"till_id": till_id, "client_uuid": str(uuid.uuid4()), "lines": LINES,
                        "payments": [{"type": "cash", "amount": total}]}
                connection.request("POST", "/api/v1/receipts", json.dumps(body),
                                   {**headers, "Idempotency-Key": body["client_uuid"]})
                response = connection.getresponse()
                payload = response.read()
                if response.status == 201:
                    done += 1
                else:
                    failures.append(payload[:200])
        except Exception as error:  # noqa: BLE001 - a dead client is reported, not counted
            failures.append(repr(error))
        finally:
            successes.append(done)

    threads = [threading.Thread(target=client, args=(receipts // clients, tills[i % len(tills)]))
               for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        print(f"  {len(failures)} failures, first: {failures[0]!r}")
    return sum(successes) / elapsed  # only receipts the server answered 201 for


def worker_rss_mb(server: subprocess.Popen[bytes]) -> list[float]:
    """Return the resident memory of each gunicorn worker (children of the master)."""
    out = subprocess.run(["ps", "-o", "pid=,rss=", "--ppid", str(server.pid)],
                         capture_output=True, text=True, check=False).stdout
    return [int(line.split()[1]) / 1024 for line in out.splitlines() if line.strip()]


def served(url: str, receipts: int, clients: int, tills: int, log: str | None = None) -> None:
    """Measure one-shot throughput and worker memory on a real server."""
    port = free_port()
    server = start_server(url, port, log)
    try:
        token = login(port)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", "/api/v1/stores", headers={"Authorization": f"Bearer {token}"})
        till_ids = [t["id"] for t in json.loads(conn.getresponse().read())[0]["tills"]][:tills]
        for till_id in till_ids:
            conn.request("POST", "/api/v1/shifts",
                         json.dumps({"till_id": till_id, "opening_float": "0"}),
                         {"Content-Type": "application/json",
                          "Authorization": f"Bearer {token}"})
            conn.getresponse().read()
        rate = one_shot_load(port, token, receipts, clients, till_ids)
        print(f"  one-shot : {rate:.0f} receipts/s of 20 lines, {receipts} receipts, "
              f"{clients} clients, {tills} till(s), 2 workers (target >= 300/s)")
        print("  worker RSS after the run: "
              + ", ".join(f"{mb:.0f} MB" for mb in worker_rss_mb(server)) + " (target <= 200)")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    """Run the benchmark on SQLite and, when given, PostgreSQL."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--receipts", type=int, default=10_000)
    parser.add_argument("--latency-receipts", type=int, default=50)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--tills", type=int, default=1, help="tills the clients upload for")
    parser.add_argument("--postgres", default=os.environ.get("POS_BENCH_POSTGRES_URL"))
    parser.add_argument("--server-log", help="append the server's output to this file")
    parser.add_argument("--only", choices=("sqlite", "postgres"), help="run one database")
    parser.add_argument("--skip-latency", action="store_true", help="skip the in-process part")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("SQLite", f"sqlite:///{tmp}/bench.db")] if args.only != "postgres" else []
        if args.postgres and args.only != "sqlite":
            targets.append(("PostgreSQL", args.postgres))
        for name, url in targets:
            print(f"{name}:", flush=True)
            if not args.skip_latency:
                prepare(url)
                in_process(url, args.latency_receipts)
            prepare(url, max(2, args.tills))
            served(url, args.receipts, args.clients, args.tills, args.server_log)


if __name__ == "__main__":
    main()
