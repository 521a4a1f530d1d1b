"""Compare dense pricing of another checkout's engine with this one's, alternating in-process.

The machine is shared and noisy, so the two engines price the same receipts of the dense
workload (``discounts_dense.py``) turn about, receipt by receipt, and each side's CPU time
(``time.process_time``) per receipt is summarised by its minimum and median. Before timing,
both must give the same ``to_dict()`` on every receipt.

Run: ``git archive REV pos/discounts/engine bench | tar -x -C /tmp/old`` then
``.venv/bin/python bench/discounts_ab.py /tmp/old [--explain] [--rounds 200]``;
``--explain`` times ``price(...).to_dict()`` (the whole explanation written out);
``--sparse 1000`` times the sparse workload of ``discounts.py`` with 1,000 rules instead.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import random
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _engine(name: str, folder: Path) -> ModuleType:
    """Import the engine package in ``folder`` under ``name``."""
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _workload(engine: str, bench: Path) -> dict[str, Any]:
    """Run the benches' builders of ``bench`` against the engine imported as ``engine``."""
    names: dict[str, Any] = {"__name__": f"bench_for_{engine}", "__package__": "bench"}
    for file in ("discounts.py", "discounts_dense.py"):
        names["__file__"] = str(bench / file)
        source = (bench / file).read_text()
        source = source.replace("pos.discounts.engine", engine)
        # discounts_dense.py takes these names from discounts.py, already run into ``names``.
        source = source.replace("from bench.discounts import", "# from bench.discounts import")
        exec(compile(source, str(bench / file), "exec"), names)  # noqa: S102
    return names


def side(engine: str, folder: Path, sparse: int = 0) -> tuple[ModuleType, Any, list[Any], Any]:
    """Return an engine with its compiled rules, receipts and context.

    The workload is the dense one, or with ``sparse`` that many rules of the sparse one
    (``discounts.py``) on its 100-line receipts.
    """
    module = sys.modules[engine] if engine in sys.modules else _engine(
        engine, folder / "pos" / "discounts" / "engine")
    names = _workload(engine, folder / "bench")
    if sparse:
        rng = random.Random(20250314)
        items = names["catalog"](rng)
        tree = names["rule_tree"](rng, sparse)
        return module, module.compile_rules(tree), names["receipts"](rng, items, 100), names[
            "CONTEXT"]
    rng = random.Random(20250315)
    items = names["dense_catalog"](rng)
    tree = module.Group("root", "All discounts", module.Rule.SUM,
                        (names["dense_campaigns"](rng), *names["_globals"]()))
    return (module, module.compile_rules(tree), names["dense_receipts"](rng, items, 20),
            names["CONTEXT"])


def _args(side: tuple[ModuleType, Any, list[Any], Any], case: int) -> tuple[Any, Any, Any]:
    _, rules, cases, context = side
    return cases[case], rules, context


def main() -> None:
    """Time both engines alternately and print min and median CPU ms per receipt."""
    parser = argparse.ArgumentParser()
    parser.add_argument("old", type=Path, help="a checkout (or git archive) to compare with")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--sparse", type=int, default=0, metavar="RULES",
                        help="time the sparse workload with this many rules instead")
    args = parser.parse_args()
    import pos.discounts.engine  # noqa: F401  (this checkout's, under its own name)

    sides = {"old": side("old_engine", args.old, args.sparse),
             "new": side("pos.discounts.engine", ROOT, args.sparse)}
    if args.sparse:  # as discounts.py does: the 200,000-item catalogs are gone, GC passes short
        gc.collect()
        gc.freeze()

    def run(name: str, case: int) -> Any:
        pricing = sides[name][0].price(*_args(sides[name], case))
        return pricing.to_dict() if args.explain else pricing

    for case in range(20):
        old, new = (sides[name][0].price(*_args(sides[name], case)) for name in ("old", "new"))
        assert old.to_dict() == new.to_dict(), f"the engines disagree on receipt {case}"
    samples: dict[str, list[float]] = {"old": [], "new": []}
    for round_no in range(args.rounds):
        for name in samples:
            started = time.process_time()
            run(name, round_no % 20)
            samples[name].append((time.process_time() - started) * 1000)
    what = "price + to_dict" if args.explain else "price"
    what = f"sparse {args.sparse} rules {what}" if args.sparse else f"dense {what}"
    for name, values in samples.items():
        print(f"{what} {name}: CPU ms per receipt min {min(values):.2f} "
              f"median {statistics.median(values):.2f}")


if __name__ == "__main__":
    main()
