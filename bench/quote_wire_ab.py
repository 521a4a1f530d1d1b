"""Compare a 100-line quote's CPU above the engine with the direct load and dump and without.

The quote's schemas load a plain basket and write the answer by a direct path
(``pos/receipts/quote_wire.py``); this times each quote twice in turn, once that way and once
through marshmallow's own ``load`` and the compiled dump, on the stored rules and catalog of
``discounts_http.py``, and checks both answers are the same. CPU time (``time.process_time``)
per quote minus the engine's, min and median after ten warm-up rounds.

Run: ``.venv/bin/python bench/quote_wire_ab.py [--rounds 80]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from marshmallow import Schema  # noqa: E402

from bench.discounts_http import ITEMS, seed  # noqa: E402
from pos.app import create_app  # noqa: E402
from pos.auth.service import NewUser, create_user  # noqa: E402
from pos.core import migrate  # noqa: E402
from pos.core.fastdump import FastDumpSchema  # noqa: E402
from pos.core.security import set_scrypt_cost  # noqa: E402
from pos.receipts import pricing, schemas  # noqa: E402

DIRECT = schemas.QuoteSchema.load, schemas.QuoteResultSchema.dump
MARSHMALLOW = Schema.load, FastDumpSchema.dump


def client_and_headers() -> tuple[Any, dict[str, str]]:
    """Seed a temporary database and return a test client with a cashier's bearer header."""
    set_scrypt_cost(2**10)
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='pos-bench-')) / 'quote.db'}"
    migrate.upgrade(url)
    app = create_app({"database_url": url, "log_level": "WARNING"})
    db, now = app.extensions["pos.db"], datetime.now(UTC)
    seed(db, now)
    create_user(db, NewUser("bench", "Bench", "cashier", "bench-password", store_ids=(1,)),
                now=now, actor_id=None)
    client = app.test_client()
    token = client.post("/api/v1/auth/login", json={"username": "bench",
                                                    "password": "bench-password"}).get_json()
    return client, {"Authorization": f"Bearer {token['token']}"}


def main() -> None:
    """Time both ways in turn and print min and median CPU ms above the engine."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=80)
    rounds = parser.parse_args().rounds
    client, headers = client_and_headers()
    engine, spent = pricing.price, [0.0]

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return engine(*args, **kwargs)
        finally:
            spent[0] += time.process_time() - started

    pricing.price = timed  # type: ignore[assignment]
    rng, samples = random.Random(5), {"direct": [], "marshmallow": []}
    for _ in range(rounds + 10):
        body = {"till_id": 1, "lines": [{"sku": f"SKU-{rng.randrange(ITEMS)}",
                                         "quantity": str(rng.randint(1, 3))}
                                        for _ in range(100)]}
        answers = []
        for name, (load, dump) in (("direct", DIRECT), ("marshmallow", MARSHMALLOW)):
            schemas.QuoteSchema.load, schemas.QuoteResultSchema.dump = load, dump  # type: ignore[method-assign]
            spent[0] = 0.0
            started = time.process_time()
            response = client.post("/api/v1/receipts/quote", json=body, headers=headers)
            samples[name].append((time.process_time() - started - spent[0]) * 1000)
            assert response.status_code == 200, response.get_json()
            answers.append(response.get_json())
        assert answers[0] == answers[1], "the two ways answer differently"
    schemas.QuoteSchema.load, schemas.QuoteResultSchema.dump = DIRECT  # type: ignore[method-assign]
    pricing.price = engine  # type: ignore[assignment]
    for name, values in samples.items():
        print(f"100-line quote, {name} load and dump: CPU ms above the engine "
              f"min {min(values[10:]):.2f} median {statistics.median(values[10:]):.2f}")


if __name__ == "__main__":
    main()
