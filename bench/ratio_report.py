"""Print bench/ratio.py's rounds: min and median per server, and ours / calibration per round."""

from __future__ import annotations

import argparse
import math
import statistics
from collections.abc import Callable
from typing import Any

from bench.workloads import OneShotRun

TITLES = {
    "oneshot": "one-shot upload of 20-line receipts, 4 client threads, 1 till, {receipts} a round",
    "till20": "20 tills, a line each about every 200 ms (pause 100-300 ms), {seconds:g} s a round",
    "till1": "1 till adding lines back to back, {seconds:g} s a round",
}


def brief(result: Any) -> str:
    """Return one round's figures on one line."""
    if isinstance(result, OneShotRun):
        cpu = "n/a" if result.cpu_ms_per_receipt is None else f"{result.cpu_ms_per_receipt:.1f}"
        text = f"{result.rate:7.1f} receipts/s, worker CPU {cpu} ms/receipt"
    else:
        text = f"add line p50 {result.p50_ms:6.1f} ms, p99 {result.p99_ms:6.1f} ms, " \
               f"{result.lines} lines"
    return text + (f", {len(result.failures)} FAILED" if result.failures else "")


def _min_median(values: list[float | None], fmt: str) -> str:
    """Return 'min / median' of the values that were measured."""
    known = [v for v in values if v is not None and not math.isnan(v)]
    if not known:
        return f"{'n/a':>17}"
    return f"{min(known):8{fmt}} /{statistics.median(known):8{fmt}}"


def _row(label: str, runs: dict[str, list[Any]], pick: Callable[[Any], float | None],
         fmt: str = ".1f") -> None:
    """Print one figure's min / median for ours and for calibration."""
    print(f"  {label:24}{_min_median([pick(r) for r in runs['ours']], fmt)}   "
          f"{_min_median([pick(r) for r in runs['calibration']], fmt)}")


def _ratio(runs: dict[str, list[Any]], pick: Callable[[Any], float | None]
           ) -> tuple[float, float, float] | None:
    """Return the median, min and max over rounds of ours / calibration."""
    ratios = []
    for ours, calibration in zip(runs["ours"], runs["calibration"], strict=True):
        a, b = pick(ours), pick(calibration)
        if a is not None and b and not math.isnan(a) and not math.isnan(b):
            ratios.append(a / b)
    if not ratios:
        return None
    return statistics.median(ratios), min(ratios), max(ratios)


def _say(runs: dict[str, list[Any]], pick: Callable[[Any], float | None], text: str) -> None:
    """Print a ratio sentence: ``text`` holds ``{r}``, the median of the per-round ratios."""
    ratio = _ratio(runs, pick)
    if ratio is None:
        print(f"  => {text.split('{r')[0]}n/a (no round measured both)")
        return
    median, low, high = ratio
    print(f"  => {text.format(r=median)} (median per round; {low:.2f}-{high:.2f})")


def _oneshot(runs: dict[str, list[Any]]) -> None:
    """Print the one-shot upload figures and their ratios."""
    _row("receipts/s", runs, lambda r: r.rate)
    _row("worker CPU ms/receipt", runs, lambda r: r.cpu_ms_per_receipt)
    _say(runs, lambda r: r.rate, "ours is {r:.2f} of calibration's throughput")
    _say(runs, lambda r: r.cpu_ms_per_receipt,
         "ours uses {r:.1f}x calibration's worker CPU per receipt")


def _latency(runs: dict[str, list[Any]]) -> None:
    """Print the add-line latency figures and their ratios."""
    _row("add line p50 ms", runs, lambda r: r.p50_ms)
    _row("add line p99 ms", runs, lambda r: r.p99_ms)
    _row("lines added", runs, lambda r: r.lines, ".0f")
    _say(runs, lambda r: r.p50_ms, "ours p50 is {r:.1f}x calibration's")
    _say(runs, lambda r: r.p99_ms, "ours p99 is {r:.1f}x calibration's")


def _failures(workload: str, runs: dict[str, list[Any]]) -> int:
    """Print how many requests failed on each server, with the first reason; return the count."""
    count = 0
    for name, results in runs.items():
        failed = [f for r in results for f in r.failures]
        if failed:
            print(f"  !! {workload} on {name}: {len(failed)} failed requests, first: {failed[0]}")
        count += len(failed)
    return count


def summary(database: str, results: dict[str, dict[str, list[Any]]],
            args: argparse.Namespace) -> int:
    """Print every workload's summary and return the number of failed requests."""
    rounds = len(next(iter(results.values()))["ours"])
    print(f"\n{database}, {rounds} round(s), each ours then calibration; "
          "figures are min / median over the rounds")
    failures = 0
    for workload, runs in results.items():
        print(TITLES[workload].format(receipts=args.receipts, seconds=args.seconds))
        print(f"  {'':24}{'ours min / median':>17}   {'calibration':>17}")
        (_oneshot if workload == "oneshot" else _latency)(runs)
        failures += _failures(workload, runs)
    return failures
