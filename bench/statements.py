"""Count SQL statements and CPU per use case: one-shot uploads, add-line, close (in process).

Scenarios: one-shot upload of 10 lines without a card, with a bonus card (earn + 50.00 in
points), with a customer reference; add-line on an open receipt; the close of a paid receipt
without and with a card (earn + spend). Prints per call the statements (their kinds with
``--sql``), the Python function calls (steady under load) and the CPU ms (``process_time``;
for one-shots and add-line the median of ``--rounds`` rounds).
Run: ``.venv/bin/python bench/statements.py [--calls 100] [--rounds 3] [--sql]``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.loyalty import LINES, setup, upload_s  # noqa: E402
from loyalty.cards import service as cards  # noqa: E402
from loyalty.points import service as points  # noqa: E402
from pos.core.context import Context  # noqa: E402
from pos.receipts import service  # noqa: E402
from pos.receipts.cards import attach_card  # noqa: E402
from pos.receipts.opening import NewReceipt, create_receipt  # noqa: E402
from pos.receipts.service import PaymentRequest  # noqa: E402


def paid(cashier: Context, till_id: int, card: str | None) -> Callable[[], object]:
    """Open, fill and pay a receipt (with a card: 50.00 in points); return its close."""
    receipt = create_receipt(cashier, NewReceipt(till_id=till_id, lines=LINES)).receipt
    points_minor = 0
    if card is not None:
        attach_card(cashier, receipt.id, card)
        points_minor = 5000
        service.add_payment(cashier, receipt.id, PaymentRequest("points", points_minor))
    service.add_payment(cashier, receipt.id, PaymentRequest("cash", 89900 - points_minor))
    return lambda: service.close_receipt(cashier, receipt.id)


def counted(engine: object, call: Callable[[], object]) -> list[str]:
    """Run ``call`` once and return the SQL statements it sent."""
    statements: list[str] = []

    def count(*a: object) -> None:
        statements.append(" ".join(str(a[2]).split()))

    event.listen(engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return statements


def python_calls(call: Callable[[], object]) -> int:
    """Return how many Python function calls one run of ``call`` makes (steady under load)."""
    profiler = cProfile.Profile()
    profiler.runcall(call)
    return int(pstats.Stats(profiler).total_calls)  # type: ignore[attr-defined]


def cpu_ms(call: Callable[[], object], calls: int, rounds: int) -> float:
    """Return the median over rounds of the process CPU ms per call."""
    per_round = []
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(calls):
            call()
        per_round.append((time.process_time() - start) * 1000 / calls)
    return statistics.median(per_round)


def show(statements: list[str], is_wanted: bool) -> None:
    """Print each kind of statement and how many were sent."""
    if is_wanted:
        for text, n in Counter(s[:90] for s in statements).most_common():
            print(f"   {n:3} {text}")


def main() -> None:
    """Set up a shop with a bonus card, then measure each scenario."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sql", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db, cashier, manager, till_id = setup(f"sqlite:///{folder}/bench.db")
        card = cards.issue_cards(manager, "BONUS", 1, is_active=True)[0].number
        points.adjust(manager, card, 10**9, "bench")
        receipt = create_receipt(cashier, NewReceipt(till_id=till_id)).receipt

        def add_line() -> None:
            service.add_line(cashier, receipt.id, LINES[0])

        scenarios: dict[str, Callable[[], object]] = {
            "one-shot, no card": lambda: upload_s(cashier, till_id, None),
            "one-shot, bonus card": lambda: upload_s(cashier, till_id, card),
            "one-shot, customer ref": lambda: upload_s(cashier, till_id, None, "CUSTOMER-1"),
            "add-line": add_line,
        }
        for name, call in scenarios.items():
            for _ in range(5):
                call()  # warm caches
            statements = counted(db.engine, call)
            print(f"{name}: {len(statements)} statements, {python_calls(call)} Python calls, "
                  f"{cpu_ms(call, args.calls, args.rounds):.2f} CPU ms per call")
            show(statements, args.sql)
        for name, card_number in (("close, no card", None), ("close, card", card)):
            closes = [paid(cashier, till_id, card_number) for _ in range(args.calls + 2)]
            statements = counted(db.engine, closes.pop())
            calls = python_calls(closes.pop())
            start = time.process_time()
            for close in closes:
                close()
            cpu = (time.process_time() - start) * 1000 / len(closes)
            print(f"{name}: {len(statements)} statements, {calls} Python calls, "
                  f"{cpu:.2f} CPU ms per call")
            show(statements, args.sql)
        db.dispose()


if __name__ == "__main__":
    main()
