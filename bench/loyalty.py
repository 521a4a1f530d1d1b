"""Benchmark loyalty: a bonus card at the till, balance reads, and the expiry job.

What a card adds to a close and to one-shot uploads, balance reads with a million ledger
entries, and the expiry job over a million lots.

Targets (issue 12): a close with a bonus card (earn + spend) adds <= 3 ms on SQLite; a
one-shot upload with a card keeps >= 90 % of the throughput without one, measured in the same
run; a balance read with 1,000,000 ledger entries <= 2 ms; the expiry job over 1,000,000 lots
<= 30 s. Use cases are called in process (no HTTP), with and without a card interleaved so
both see the same noise on the shared machine, in rounds: the minimum and median over rounds.
Run: ``.venv/bin/python bench/loyalty.py [--receipts 300] [--rounds 5] [--entries 1000000]
[--lots 1000000] [--postgres URL]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, func, insert, select, update  # noqa: E402

from loyalty.cards import service as cards  # noqa: E402
from loyalty.cards.model import Card  # noqa: E402
from loyalty.points import service as points  # noqa: E402
from loyalty.points.jobs import run_jobs  # noqa: E402
from loyalty.points.model import ACTIVE, Entry, Lot  # noqa: E402
from pos.app import build_registry  # noqa: E402
from pos.core import migrate  # noqa: E402
from pos.core.context import Context  # noqa: E402
from pos.core.db import Database  # noqa: E402
from pos.core.security import set_scrypt_cost  # noqa: E402
from pos.receipts import service  # noqa: E402
from pos.receipts.cards import attach_card  # noqa: E402
from pos.receipts.lines import LineRequest  # noqa: E402
from pos.receipts.opening import NewReceipt, create_receipt  # noqa: E402
from pos.receipts.service import PaymentRequest  # noqa: E402
from pos.shifts.service import open_shift  # noqa: E402

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
BONUS = {"code": "BONUS", "name": "Bonus", "is_bonus": True, "is_personal": True,
         "number_prefix": "29", "earn_bp": 500, "segment_bp": {}, "campaigns": [],
         "rounding": "down", "is_fractional": False, "pending_days": 0, "expiry_days": 365,
         "point_value_minor": 100, "max_share_percent": 50, "tiers": [], "validity_days": None}
LINES = tuple(LineRequest(sku="MILK-1L") for _ in range(10))  # 10 x 89.90 = 899.00


def setup(url: str) -> tuple[Database, Context, Context, int]:
    """Migrate, seed a shop, open a shift; return the db, cashier, manager and till id."""
    from tests.helpers import context_for, seed_shop

    set_scrypt_cost(2**8)
    migrate.upgrade(url)
    db, registry = Database(url), build_registry()
    shop = seed_shop(db, NOW)
    cashier = context_for(db, registry, "cashier", NOW, till_id=shop.till_id)
    manager = context_for(db, registry, "manager", NOW, till_id=shop.till_id)
    open_shift(cashier, shop.till_id, 100000)
    cards.create_card_type(manager, dict(BONUS))
    return db, cashier, manager, shop.till_id


def close_ms(cashier: Context, manager: Context, till_id: int, card: str | None) -> float:
    """Open, fill and pay a receipt (with a card: 50.00 in points), then time its close."""
    receipt = create_receipt(cashier, NewReceipt(till_id=till_id)).receipt
    for line in LINES:
        service.add_line(cashier, receipt.id, line)
    points_minor = 0
    if card is not None:
        attach_card(cashier, receipt.id, card)
        points_minor = 5000
        service.add_payment(cashier, receipt.id, PaymentRequest("points", points_minor))
    service.add_payment(cashier, receipt.id, PaymentRequest("cash", 89900 - points_minor))
    start = time.perf_counter()
    service.close_receipt(cashier, receipt.id)
    return (time.perf_counter() - start) * 1000


def upload_s(cashier: Context, till_id: int, card: str | None,
             customer_ref: str | None = None) -> float:
    """Time a one-shot upload of a 10-line receipt (with a card: earning, 50.00 in points)."""
    payments = (PaymentRequest("points", 5000), PaymentRequest("cash", 84900)) if card \
        else (PaymentRequest("cash", 89900),)
    start = time.perf_counter()
    create_receipt(cashier, NewReceipt(till_id=till_id, lines=LINES, payments=payments,
                                       card_code=card, customer_ref=customer_ref))
    return time.perf_counter() - start


def _spread(values: list[float]) -> str:
    return f"min {min(values):.2f}, median {statistics.median(values):.2f}"


def bench_till(db: Database, cashier: Context, manager: Context, till_id: int,
               receipts: int, rounds: int) -> None:
    """Print close latency and one-shot throughput with and without a bonus card.

    Both kinds alternate receipt by receipt in each round, so they see the same noise of the
    shared machine; each round gives a median per kind, and the figures are the minimum and
    median of the rounds' medians (the added time) and of the rounds' ratios (throughput).
    """
    card = cards.issue_cards(manager, "BONUS", 1, is_active=True)[0].number
    points.adjust(manager, card, 100 * receipts * rounds * 100 * 2, "bench")
    per_round = max(receipts // rounds, 1)
    added, plain_ms, carded_ms = [], [], []
    for _ in range(rounds):
        plain, carded = [], []
        for _ in range(per_round):
            plain.append(close_ms(cashier, manager, till_id, None))
            carded.append(close_ms(cashier, manager, till_id, card))
        plain_ms.append(statistics.median(plain))
        carded_ms.append(statistics.median(carded))
        added.append(carded_ms[-1] - plain_ms[-1])
    print(f"close without card: {_spread(plain_ms)} ms; with card (earn + spend): "
          f"{_spread(carded_ms)} ms; added {_spread(added)} ms ({rounds} rounds of "
          f"{per_round} each; target <= 3 ms)")
    kept, kept_named, named_kept = [], [], []
    for _ in range(rounds):
        plain_s, named_s, carded_s = [], [], []
        for _ in range(per_round):
            plain_s.append(upload_s(cashier, till_id, None))
            named_s.append(upload_s(cashier, till_id, None, "CUSTOMER-1"))
            carded_s.append(upload_s(cashier, till_id, card))
        p, n, c = (statistics.median(x) for x in (plain_s, named_s, carded_s))
        kept.append(100 * p / c)
        kept_named.append(100 * n / c)
        named_kept.append(100 * p / n)
    # A card names the buyer, so the purchase history discounts keep (pos, not loyalty) is
    # kept for it as for a customer reference: the named-buyer upload shows that part alone.
    print(f"one-shot upload with card, % of the throughput without: {_spread(kept)} "
          f"(target >= 90%); named buyer (customer reference) without card: "
          f"{_spread(named_kept)}; card vs named buyer: {_spread(kept_named)}")


def fill_cards(db: Database, manager: Context, count: int) -> list[int]:
    """Issue ``count`` active anonymous cards in batches; return their ids."""
    with db.read() as session:
        have = session.scalar(select(func.count()).select_from(Card)
                              .where(Card.number.like("27%"))) or 0
    if not have:
        cards.create_card_type(manager, {**BONUS, "code": "ANON", "is_personal": False,
                                         "number_prefix": "27"})
    for start in range(have, count, 10_000):
        cards.issue_cards(manager, "ANON", min(10_000, count - start), is_active=True)
    with db.read() as session:
        return list(session.scalars(select(Card.id).where(Card.number.like("27%"))
                                    .order_by(Card.id).limit(count)))


def bench_balance_read(db: Database, manager: Context, entries: int) -> None:
    """Fill the ledger with ``entries`` rows over 10,000 cards, then time balance reads."""
    ids = fill_cards(db, manager, 10_000)
    start = time.perf_counter()
    with db.transaction() as session:
        for offset in range(0, entries, 50_000):
            session.execute(insert(Entry), [
                {"card_id": ids[n % len(ids)], "at": NOW, "kind": "adjust", "delta_cp": 100,
                 "pending_delta_cp": 0, "debt_delta_cp": 0, "reason": "bench"}
                for n in range(offset, min(entries, offset + 50_000))])
    print(f"ledger filled with {entries:,} entries in {time.perf_counter() - start:.1f} s")
    with db.read() as session:
        numbers = list(session.scalars(select(Card.number).where(Card.id.in_(ids[:200]))))
    samples = []
    for number in numbers * 5:
        start = time.perf_counter()
        points.card_balances(db, number, NOW)
        samples.append((time.perf_counter() - start) * 1000)
    print(f"balance read (settled card + expiring points): median "
          f"{statistics.median(samples):.2f} ms, p99 "
          f"{sorted(samples)[int(len(samples) * 0.99)]:.2f} ms (target <= 2 ms)")


def bench_expiry(db: Database, manager: Context, lots: int) -> None:
    """Put ``lots`` expired lots on 100,000 cards, then time the expiry job over them."""
    ids = fill_cards(db, manager, min(100_000, max(lots, 1)))
    past = NOW - timedelta(days=1)
    with db.transaction() as session:
        for offset in range(0, lots, 50_000):
            session.execute(insert(Lot), [
                {"card_id": ids[n % len(ids)], "source": "adjust", "amount_cp": 100,
                 "remaining_cp": 100, "state": ACTIVE, "active_from": past - timedelta(days=400),
                 "expires_at": past} for n in range(offset, min(lots, offset + 50_000))])
        per_card: dict[int, int] = {}
        for n in range(lots):
            per_card[ids[n % len(ids)]] = per_card.get(ids[n % len(ids)], 0) + 100
        session.connection().execute(
            update(Card.__table__).where(Card.__table__.c.id == bindparam("card"))
            .values(balance_cp=Card.__table__.c.balance_cp + bindparam("cp")),
            [{"card": card_id, "cp": cp} for card_id, cp in per_card.items()])
    start = time.perf_counter()
    done = run_jobs(db, NOW)
    took = time.perf_counter() - start
    print(f"expiry job: {lots:,} lots on {done.cards:,} cards, {done.expired_cp // 100:,} "
          f"points expired in {took:.1f} s (target <= 30 s)")


def main() -> None:
    """Run the workloads on a fresh database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--receipts", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--lots", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=None, help="an empty database's URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.postgres or f"sqlite:///{folder}/bench.db"
        db, cashier, manager, till_id = setup(url)
        bench_till(db, cashier, manager, till_id, args.receipts, args.rounds)
        if args.entries:
            bench_balance_read(db, manager, args.entries)
        if args.lots:
            bench_expiry(db, manager, args.lots)
        db.dispose()


if __name__ == "__main__":
    main()
