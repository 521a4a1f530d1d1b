"""What a bonus card adds to a one-shot upload, counted in instructions, which noise leaves be.

``bench/loyalty_http.py`` measures the target (throughput through the real server), but on a
shared machine its rounds scatter by ten points and more. Here each kind of upload runs in its
own process under valgrind's callgrind, which counts the instructions the process executes, not
the time: the same code gives the same count on a busy machine or an idle one. Each process
seeds nothing itself: it opens the app on a database prepared for it (the shop and 20 holders'
bonus cards), uploads 60 receipts to warm up (each card thrice), then ``--uploads`` 20-line
receipts through the Flask test client (parsing, pricing, writing, the answer), and only those
are counted. Kinds: without a card paid in cash; 50.00 by bank card and the rest in cash; with
a card, in cash (it earns); with a card, 50.00 in points (it earns and spends).

What it leaves out: the database server's work (PostgreSQL's backend is another process) and
the kernel's (system calls, the WAL's writes), and HTTP's parsing in gunicorn (the same for
every kind). Worker instructions are most of what an upload costs, so the shares here are the
bound the throughput's ratio approaches on an idle machine.

Run: ``.venv/bin/python bench/card_instructions.py [--uploads 100] [--postgres URL] [--keep DIR]``
(``--keep``: each kind's callgrind file stays in DIR, for ``callgrind_annotate``);
needs valgrind (Debian's ``valgrind`` package). Two kinds run at a time; a round takes a few
minutes.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KINDS = ("plain", "split", "earn", "earn+spend")
# Holders' cards in turn, each sold three times in the warm-up: a worker's first sales to a
# buyer teach it the buyer's purchase history (an insert, then one that finds the rows), as a
# running server has long learnt its regular buyers'.
CARDS = 20
WARM_UP = 3 * CARDS
SECRET = "card-instructions-bench-secret-key-0123"  # (a server database needs one)


def main() -> None:
    """Prepare a database per kind, count each kind's uploads under callgrind, print shares."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--uploads", type=int, default=100)
    parser.add_argument("--postgres", default=os.environ.get("POS_BENCH_POSTGRES_URL"))
    parser.add_argument("--keep", metavar="DIR",
                        help="keep each kind's callgrind file there (for callgrind_annotate)")
    parser.add_argument("--child", nargs=3, metavar=("URL", "KIND", "CARDS_FILE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _upload(*args.child, uploads=args.uploads)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        if args.postgres:
            from bench.servers import postgres_databases
            with postgres_databases(args.postgres, tuple(f"k{n}" for n in
                                                         range(len(KINDS)))) as urls:
                counts = _count_all(urls, tmp, args.uploads, args.keep)
        else:
            counts = _count_all([f"sqlite:///{tmp}/{n}.db" for n in range(len(KINDS))], tmp,
                                args.uploads, args.keep)
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{database}, {args.uploads} uploads of 20 lines per kind, instructions per upload "
          "(the app's process, counted by callgrind):")
    plain = counts["plain"]
    for kind in KINDS:
        extra = f"  +{counts[kind] / plain - 1:.1%} of plain, so at most " \
            f"{plain / counts[kind]:.1%} of its throughput" if kind != "plain" else ""
        print(f"  {kind:11} {counts[kind] / 1e6:7.2f} M{extra}")
    print(f"  earn+spend is +{counts['earn+spend'] / counts['split'] - 1:.1%} of the split "
          "paid by bank card")


def _count_all(urls: list[str], tmp: str, uploads: int, keep: str | None) -> dict[str, float]:
    from bench.checkout import prepare
    from bench.loyalty_http import bonus_cards

    files = []
    for n, url in enumerate(urls):
        prepare(url, 2)
        cards = Path(tmp, f"cards{n}.txt")
        cards.write_text("\n".join(bonus_cards(url, CARDS, 100_000)))
        files.append(str(cards))
    with ThreadPoolExecutor(2) as pool:
        found = list(pool.map(lambda n: _callgrind(urls[n], KINDS[n], files[n], keep or tmp,
                                                   uploads), range(len(KINDS))))
    return {kind: total / uploads for kind, total in zip(KINDS, found, strict=True)}


def _callgrind(url: str, kind: str, cards: str, folder: str, uploads: int) -> int:
    # Counted only inside qsort: the child calls its uploads from qsort's comparison.
    out = Path(folder, f"{kind}.out")
    env = {**os.environ, "POS_SECRET_KEY": SECRET, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--toggle-collect=*qsort*",
         f"--callgrind-out-file={out}", sys.executable, __file__, "--uploads", str(uploads),
         "--child", url, kind, cards],
        env=env, capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"{kind}: callgrind failed\n{done.stderr[-3000:]}")
    return int(found.group(1))


def uploader(url: str, cards: list[str]) -> tuple[Any, Callable[[str], None]]:
    """Open the app on ``url`` with a shift on till 1; return it and an upload of a kind.

    Each upload is a keyed 20-line receipt of that kind (see :data:`KINDS`), the card ones
    taking ``cards`` in turn.
    """
    from bench.checkout import LINES
    from pos.app import create_app
    from tests.helpers import ApiClient

    app = create_app({"database_url": url, "log_level": "WARNING"})
    api = ApiClient(app.test_client())
    api.post("/api/v1/shifts", json={"till_id": 1, "opening_float": "0"})
    total = api.post("/api/v1/receipts/quote",
                     json={"till_id": 1, "lines": LINES}).get_json()["total"]
    turn = iter(range(10**9))

    def upload(kind: str) -> None:
        key = str(uuid.uuid4())
        payments: list[dict[str, str]] = [{"type": "cash", "amount": total}]
        if kind in ("split", "earn+spend"):
            payments = [{"type": "points", "amount": "50.00"},
                        {"type": "cash", "amount": str(Decimal(total) - 50)}]
            if kind == "split":
                payments[0] = {"type": "card", "amount": "50.00", "card_brand": "VISA",
                               "card_last4": "4242"}
        body = {"till_id": 1, "client_uuid": key, "lines": LINES, "payments": payments}
        if kind in ("earn", "earn+spend"):
            body["card_code"] = cards[next(turn) % len(cards)]
        response = api.post("/api/v1/receipts", json=body, headers={"Idempotency-Key": key})
        assert response.status_code == 201, response.get_json()

    return app, upload


def _upload(url: str, kind: str, cards_file: str, *, uploads: int) -> None:
    app, upload_one = uploader(url, Path(cards_file).read_text().split())

    def upload() -> None:
        upload_one(kind)

    for _ in range(WARM_UP):
        upload()
    gc.collect()
    gc.freeze()  # as a server's worker does once started (pos.server)
    done: list[int] = []

    def counted(_a: int, _b: int) -> int:
        if not done:
            done.append(uploads)
            for _ in range(uploads):
                upload()
        return 0

    # callgrind counts what runs inside qsort (--toggle-collect): the uploads, called from
    # its comparison of two numbers, and nothing of the start or the warm-up.
    compare = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(counted)
    numbers = (ctypes.c_int * 2)(1, 2)
    ctypes.CDLL(None).qsort(numbers, 2, ctypes.sizeof(ctypes.c_int), compare)
    assert done, "qsort never compared"
    app.extensions["pos.db"].dispose()


if __name__ == "__main__":
    main()
