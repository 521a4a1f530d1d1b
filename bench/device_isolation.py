"""Benchmark latency isolation: a stalled printer must not slow the API.

The device service owns an emulated registrar, ESC/POS printer and scale on till 1. Receipts
are sold through the Flask test client (add-line, cash close: each close kicks the drawer and
queues a fiscal document the service signs meanwhile). Rounds alternate between a healthy
printer and a stalled one (it stops reading; every drawer kick and copy then waits on the
printer's own thread) with a scale whose load never settles. Target: add-line p99 with the
stalled printer within 10 % of the healthy figure.

Run: ``.venv/bin/python bench/device_isolation.py [--receipts 60] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.checkout import percentile, prepare  # noqa: E402

LINES = [{"sku": ("OAT-MILK-1L", "MILK-1L")[i % 2], "quantity": "1"} for i in range(10)]


def attach_emulators(api: Any, till_id: int) -> dict[str, Any]:
    """Start the three emulators and attach them to the till."""
    from devices.emulators.escpos import EscPosEmulator
    from devices.emulators.shtrih import ShtrihEmulator
    from devices.emulators.toledo import Toledo8217Emulator

    emulators = {"fiscal": ShtrihEmulator().start(), "printer": EscPosEmulator().start(),
                 "scale": Toledo8217Emulator(bytesize=7, parity="E").start()}
    specs = {"fiscal": ("shtrih", {}), "printer": ("escpos", {"write_timeout_ms": 2000}),
             "scale": ("toledo8217", {"bytesize": 7, "parity": "E"})}
    for kind, (protocol, extra) in specs.items():
        response = api.as_("manager").post(f"/api/v1/tills/{till_id}/devices", json={
            "kind": kind, "protocol": protocol, "url": emulators[kind].url, **extra})
        assert response.status_code == 201, response.get_json()
    return emulators


def sell(api: Any, receipts: int, copies: bool) -> list[float]:
    """Sell ``receipts`` receipts; return each add-line's seconds."""
    adds: list[float] = []
    for _ in range(receipts):
        rid = api.post("/api/v1/receipts", json={"till_id": 1}).get_json()["id"]
        for line in LINES:
            start = time.perf_counter()
            response = api.post(f"/api/v1/receipts/{rid}/lines", json=line,
                                headers={"Idempotency-Key": str(uuid.uuid4())})
            adds.append(time.perf_counter() - start)
            assert response.status_code == 201, response.get_json()
        total = api.get(f"/api/v1/receipts/{rid}").get_json()["total"]
        api.post(f"/api/v1/receipts/{rid}/payments", json={"type": "cash", "amount": total})
        assert api.post(f"/api/v1/receipts/{rid}/close").status_code == 200
        if copies:
            api.post(f"/api/v1/receipts/{rid}/copy")
    return adds


def main() -> None:
    """Run the rounds and print p50/p99 of add-line, healthy against stalled."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--receipts", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from pos.app import create_app
    from pos.hardware.daemon import DeviceService
    from tests.helpers import ApiClient

    url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-devices-')}/pos.db"
    prepare(url)
    app = create_app({"database_url": url, "log_level": "ERROR",
                      "device_service": "127.0.0.1:0"})
    api = ApiClient(app.test_client())
    emulators = attach_emulators(api, 1)
    db = app.extensions["pos.db"]
    service = DeviceService(db, app.extensions["pos.clock"].now, address="127.0.0.1:0").start()
    app.extensions["pos.settings"] = dataclasses.replace(app.extensions["pos.settings"],
                                                         device_service=service.address)
    api.post("/api/v1/shifts", json={"till_id": 1, "opening_float": "0"})
    sell(api, 10, copies=True)  # warm up
    healthy: list[float] = []
    stalled: list[float] = []
    printer, scale = emulators["printer"], emulators["scale"]
    for _ in range(args.rounds):
        printer.is_stalled = False
        scale.scale.place(Decimal("0.500"))
        healthy += sell(api, args.receipts, copies=True)
        printer.is_stalled = True
        scale.scale.place(Decimal("0.500"), is_in_motion=True)
        stalled += sell(api, args.receipts, copies=True)
    printer.is_stalled = False
    for name, values in (("healthy printer", healthy), ("stalled printer", stalled)):
        print(f"  add line, {name}: n={len(values)} p50={percentile(values, 50):.2f} ms "
              f"p99={percentile(values, 99):.2f} ms")
    ratio = percentile(stalled, 99) / percentile(healthy, 99)
    print(f"  p99 stalled / healthy = {ratio:.3f} (target <= 1.10)")
    service.stop()
    for emulator in emulators.values():
        emulator.stop()
    db.dispose()


if __name__ == "__main__":
    main()
