"""Load scenario with locust: tills ring up customers while managers and a card holder read.

- Tills (one user per till): open a shift, then serve customers: open a receipt, scan 5-20
  items 100-300 ms apart, the customer pays in cash (1-2 s), close; 1-3 s to the next one.
- Managers: read the X report of an open shift every 2-5 s.
- Card holder: signs in with a loyalty card's number and PIN (``POST /loyalty/me/sign-in``,
  scrypt-checked like a staff login), then reads that card's balance, pending and expiring
  points and tier (``GET /loyalty/me/cards/{number}``) every 2-5 s.

Run: ``.venv/bin/python bench/load.py [--seconds 30] [--tills 10] [--managers 2]
[--holders 1] [--postgres URL]`` starts ``pos serve`` (2 workers, loopback) on a fresh
migrated database with the bench's demo data, runs locust headless for ``--seconds``, prints
p50/p99 per request kind and exits 1 on any error response. Needs the ``bench`` extra
(``pip install -e ".[bench]"``; ``make bench-load`` does both). As a plain locustfile,
``locust -f bench/load.py --host URL`` expects that data: users cashier / manager, tills 1..N
without an open shift, and a holder's card (``POS_LOAD_CARD``, PIN ``POS_LOAD_PIN``).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, events, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.checkout import LINES, free_port, prepare  # noqa: E402
from bench.servers import postgres_databases, start_ours  # noqa: E402
from tests.helpers import PASSWORDS  # noqa: E402

HOLDER_PIN = "2468"
HOLDER_CARD: list[str] = [os.environ.get("POS_LOAD_CARD", "")]  # set by main() when it seeds
TILL_IDS: list[int] = []  # MAIN's tills as seeded (not 1..n: the second store's till is 3)
_TILLS = itertools.count(0)  # each till user takes the next till
OPEN_SHIFTS: list[int] = []  # what managers read X reports of


def prepare_holder(url: str) -> str:
    """Issue a personal bonus card with a PIN and some points; return its number."""
    from datetime import UTC, datetime

    from loyalty.cards import service as cards
    from loyalty.points import service as points
    from pos.app import build_registry
    from pos.core.db import Database
    from tests.helpers import context_for

    db = Database(url)
    manager = context_for(db, build_registry(), "manager", datetime.now(UTC))
    cards.create_card_type(manager, {
        "code": "LOAD", "name": "Load bonus card", "is_bonus": True, "is_personal": True,
        "number_prefix": "25", "earn_bp": 500, "expiry_days": 365})
    number = cards.issue_cards(manager, "LOAD", 1, cards.NewHolder("Load Holder",
                                                                   pin=HOLDER_PIN),
                               is_active=True)[0].number
    points.adjust(manager, number, 10_000, "load scenario")
    db.dispose()
    return number


class PosUser(HttpUser):
    """A signed-in user of the API; a failed call records the problem's ``code``."""

    abstract = True
    username = "cashier"
    till_id: int | None = None

    def on_start(self) -> None:
        """Sign in."""
        body = self.call("POST", "/api/v1/auth/login", "POST /auth/login",
                         {"username": self.username, "password": PASSWORDS[self.username]},
                         auth=False)
        self.token = body["token"] if body else ""

    def call(self, method: str, path: str, kind: str, body: Any = None,
             auth: bool = True) -> dict[str, Any] | None:
        """Send one request as a till would; return its JSON, or None if it failed."""
        headers = {"Idempotency-Key": str(uuid.uuid4())} if method == "POST" else {}
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.till_id is not None:
            headers["X-Till-Id"] = str(self.till_id)
        with self.client.request(method, path, json=body, headers=headers, name=kind,
                                 catch_response=True) as response:
            if response.status_code >= 400:
                response.failure(f"{response.status_code} {response.text[:200]}")
                return None
            return dict(response.json())


class TillUser(PosUser):
    """A till: opens its shift, then rings up customers one after another."""

    fixed_count = 10
    wait_time = between(1, 3)  # the next customer steps up

    def on_start(self) -> None:
        """Sign in as the cashier and open this till's shift."""
        self.till_id = TILL_IDS[next(_TILLS) % len(TILL_IDS)]
        super().on_start()
        shift = self.call("POST", "/api/v1/shifts", "POST /shifts",
                          {"till_id": self.till_id, "opening_float": "1000.00"})
        if shift:
            OPEN_SHIFTS.append(int(shift["id"]))

    @task
    def customer(self) -> None:
        """Scan a basket, take cash and close the receipt."""
        receipt = self.call("POST", "/api/v1/receipts", "POST /receipts (open)",
                            {"till_id": self.till_id})
        if receipt is None:
            return
        path = f"/api/v1/receipts/{receipt['id']}"
        for line in LINES[:random.randint(5, len(LINES))]:
            time.sleep(random.uniform(0.1, 0.3))  # the next item reaches the scanner
            receipt = self.call("POST", f"{path}/lines", "POST /receipts/{id}/lines", line)
            if receipt is None:
                return
        time.sleep(random.uniform(1, 2))  # the customer counts the cash
        paid = self.call("POST", f"{path}/payments", "POST /receipts/{id}/payments",
                         {"type": "cash", "amount": receipt["total"]})
        if paid is not None:
            self.call("POST", f"{path}/close", "POST /receipts/{id}/close")


class ManagerUser(PosUser):
    """A manager glancing at the X report of one of the open shifts."""

    fixed_count = 2
    username = "manager"
    wait_time = between(2, 5)

    @task
    def x_report(self) -> None:
        """Read an open shift's X report (none open yet: wait for the next turn)."""
        if OPEN_SHIFTS:
            shift_id = random.choice(OPEN_SHIFTS)
            self.call("GET", f"/api/v1/shifts/{shift_id}/x-report", "GET /shifts/{id}/x-report")


class CardHolderUser(PosUser):
    """A card holder: signs in with the card and PIN, then reads the card's balance."""

    fixed_count = 1
    wait_time = between(2, 5)

    def on_start(self) -> None:
        """Sign in with the card's number and PIN (a holder token, not a staff one)."""
        self.card = HOLDER_CARD[0]
        body = self.call("POST", "/api/v1/loyalty/me/sign-in", "POST /loyalty/me/sign-in",
                         {"card_number": self.card, "pin": os.environ.get("POS_LOAD_PIN",
                                                                          HOLDER_PIN)},
                         auth=False)
        self.token = body["token"] if body else ""

    @task
    def balance(self) -> None:
        """Read the card's points, pending and expiring points and tier."""
        self.call("GET", f"/api/v1/loyalty/me/cards/{self.card}",
                  "GET /loyalty/me/cards/{number}")


USERS: list[type[PosUser]] = [TillUser, ManagerUser, CardHolderUser]


def run_locust(host: str, seconds: float) -> Environment:
    """Run every user class headless against ``host`` for ``seconds``; return its stats."""
    env = Environment(user_classes=list(USERS), events=events, host=host)
    runner = env.create_local_runner()
    users = sum(user.fixed_count for user in USERS)
    runner.start(users, spawn_rate=users)
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join(timeout=seconds + 60)
    runner.quit()
    return env


def report(env: Environment, seconds: float) -> int:
    """Print p50/p99 per request kind and every error; return the number of errors."""
    print(f"\n{'request':34}{'count':>7}{'errors':>7}{'p50 ms':>8}{'p99 ms':>8}")
    for entry in sorted(env.stats.entries.values(), key=lambda e: e.name):
        print(f"{entry.name:34}{entry.num_requests:7}{entry.num_failures:7}"
              f"{entry.get_response_time_percentile(0.5):8.0f}"
              f"{entry.get_response_time_percentile(0.99):8.0f}")
    total = env.stats.total
    print(f"{'all':34}{total.num_requests:7}{total.num_failures:7}  "
          f"({total.num_requests / seconds:.1f} requests/s over {seconds:g} s)")
    for error in env.stats.errors.values():
        print(f"  error x{error.occurrences}: {error.name}: {error.error}")
    exceptions = list(env.runner.exceptions.values()) if env.runner else []
    for row in exceptions:
        print(f"  exception x{row['count']} in a user: {row['msg']}")
    return int(total.num_failures) + sum(int(row["count"]) for row in exceptions)


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the run")
    parser.add_argument("--tills", type=int, default=10, help="till users, one till each")
    parser.add_argument("--managers", type=int, default=2)
    parser.add_argument("--holders", type=int, default=1)
    parser.add_argument("--postgres", default=os.environ.get("POS_BENCH_POSTGRES_URL"),
                        help="run on a fresh database on this PostgreSQL server")
    args = parser.parse_args()
    if args.seconds <= 0 or args.tills < 1 or args.managers < 0 or args.holders < 0:
        parser.error("--seconds > 0, --tills >= 1, --managers and --holders >= 0")
    return args


def main() -> None:
    """Start a seeded server, run the scenario, print its figures; exit 1 on any error."""
    args = parse_args()
    TillUser.fixed_count, ManagerUser.fixed_count = args.tills, args.managers
    CardHolderUser.fixed_count = args.holders
    with tempfile.TemporaryDirectory(prefix="pos-load-") as tmp, ExitStack() as stack:
        url = (stack.enter_context(postgres_databases(args.postgres, ("load",)))[0]
               if args.postgres else f"sqlite:///{tmp}/load.db")
        TILL_IDS[:] = prepare(url, max(2, args.tills))
        HOLDER_CARD[0] = prepare_holder(url)
        server = start_ours(url, free_port(), Path(tmp, "server.log"))
        stack.callback(server.stop)
        print(f"pos serve on :{server.port} ({'PostgreSQL' if args.postgres else 'SQLite'}), "
              f"{args.tills} tills, {args.managers} managers, {args.holders} card holders, "
              f"{args.seconds:g} s", flush=True)
        errors = report(run_locust(f"http://127.0.0.1:{server.port}", args.seconds),
                        args.seconds)
    if errors:
        print(f"{errors} errors: the run failed")
        sys.exit(1)


if __name__ == "__main__":
    main()
