"""Measure our server as a ratio of the calibration server, in the same run, interleaved.

The machine is shared and noisy, so a headline figure is ours divided by what
``../shared/bench/calibration.py`` (a bare Flask + SQLAlchemy Core server doing only the
writes a receipt needs) does on the same workload, measured right before or after it.
Both servers run at once (gunicorn, 2 sync workers each, loopback free ports, fresh
databases); each round runs every workload on ours, then on calibration. Workloads:

- ``oneshot``: 20-line receipts uploaded in one request each, 4 client threads, one till;
  receipts/s and the workers' CPU ms per receipt.
- ``till20``: 20 tills, each adding a line about every 200 ms (random pause 100-300 ms,
  staggered starts), 20-line receipts paid in cash and closed; add-line p50/p99.
- ``till1``: one till adding lines back to back; add-line p50/p99.

Every ratio is ours / calibration, taken per round and summarised by its median (and the
range over rounds): below 1 for throughput means we do less; above 1 for latency or CPU
means we take longer or burn more. A warm-up before the rounds is not counted.

Run: ``.venv/bin/python bench/ratio.py [--rounds 5] [--receipts 1000] [--seconds 10]
[--workload oneshot|till20|till1|all] [--postgres URL] [--only sqlite|postgres]``;
``bench/with_postgres.sh .venv/bin/python bench/ratio.py`` adds a throwaway PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import ratio_report  # noqa: E402
from bench.checkout import LINES, free_port, prepare  # noqa: E402
from bench.servers import (  # noqa: E402
    CALIBRATION,
    Server,
    call,
    login,
    open_shifts,
    postgres_databases,
    start_calibration,
    start_ours,
)
from bench.workloads import TillSession, oneshot, till_traffic  # noqa: E402
from tests.helpers import PASSWORDS  # noqa: E402

WORKLOADS = ("oneshot", "till20", "till1")
TILLS = 22  # MAIN's tills 1..20 for the 20-till run, 21 alone, 22 for uploads
PAUSE = (0.1, 0.3)  # seconds between a till's scans: about 200 ms
CLIENTS = 4


class Pair:
    """Ours and the calibration server, with the tills each workload drives on them."""

    def __init__(self, ours: Server, calibration: Server, till_ids: list[int]) -> None:
        self.servers = {"ours": ours, "calibration": calibration}
        till20, till1, self.till = till_ids[:20], till_ids[20], till_ids[21]
        tokens = {t: login(ours.port, "cashier", PASSWORDS["cashier"])
                  for t in till_ids}  # one sign-in per till
        open_shifts(ours.port, tokens[till1], sorted(tokens))
        self.token = tokens[self.till]
        self.total = self._receipt_total(ours.port)
        self.tills = {name: {"till20": [TillSession(s.port, tokens[t], t) for t in till20],
                             "till1": [TillSession(s.port, tokens[till1], till1)]}
                      for name, s in self.servers.items()}

    def _receipt_total(self, port: int) -> str:
        """Price the 20 lines once on ours: both servers are paid exactly that in cash."""
        status, body = call(port, "POST", "/api/v1/receipts/quote",
                            {"till_id": self.till, "lines": LINES},
                            {"Authorization": f"Bearer {self.token}"})
        if status != 200:
            raise RuntimeError(f"quote answered {status}: {body}")
        return str(body["total"])

    def run(self, workload: str, name: str, args: argparse.Namespace, seed: int) -> Any:
        """Run one workload once on one server and return its result."""
        if workload == "oneshot":
            return oneshot(self.servers[name], self.token, self.till, self.total,
                           args.receipts, CLIENTS)
        pause = PAUSE if workload == "till20" else None
        return till_traffic(self.tills[name][workload], args.seconds, pause, seed)

    def warm_up(self) -> None:
        """Warm both servers' workers (caches, connections, collector) outside the rounds."""
        for name, server in self.servers.items():
            oneshot(server, self.token, self.till, self.total, 100, CLIENTS)
            till_traffic(self.tills[name]["till1"], 1.0, None, seed=0)


def rounds(pair: Pair, workloads: list[str], args: argparse.Namespace
           ) -> dict[str, dict[str, list[Any]]]:
    """Run the rounds interleaved (ours, calibration, ours, ...) and return every result."""
    results: dict[str, dict[str, list[Any]]] = {
        w: {"ours": [], "calibration": []} for w in workloads}
    for number in range(1, args.rounds + 1):
        for workload in workloads:
            for name in ("ours", "calibration"):
                result = pair.run(workload, name, args, seed=number)
                results[workload][name].append(result)
                print(f"  round {number}/{args.rounds} {workload:7} {name:11} "
                      f"{ratio_report.brief(result)}", flush=True)
    return results


@contextmanager
def database_pair(name: str, args: argparse.Namespace, tmp: str) -> Iterator[tuple[str, str]]:
    """Yield fresh database URLs for ours and calibration on SQLite or PostgreSQL."""
    if name == "SQLite":
        yield f"sqlite:///{tmp}/ours.db", f"sqlite:///{tmp}/calibration.db"
    else:
        with postgres_databases(args.postgres, ("ours", "calibration")) as urls:
            yield urls[0], urls[1]


def measure(name: str, args: argparse.Namespace, workloads: list[str]) -> int:
    """Seed, start both servers, warm up, run the rounds and print; return the failures."""
    with tempfile.TemporaryDirectory(prefix="pos-ratio-") as tmp, ExitStack() as stack:
        ours_url, calibration_url = stack.enter_context(database_pair(name, args, tmp))
        till_ids = prepare(ours_url, TILLS)
        ours = start_ours(ours_url, free_port(), Path(tmp, "ours.log"))
        stack.callback(ours.stop)
        calibration = start_calibration(calibration_url, free_port(),
                                        Path(tmp, "calibration.log"))
        stack.callback(calibration.stop)
        pair = Pair(ours, calibration, till_ids)
        print(f"{name}: ours on :{ours.port}, calibration on :{calibration.port}; "
              "warming up (not counted)", flush=True)
        pair.warm_up()
        results = rounds(pair, workloads, args)
        return ratio_report.summary(name, results, args)


def provenance(args: argparse.Namespace) -> None:
    """Print what was measured, on what, and the command that reproduces it."""
    commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                            capture_output=True, text=True, check=False).stdout.strip()
    command = shlex.join([".venv/bin/python", "bench/ratio.py", *sys.argv[1:]])
    if args.postgres and args.postgres == os.environ.get("POS_BENCH_POSTGRES_URL") \
            and "--postgres" not in sys.argv:
        command = f"bench/with_postgres.sh {command}"
    print(f"ratio bench at {commit or 'unknown commit'}; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}; calibration: {CALIBRATION}")
    print(f"reproduce: {command}", flush=True)


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--receipts", type=int, default=1000,
                        help="one-shot receipts a round, per server")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="length of an interactive (till) round, per server")
    parser.add_argument("--workload", choices=(*WORKLOADS, "all"), default="all")
    parser.add_argument("--postgres", default=os.environ.get("POS_BENCH_POSTGRES_URL"),
                        help="PostgreSQL URL: two databases are created on its server")
    parser.add_argument("--only", choices=("sqlite", "postgres"), help="run one database")
    args = parser.parse_args()
    if args.rounds < 1 or args.receipts < CLIENTS or args.seconds <= 0:
        parser.error(f"--rounds >= 1, --receipts >= {CLIENTS} and --seconds > 0")
    if args.only == "postgres" and not args.postgres:
        parser.error("--only postgres needs --postgres URL (or bench/with_postgres.sh)")
    return args


def main() -> None:
    """Run the ratio bench on SQLite and, when given, PostgreSQL; exit 1 on any failure."""
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on the way out
    workloads = list(WORKLOADS) if args.workload == "all" else [args.workload]
    databases = [] if args.only == "postgres" else ["SQLite"]
    if args.postgres and args.only != "sqlite":
        databases.append("PostgreSQL")
    provenance(args)
    try:
        failures = sum(measure(name, args, workloads) for name in databases)
    except KeyboardInterrupt:
        print("interrupted: servers stopped, nothing measured counts")
        sys.exit(130)
    if failures:
        print(f"{failures} failed requests: these figures are not a result")
        sys.exit(1)


if __name__ == "__main__":
    main()
