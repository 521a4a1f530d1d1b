"""Measure discount pricing: the indexed engine against 1,000 and 10,000 rules, and naive.

Targets (the discount engine issue): 100 lines x 1,000 rules <= 5 ms, 200 lines x 10,000
rules <= 20 ms, and 10x the rules for the same receipts < 2x the time.

The workload stands for a hypermarket chain: a 200,000-item catalog in 5,000 fine segments
(category, brand); nine rules in ten are item promotions (1-3 items), most of the rest target
a segment (some as quantity, 3-for-2 or gift offers), a fixed handful are global (card,
receipt volume, happy hour, manual slot); a third of the campaigns run in other stores. Rules
sit in nested groups: root SUM of campaigns (MAX of PRIORITY batches), loyalty (MAX, with the
cashier's manual slot) and receipt offers (SUM). Receipts pick random items, some weighed.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/discounts.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pos.discounts.engine import (  # noqa: E402
    AmountOff,
    CardTypes,
    CheapestFree,
    CompiledRules,
    Discount,
    FixedPrice,
    Gift,
    Group,
    Kind,
    LineInput,
    ManualSlot,
    Per,
    PercentOff,
    PricingContext,
    QuantityDiscount,
    ReceiptVolume,
    Rule,
    Scope,
    SegmentQuantity,
    TimeOfSale,
    TimeRange,
    compile_rules,
    naive_price,
    price,
)
from pos.discounts.engine.basket import build_basket  # noqa: E402

CATALOG_ITEMS = 200_000
CATEGORIES = 4_000
BRANDS = 1_000
OUR_STORE = 1
RECEIPTS = 20  # distinct receipts cycled through the runs
Item = tuple[int, int, frozenset[str]]  # item id, unit price, segments


def catalog(rng: random.Random) -> list[Item]:
    """Return the items: id, price in minor units and two segments (category, brand)."""
    return [
        (item_id, rng.randrange(1_000, 500_000), frozenset(_segments(rng)))
        for item_id in range(1, CATALOG_ITEMS + 1)
    ]


def _segments(rng: random.Random) -> tuple[str, str]:
    return f"cat-{rng.randrange(CATEGORIES)}", f"brand-{rng.randrange(BRANDS)}"


def _any_segment(rng: random.Random) -> str:
    return rng.choice(_segments(rng))


def _campaign(rng: random.Random, number: int) -> Discount:
    stores = frozenset({OUR_STORE}) if rng.random() < 0.67 else frozenset({2, 3})
    fields = {"kind": Kind.CAMPAIGN, "store_ids": stores, "valid_to": date(2025, 12, 31)}
    if rng.random() < 0.9:
        items = frozenset(rng.randrange(1, CATALOG_ITEMS + 1) for _ in range(rng.randint(1, 3)))
        benefit = rng.choice(
            [
                PercentOff(Decimal(rng.randint(5, 30))),
                FixedPrice(rng.randrange(500, 20_000)),
                AmountOff(rng.randrange(100, 2_000), Per.UNIT),
            ]
        )
        return Discount(f"promo-{number}", f"Promo {number}", benefit, item_ids=items, **fields)
    segment = _any_segment(rng)
    benefit = rng.choice(
        [
            PercentOff(Decimal(rng.randint(3, 15))),
            QuantityDiscount(rng.randint(3, 5)),
            CheapestFree(3),
            Gift(2, segment, rng.randrange(1, CATALOG_ITEMS + 1)),
        ]
    )
    conditions = (SegmentQuantity(segment, Decimal(2)),) if rng.random() < 0.3 else ()
    return Discount(
        f"seg-{number}",
        f"Segment offer {number}",
        benefit,
        segment=segment,
        conditions=conditions,
        **fields,
    )


def _globals() -> tuple[Group, Group]:
    loyalty = Group(
        "loyalty",
        "Loyalty",
        Rule.MAX,
        (
            Discount(
                "card-gold",
                "Gold card 7%",
                PercentOff(Decimal(7)),
                kind=Kind.CARD,
                card_types=frozenset({"gold"}),
            ),
            Discount(
                "card-silver",
                "Silver card 5%",
                PercentOff(Decimal(5)),
                kind=Kind.CARD,
                conditions=(CardTypes(frozenset({"silver"})),),
            ),
            ManualSlot(),
        ),
    )
    receipt = Group(
        "receipt",
        "Receipt offers",
        Rule.SUM,
        (
            Discount(
                "big-basket",
                "3% over 3000.00",
                PercentOff(Decimal(3)),
                scope=Scope.DOCUMENT,
                conditions=(ReceiptVolume(min_amount_minor=300_000),),
            ),
            Discount(
                "happy-hour",
                "Happy hour 2%",
                PercentOff(Decimal(2)),
                conditions=(TimeOfSale(frozenset({4}), (TimeRange(clock(17), clock(19)),)),),
            ),
            Discount(
                "hundred-off",
                "100 off over 10000",
                AmountOff(10_000, Per.DOCUMENT),
                # A receipt offer: under line scope each line would need 10000 on its own.
                scope=Scope.DOCUMENT,
                conditions=(ReceiptVolume(min_amount_minor=1_000_000),),
            ),
        ),
    )
    return loyalty, receipt


def rule_tree(rng: random.Random, rules: int) -> Group:
    """Return a root with ``rules`` campaign rules in batches plus loyalty and receipt offers."""
    campaigns = [_campaign(rng, n) for n in range(rules)]
    batches = tuple(
        Group(
            f"batch-{start}",
            f"Campaign batch {start}",
            Rule.PRIORITY,
            tuple(campaigns[start : start + 50]),
        )
        for start in range(0, rules, 50)
    )
    loyalty, receipt = _globals()
    campaigns_group = Group("campaigns", "Campaigns", Rule.MAX, batches)
    return Group("root", "All discounts", Rule.SUM, (campaigns_group, loyalty, receipt))


def receipts(rng: random.Random, items: Sequence[Item], lines: int) -> list[list[LineInput]]:
    """Return distinct receipts of ``lines`` random items, about one in ten weighed."""
    result = []
    for _ in range(RECEIPTS):
        receipt = []
        for line_no in range(1, lines + 1):
            item_id, unit_price, segments = rng.choice(items)
            weighed = rng.random() < 0.1
            quantity = (
                Decimal(rng.randint(100, 2_500)) / 1000
                if weighed
                else Decimal(rng.choice([1, 1, 1, 2, 3, 6]))
            )
            receipt.append(LineInput(line_no, item_id, quantity, unit_price, None, segments))
        result.append(receipt)
    return result


CONTEXT = PricingContext(
    now_local=datetime(2025, 3, 14, 18, 5),
    store_id=OUR_STORE,
    card_types=frozenset({"gold"}),
    card_id="CARD-1",
    payment_forms=frozenset({"card"}),
)


def percentiles(call: Callable[[list[LineInput]], object], cases, runs: int) -> tuple[float, float]:
    """Return p50 and p99 in milliseconds over ``runs`` calls cycling through ``cases``."""
    samples = []
    for run in range(runs):
        case = cases[run % len(cases)]
        started = time.perf_counter_ns()
        call(case)
        samples.append((time.perf_counter_ns() - started) / 1e6)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def scaling(small: CompiledRules, large: CompiledRules, cases, runs: int = 300) -> float:
    """Return the p50 ratio of the same receipts against the large and the small rule set.

    The two are timed alternately so that a busy machine slows both alike.
    """
    samples: dict[int, list[int]] = {id(small): [], id(large): []}
    for run in range(runs):
        for rules in (small, large):
            started = time.perf_counter_ns()
            price(cases[run % len(cases)], rules, CONTEXT)
            samples[id(rules)].append(time.perf_counter_ns() - started)
    return statistics.median(samples[id(large)]) / statistics.median(samples[id(small)])


def bench_engine() -> dict[str, float]:
    """Print and return the engine figures: indexed p50/p99, scaling ratio, naive for contrast."""
    rng = random.Random(20250314)
    items = catalog(rng)
    small, large = rule_tree(rng, 1_000), rule_tree(rng, 10_000)
    started = time.perf_counter()
    compiled_small = compile_rules(small)
    compiled_large = compile_rules(large)
    print(f"compile 1,000 + 10,000 rules: {(time.perf_counter() - started) * 1e3:.0f} ms")
    r100, r200 = receipts(rng, items, 100), receipts(rng, items, 200)
    # A long-running server freezes what it built at start-up; without this the 200,000-item
    # catalog, which a real till never holds in memory, makes every full GC pass a p99 spike.
    del items
    gc.collect()
    gc.freeze()
    figures: dict[str, float] = {}
    workloads = [
        ("100 lines x 1,000 rules", compiled_small, small, r100, 5.0),
        ("100 lines x 10,000 rules", compiled_large, large, r100, None),
        ("200 lines x 10,000 rules", compiled_large, large, r200, 20.0),
    ]
    for name, compiled, _, cases, target in workloads:
        visited = statistics.mean(len(compiled.lookup(build_basket(case))) for case in cases)
        print(f"index  {name}: {visited:.0f} candidate rules per receipt on average")
        p50, p99 = percentiles(lambda ln, c=compiled: price(ln, c, CONTEXT), cases, 300)
        figures[name] = p50
        verdict = (
            ""
            if target is None
            else f"  target <= {target} ms: " + ("met" if p99 <= target else "MISSED")
        )
        print(f"price  {name}: p50 {p50:.2f} ms  p99 {p99:.2f} ms{verdict}")
    ratio = scaling(compiled_small, compiled_large, r100)
    print(
        f"scaling: 10x the rules, same receipts -> {ratio:.2f}x the time (target < 2x): "
        + ("met" if ratio < 2 else "MISSED")
    )
    figures["scaling_ratio"] = ratio
    for name, _, tree, cases, _ in workloads[::2]:
        p50, p99 = percentiles(lambda ln, t=tree: naive_price(ln, t, CONTEXT), cases, 3)
        figures[f"naive {name}"] = p50
        print(
            f"naive  {name}: p50 {p50:.0f} ms  p99 {p99:.0f} ms "
            f"({p50 / figures[name]:.0f}x the indexed time)"
        )
    return figures


def main() -> None:
    """Run the sparse and the dense (discounts_dense.py) engine benchmarks, then HTTP ``quote``."""
    bench_engine()
    from bench.discounts_dense import bench_dense
    from bench.discounts_http import main as bench_http

    bench_dense()

    bench_http()


if __name__ == "__main__":
    main()
