"""Measure what a bonus card costs the one-shot upload's throughput through the real server.

``bench/loyalty.py`` calls the use case in process, which leaves out everything each upload
costs besides it (HTTP, Flask, the token, idempotency, the answer). Here ``pos serve`` runs
as in production (gunicorn, 2 sync workers, loopback, a fresh database) and 4 client threads
upload 20-line receipts, as ``bench/ratio.py``'s one-shot does: without a card, paid in cash;
with a bonus card, paying 50.00 in points and the rest in cash, so each receipt earns and
spends. The two kinds alternate round by round (plain, card, plain, card, ...) and each round
gives the card's throughput as a share of the plain round's before it, and both rounds'
worker CPU per receipt; figures are min / median over rounds.

Target (issue 12): a one-shot upload with a card keeps >= 90 % of the throughput without one.
Rounds of 600 uploads last a second and scatter by several points on a shared machine: the
defaults are 10 rounds of 2,400 (four seconds a round, about 90 s in all).
Run: ``.venv/bin/python bench/loyalty_http.py [--rounds 10] [--receipts 2400]``;
``bench/with_postgres.sh .venv/bin/python bench/loyalty_http.py`` measures on a throwaway
PostgreSQL instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.checkout import LINES, free_port, prepare  # noqa: E402
from bench.servers import call, login, open_shifts, postgres_databases, start_ours  # noqa: E402
from bench.workloads import oneshot  # noqa: E402
from tests.helpers import PASSWORDS  # noqa: E402

CLIENTS = 4
BONUS = {"code": "BONUS", "name": "Bonus", "is_bonus": True, "is_personal": True,
         "number_prefix": "29", "earn_bp": 500, "segment_bp": {}, "campaigns": [],
         "rounding": "down", "is_fractional": False, "pending_days": 0, "expiry_days": 365,
         "point_value_minor": 100, "max_share_percent": 50, "tiers": [], "validity_days": None}


def bonus_card(url: str, points: int) -> str:
    """Create the bonus card type, issue an active card holding ``points``; return its number."""
    from loyalty.cards import service as cards
    from loyalty.points import service as bonus_points
    from pos.app import build_registry
    from pos.core.db import Database
    from tests.helpers import context_for

    db = Database(url)
    manager = context_for(db, build_registry(), "manager", datetime.now(UTC))
    cards.create_card_type(manager, dict(BONUS))
    number = cards.issue_cards(manager, "BONUS", 1, is_active=True)[0].number
    bonus_points.adjust(manager, number, points * 100, "bench")
    db.dispose()
    return str(number)


def _spread(values: list[float], unit: str = "") -> str:
    return f"min {min(values):.2f}{unit}, median {statistics.median(values):.2f}{unit}"


def measure(url: str, args: argparse.Namespace, tmp: str) -> int:
    """Seed, serve, warm up, alternate plain and card rounds; print; return the failures."""
    till_id = prepare(url, 2)[0]
    card = bonus_card(url, 60 * args.receipts * (args.rounds + 1))
    with ExitStack() as stack:
        server = start_ours(url, free_port(), Path(tmp, "ours.log"))
        stack.callback(server.stop)
        token = login(server.port, "cashier", PASSWORDS["cashier"])
        open_shifts(server.port, token, [till_id])
        status, quoted = call(server.port, "POST", "/api/v1/receipts/quote",
                              {"till_id": till_id, "lines": LINES},
                              {"Authorization": f"Bearer {token}"})
        if status != 200:
            raise RuntimeError(f"quote answered {status}: {quoted}")
        total = str(quoted["total"])
        failures = 0
        for kind in (None, card):  # warm-up, not counted
            failures += len(oneshot(server, token, till_id, total, 100, CLIENTS, kind).failures)
        kept, plain_cpu, card_cpu = [], [], []
        for number in range(1, args.rounds + 1):
            plain = oneshot(server, token, till_id, total, args.receipts, CLIENTS)
            carded = oneshot(server, token, till_id, total, args.receipts, CLIENTS, card)
            failures += len(plain.failures) + len(carded.failures)
            kept.append(100 * carded.rate / plain.rate)
            if plain.cpu_ms_per_receipt and carded.cpu_ms_per_receipt:
                plain_cpu.append(plain.cpu_ms_per_receipt)
                card_cpu.append(carded.cpu_ms_per_receipt)
            print(f"  round {number}/{args.rounds}: plain {plain.rate:6.1f}/s, card "
                  f"{carded.rate:6.1f}/s, kept {kept[-1]:5.1f}%", flush=True)
    print(f"one-shot with a card (earn + 50.00 in points), % of the throughput without: "
          f"{_spread(kept, '%')} (target >= 90%)")
    if plain_cpu:
        print(f"worker CPU per receipt: plain {_spread(plain_cpu, ' ms')}; card "
              f"{_spread(card_cpu, ' ms')}")
    return failures


def main() -> None:
    """Measure on SQLite, or on the PostgreSQL bench/with_postgres.sh started."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--receipts", type=int, default=2400, help="uploads a round, per kind")
    args = parser.parse_args()
    postgres = os.environ.get("POS_BENCH_POSTGRES_URL")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
          f"{'PostgreSQL' if postgres else 'SQLite'}", flush=True)
    with tempfile.TemporaryDirectory(prefix="pos-loyalty-") as tmp, ExitStack() as stack:
        url = f"sqlite:///{tmp}/ours.db"
        if postgres:
            url = stack.enter_context(postgres_databases(postgres, ("ours",)))[0]
        failures = measure(url, args, tmp)
    if failures:
        print(f"{failures} failed requests: these figures are not a result")
        sys.exit(1)


if __name__ == "__main__":
    main()
