"""Measure discount pricing when every rule has candidates on every receipt (dense).

Target (the cashier's wait issue): 100 lines x 1,000 rules <= 5 ms per receipt (p50) when all
the rules find lines. The workload stands for a supermarket running its whole promotion
calendar at once: 1,000 items in 50 categories of 10 departments, and 1,000 rules that each
target a category (percent, amount or fixed price per line, 3-for-2 or every-n-th unit,
percent or amount on the category's total), 20% with a two-items condition. They sit in
PRIORITY batches of 50 (a department's offers in the order the manager ranked them) under
the same root as the sparse workload (campaigns MAX, loyalty, receipt offers). A receipt holds
every category at least once, so each batch has about ten offers on each line of its
department: the first keeps the line and the rest are displaced, about 75 records per batch.
"""

from __future__ import annotations

import random
import statistics
import sys
from decimal import Decimal
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/discounts_dense.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.discounts import CONTEXT, RECEIPTS, _globals, percentiles  # noqa: E402
from pos.discounts.engine import (  # noqa: E402
    AmountOff,
    Benefit,
    CheapestFree,
    Discount,
    FixedPrice,
    Group,
    Kind,
    LineInput,
    Per,
    PercentOff,
    QuantityDiscount,
    Rule,
    Scope,
    SegmentQuantity,
    compile_rules,
    price,
)
from pos.discounts.engine.basket import build_basket  # noqa: E402

ITEMS, CATEGORIES, DEPARTMENTS, BATCH = 1_000, 50, 10, 50
OUR_STORE = 1
Item = tuple[int, int, frozenset[str]]


def dense_catalog(rng: random.Random) -> list[Item]:
    """Return 1,000 items, 20 in each category."""
    return [
        (item_id, rng.randrange(1_000, 50_000), frozenset({f"cat-{item_id % CATEGORIES}"}))
        for item_id in range(1, ITEMS + 1)
    ]


def _offer(rng: random.Random, number: int) -> Discount:
    # Batch b lists offers of department b % 10, whose categories are those = b (mod 10).
    department = number // BATCH % DEPARTMENTS
    segment = f"cat-{rng.randrange(department, CATEGORIES, DEPARTMENTS)}"
    scope = Scope.LINE
    roll = rng.random()
    if roll < 0.35:
        benefit: Benefit = PercentOff(Decimal(rng.randint(3, 30)))
    elif roll < 0.5:
        benefit = AmountOff(rng.randrange(50, 500), Per.UNIT)
    elif roll < 0.6:
        benefit = FixedPrice(rng.randrange(1_000, 20_000))
    elif roll < 0.7:
        benefit = rng.choice([QuantityDiscount(rng.randint(3, 5)), CheapestFree(3)])
    elif roll < 0.85:
        benefit, scope = PercentOff(Decimal(rng.randint(3, 15))), Scope.DOCUMENT
    else:
        benefit = AmountOff(rng.randrange(500, 5_000), Per.DOCUMENT)
    conditions = (SegmentQuantity(segment, Decimal(2)),) if rng.random() < 0.2 else ()
    return Discount(
        f"offer-{number}",
        f"Offer {number}",
        benefit,
        kind=Kind.CAMPAIGN,
        scope=scope,
        conditions=conditions,
        segment=segment,
        store_ids=frozenset({OUR_STORE}),
    )


def dense_campaigns(rng: random.Random, rules: int = 1_000) -> Group:
    """Return the campaigns group: MAX of PRIORITY batches of 50 segment offers."""
    offers = [_offer(rng, n) for n in range(rules)]
    batches = tuple(
        Group(
            f"batch-{start}", f"Batch {start}", Rule.PRIORITY, tuple(offers[start : start + BATCH])
        )
        for start in range(0, rules, BATCH)
    )
    return Group("campaigns", "Campaigns", Rule.MAX, batches)


def dense_receipts(rng: random.Random, items: list[Item], count: int) -> list[list[LineInput]]:
    """Return receipts of 100 lines: one item of every category, then 50 random ones."""
    result = []
    for _ in range(count):
        picked = [rng.choice(items[n::CATEGORIES]) for n in range(CATEGORIES)]
        picked += [rng.choice(items) for _ in range(100 - CATEGORIES)]
        rng.shuffle(picked)
        receipt = []
        for line_no, (item_id, unit_price, segments) in enumerate(picked, 1):
            quantity = (
                Decimal(rng.randint(100, 2_500)) / 1000
                if rng.random() < 0.1
                else Decimal(rng.choice([1, 1, 1, 2, 3, 6]))
            )
            receipt.append(LineInput(line_no, item_id, quantity, unit_price, None, segments))
        result.append(receipt)
    return result


def bench_dense() -> dict[str, float]:
    """Print and return the dense figures: candidates, displaced records, p50/p99."""
    rng = random.Random(20250315)
    items = dense_catalog(rng)
    tree = Group("root", "All discounts", Rule.SUM, (dense_campaigns(rng), *_globals()))
    rules = compile_rules(tree)
    cases = dense_receipts(rng, items, RECEIPTS)
    priced = [price(case, rules, CONTEXT) for case in cases]
    displaced = statistics.mean(sum(len(ln.displaced) for ln in p.lines) for p in priced)
    candidates = statistics.mean(len(rules.lookup(build_basket(case))) for case in cases)
    name = "dense 100 lines x 1,000 rules"
    print(f"index  {name}: {candidates:.0f} candidate rules, {displaced:.0f} displaced records")
    p50, p99 = percentiles(lambda ln: price(ln, rules, CONTEXT), cases, 300)
    verdict = "met" if p50 <= 5.0 else "MISSED"
    print(f"price  {name}: p50 {p50:.2f} ms  p99 {p99:.2f} ms  target p50 <= 5 ms: {verdict}")
    # The till stores the whole explanation with the receipt: time writing it out as well.
    e50, e99 = percentiles(lambda ln: price(ln, rules, CONTEXT).to_dict(), cases, 100)
    print(f"explain {name}: price + to_dict() p50 {e50:.2f} ms  p99 {e99:.2f} ms")
    return {name: p50, f"explained {name}": e50}


if __name__ == "__main__":
    bench_dense()
