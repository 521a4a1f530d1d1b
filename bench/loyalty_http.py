"""Measure what a bonus card costs the one-shot upload's throughput through the real server.

``bench/loyalty.py`` calls the use case in process, which leaves out everything each upload
costs besides it (HTTP, Flask, the token, idempotency, the answer). Here ``pos serve`` runs
as in production (gunicorn, 2 sync workers, loopback, a fresh database) and 4 client threads
upload 20-line receipts, as ``bench/ratio.py``'s one-shot does, of four kinds:

- without a card, paid in cash;
- without a card, 50.00 paid by bank card and the rest in cash (a split payment, to compare
  the last kind with);
- with a registered holder's bonus card, paid in cash (the receipt earns and prints the
  holder's sign-in code: a card sale's common case);
- with the card, paying 50.00 in points and the rest in cash (it earns and spends).

The card uploads take ``--cards`` holders' cards in turn, as a store's customers come (one card
for every upload would queue them all on its row on PostgreSQL, and keep its pages warm on
SQLite). Within a round the kinds take turns in chunks of ``--chunk`` uploads, each kind first
in turn, so a slow second of a shared machine falls on every kind alike rather than on one
kind's whole share of the round; a round gives each kind's throughput (its uploads over its
chunks' time) as a share of the plain one's, the card that spends also as a share of the bank
card split's, and every kind's worker CPU per receipt; figures are min / median over rounds.

Target (issue 12): a one-shot upload with a card keeps >= 90 % of the throughput without one.
Run: ``.venv/bin/python bench/loyalty_http.py [--rounds 10] [--receipts 800] [--chunk 50]
[--cards 200]``; ``bench/with_postgres.sh .venv/bin/python bench/loyalty_http.py`` measures on
a throwaway PostgreSQL instead.
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
from bench.workloads import OneShotRun, oneshot  # noqa: E402
from tests.helpers import PASSWORDS  # noqa: E402

CLIENTS = 4
BONUS = {"code": "BONUS", "name": "Bonus", "is_bonus": True, "is_personal": True,
         "number_prefix": "29", "earn_bp": 500, "segment_bp": {}, "campaigns": [],
         "rounding": "down", "is_fractional": False, "pending_days": 0, "expiry_days": 365,
         "point_value_minor": 100, "max_share_percent": 50, "tiers": [], "validity_days": None}


def bonus_card(url: str, points: int) -> str:
    """Create the bonus card type, issue an active card holding ``points``; return its number.

    The card is registered to a holder, as a personal card usually is: its sales print the
    holder's sign-in code.
    """
    return bonus_cards(url, 1, points)[0]


def bonus_cards(url: str, count: int, points: int) -> list[str]:
    """Create the bonus card type, issue ``count`` holders' cards holding ``points`` each."""
    from loyalty.cards import service as cards
    from loyalty.points import service as bonus_points
    from pos.app import build_registry
    from pos.core.db import Database
    from tests.helpers import context_for

    db = Database(url)
    manager = context_for(db, build_registry(), "manager", datetime.now(UTC))
    cards.create_card_type(manager, dict(BONUS))
    numbers = []
    for n in range(count):
        holder = cards.NewHolder(name=f"Bench Holder {n}", pin="2468")
        number = cards.issue_cards(manager, "BONUS", 1, holder=holder, is_active=True)[0].number
        bonus_points.adjust(manager, number, points * 100, "bench")
        numbers.append(str(number))
    db.dispose()
    return numbers


def _spread(values: list[float], unit: str = "") -> str:
    return f"min {min(values):.2f}{unit}, median {statistics.median(values):.2f}{unit}"


def _joined(chunks: list[OneShotRun]) -> OneShotRun:
    """One kind's chunks of a round as one run: its uploads over its time, CPU per upload."""
    done = sum(chunk.receipts for chunk in chunks)
    elapsed = sum(chunk.receipts / chunk.rate for chunk in chunks if chunk.rate)
    cpu = None
    if done and all(chunk.cpu_ms_per_receipt is not None for chunk in chunks):
        cpu = sum((chunk.cpu_ms_per_receipt or 0) * chunk.receipts for chunk in chunks) / done
    return OneShotRun(done / elapsed if elapsed else 0.0, cpu, done,
                      [failure for chunk in chunks for failure in chunk.failures])


def measure(url: str, args: argparse.Namespace, tmp: str) -> int:
    """Seed, serve, warm up, run the rounds (kinds in turns of chunks); return the failures."""
    till_id = prepare(url, 2)[0]
    # (each card pays 50.00 in points a quarter of its uploads, and earns as it goes)
    card = bonus_cards(url, args.cards,
                       60 * (args.receipts * (args.rounds + 1) // args.cards + 100))
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
        # (what, card, pays 50.00 in points, pays 50.00 by bank card)
        kinds = (("plain", None, False, False), ("split", None, False, True),
                 ("earn", card, False, False), ("earn+spend", card, True, False))
        for _, number, points, split in kinds:  # warm-up, not counted
            failures += len(oneshot(server, token, till_id, total, 100, CLIENTS, number,
                                    points, split).failures)
        # (kind, the kind it is a share of)
        shares = (("split", "plain"), ("earn", "plain"), ("earn+spend", "plain"),
                  ("earn+spend", "split"))
        kept: dict[tuple[str, str], list[float]] = {share: [] for share in shares}
        cpu: dict[str, list[float]] = {what: [] for what, *_ in kinds}
        for round_number in range(1, args.rounds + 1):
            chunks: dict[str, list[OneShotRun]] = {what: [] for what, *_ in kinds}
            for turn in range(max(1, args.receipts // args.chunk)):
                # each kind goes first, second... and last in turn
                first = turn % len(kinds)
                for what, number, points, split in kinds[first:] + kinds[:first]:
                    chunks[what].append(oneshot(server, token, till_id, total, args.chunk,
                                                CLIENTS, number, points, split))
            runs = {what: _joined(each) for what, each in chunks.items()}
            failures += sum(len(run.failures) for run in runs.values())
            line = f"  round {round_number}/{args.rounds}: " + ", ".join(
                f"{what} {run.rate:6.1f}/s" for what, run in runs.items())
            for what, of in shares:
                kept[(what, of)].append(100 * runs[what].rate / runs[of].rate)
            line += "; " + ", ".join(f"{what}/{of} {kept[(what, of)][-1]:5.1f}%"
                                     for what, of in shares)
            if all(run.cpu_ms_per_receipt for run in runs.values()):
                for what, run in runs.items():
                    cpu[what].append(run.cpu_ms_per_receipt or 0.0)
            print(line, flush=True)
    print("one-shot with a card, % of the throughput without (target >= 90%):")
    print(f"  a card that earns: {_spread(kept[('earn', 'plain')], '%')}")
    print("  a card that earns and pays 50.00 in points: "
          f"{_spread(kept[('earn+spend', 'plain')], '%')}; of the same split paid by bank "
          f"card: {_spread(kept[('earn+spend', 'split')], '%')}")
    print(f"a split paid 50.00 by bank card, no card: {_spread(kept[('split', 'plain')], '%')}")
    if cpu["plain"]:
        print("worker CPU per receipt: " + "; ".join(
            f"{what} {_spread(values, ' ms')}" for what, values in cpu.items()))
    return failures


def main() -> None:
    """Measure on SQLite, or on the PostgreSQL bench/with_postgres.sh started."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--receipts", type=int, default=800,
                        help="uploads a round, per kind (whole chunks: at least one)")
    parser.add_argument("--cards", type=int, default=200,
                        help="cards the card uploads take in turn (1: every upload the same)")
    parser.add_argument("--chunk", type=int, default=50,
                        help="uploads of one kind before the other kind's (within a round)")
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
