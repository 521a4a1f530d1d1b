"""What a bonus card adds to a one-shot upload's CPU, the kinds taking turns upload by upload.

``bench/loyalty_http.py`` measures the target through the real server, but on a shared machine
its rounds scatter by ten points and more; ``bench/card_instructions.py`` counts instructions,
which leaves out the kernel's share (a round trip, the WAL's writes) and the machine's caches.
Here one process uploads through the Flask test client to one database, the four kinds of
``bench/loyalty_http.py`` taking turns upload by upload (each kind first in turn), and each
upload's CPU (``time.process_time``: every thread of the process, the WAL's checkpointer
too) is kept by kind: a slow second of the machine falls on every kind alike. On PostgreSQL
the server's own CPU is not counted.

Kinds: without a card, paid in cash; 50.00 by bank card and the rest in cash; with a holder's
bonus card, in cash (it earns); with the card, 50.00 in points (it earns and spends). 20 cards
in turn, 20-line receipts, every upload keyed (``Idempotency-Key``) as a till sends it.

Run: ``.venv/bin/python bench/card_cpu.py [--uploads 300] [--postgres URL]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.card_instructions import CARDS, KINDS, SECRET, uploader  # noqa: E402

WARM_UP = 30  # uploads of each kind


def main() -> None:
    """Prepare a database, upload the kinds in turn, print each kind's CPU per upload."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--uploads", type=int, default=300, help="uploads of each kind")
    parser.add_argument("--postgres", default=os.environ.get("POS_BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    os.environ.setdefault("POS_SECRET_KEY", SECRET)
    if args.postgres:
        from bench.servers import postgres_databases
        with postgres_databases(args.postgres, ("card_cpu",)) as (url,):
            cpu = _measure(url, args.uploads)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            cpu = _measure(f"sqlite:///{tmp}/card_cpu.db", args.uploads)
    print(f"{'PostgreSQL' if args.postgres else 'SQLite'}, {args.uploads} uploads of each kind "
          "in turn, CPU of the process per upload:")
    plain = statistics.mean(cpu["plain"]), statistics.median(cpu["plain"])
    for kind in KINDS:
        mean, median = statistics.mean(cpu[kind]), statistics.median(cpu[kind])
        extra = f"  ({mean / plain[0] - 1:+.1%} / {median / plain[1] - 1:+.1%} of plain's)" \
            if kind != "plain" else ""
        print(f"  {kind:11} mean {mean / 1e3:6.0f} us, median {median / 1e3:6.0f} us{extra}")


def _measure(url: str, uploads: int) -> dict[str, list[int]]:
    from bench.checkout import prepare
    from bench.loyalty_http import bonus_cards

    prepare(url, 2)
    app, upload = uploader(url, bonus_cards(url, CARDS, 1_000_000))
    for _ in range(WARM_UP):
        for kind in KINDS:
            upload(kind)
    gc.collect()
    gc.freeze()  # as a server's worker does once started (pos.server)
    cpu: dict[str, list[int]] = {kind: [] for kind in KINDS}
    for n in range(uploads):
        for kind in KINDS[n % len(KINDS):] + KINDS[:n % len(KINDS)]:
            started = time.process_time_ns()
            upload(kind)
            cpu[kind].append(time.process_time_ns() - started)
    app.extensions["pos.db"].dispose()
    return cpu


if __name__ == "__main__":
    main()
