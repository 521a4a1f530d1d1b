"""Where a bonus card's share of a one-shot upload goes: per-function timers, in process.

Uploads the 20-line receipt of ``bench/loyalty_http.py`` through the Flask test client,
without a card (cash) and with one (50.00 in points, the rest in cash: an earn and a spend),
kind after kind in rounds, and times the functions a card's sale passes through, inclusive of
what they call (a timer costs about a microsecond). Prints, per receipt, the median over rounds
of the process's CPU and of each function, without and with the card, and the difference:
what to cut when the card's share is too large. Figures are in process and have no HTTP, so
they are for finding costs, not for the target (``bench/loyalty_http.py`` measures that).

Run: ``.venv/bin/python bench/card_share.py [--receipts 500] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.checkout import LINES, prepare  # noqa: E402

# (module, class or None, function): what a card's sale passes through, and the close's parts
TIMED = (
    ("pos.receipts.opening", None, "create_receipt"),
    ("pos.core.pan_guard", None, "refuse_card_numbers"),
    ("pos.receipts.cards", None, "checked_card_code"),
    ("loyalty.points.at_till", None, "card_for_sale"),
    ("pos.receipts.tendering", None, "make_payment"),
    ("pos.receipts.tendering", None, "take_tenders"),
    ("loyalty.points.tender", "PointsTender", "take"),
    ("pos.receipts.rows", "NewRows", "insert"),
    ("pos.receipts.closing", None, "record_closed"),
    ("pos.fiscal.service", None, "record_numbered"),
    ("loyalty.points.tender", "PointsListener", "closed"),
    ("loyalty.points.ledger", None, "credit"),
    ("loyalty.points.ledger", None, "draw"),
    ("pos.core.db", "LockingConnection", "commit"),
)
spent: dict[str, float] = defaultdict(float)


def _timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - start
    return timed


def install() -> list[str]:
    """Wrap every function of ``TIMED`` where it is defined and where it was imported."""
    labels = []
    for module_name, owner, name in TIMED:
        module = importlib.import_module(module_name)
        target = getattr(module, owner) if owner else module
        label = f"{owner}.{name}" if owner else name
        original = getattr(target, name)
        wrapped = _timed(label, original)
        setattr(target, name, wrapped)
        labels.append(label)
        if owner is None:  # the modules that imported it by name call their own reference
            for other in list(sys.modules.values()):
                if getattr(other, name, None) is original:
                    setattr(other, name, wrapped)
    return labels


def main() -> None:
    """Warm up, then time rounds of uploads without and with a card, alternately."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--receipts", type=int, default=500, help="uploads per kind and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from bench.loyalty_http import bonus_card
    from pos.app import create_app
    from tests.helpers import ApiClient

    labels = install()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/share.db"
        prepare(url)
        card = bonus_card(url, 60 * (args.receipts * args.rounds + 100))
        app = create_app({"database_url": url, "log_level": "WARNING"})
        api = ApiClient(app.test_client())
        api.post("/api/v1/shifts", json={"till_id": 1, "opening_float": "0"})
        total = Decimal(api.post("/api/v1/receipts/quote", json={
            "till_id": 1, "lines": LINES}).get_json()["total"])

        def upload(with_card: bool) -> None:
            key = str(uuid.uuid4())
            body: dict[str, Any] = {"till_id": 1, "client_uuid": key, "lines": LINES,
                                    "payments": [{"type": "cash", "amount": str(total)}]}
            if with_card:
                body["card_code"] = card
                body["payments"] = [{"type": "points", "amount": "50.00"},
                                    {"type": "cash", "amount": str(total - 50)}]
            response = api.post("/api/v1/receipts", json=body, headers={"Idempotency-Key": key})
            assert response.status_code == 201, response.get_json()

        for _ in range(50):
            upload(False)
            upload(True)
        figures: dict[bool, dict[str, list[float]]] = {False: defaultdict(list),
                                                       True: defaultdict(list)}
        for _ in range(args.rounds):
            for with_card in (False, True):
                spent.clear()
                cpu = time.process_time()
                for _ in range(args.receipts):
                    upload(with_card)
                per = 1e6 / args.receipts
                figures[with_card]["CPU of the process"].append(
                    (time.process_time() - cpu) * per)
                for label in labels:
                    figures[with_card][label].append(spent[label] * per)
        app.extensions["pos.db"].dispose()
    print(f"microseconds per receipt, median of {args.rounds} rounds of {args.receipts}")
    print(f"{'':36} {'no card':>8} {'card':>8} {'added':>8}")
    for label in ["CPU of the process", *labels]:
        plain = statistics.median(figures[False][label])
        with_card = statistics.median(figures[True][label])
        print(f"{label:36} {plain:8.1f} {with_card:8.1f} {with_card - plain:8.1f}")


if __name__ == "__main__":
    main()
