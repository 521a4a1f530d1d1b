"""The workloads bench/ratio.py runs against ours and against the calibration server.

Both servers get the same requests byte for byte: the same bodies and the same headers a real
till sends (bearer token, ``Idempotency-Key``, ``X-Till-Id``); the calibration server ignores
what it does not need. Every request has a 30 s timeout and every run is bounded in count or
time. A response other than the expected status is a failure: it is counted, never timed.
"""

from __future__ import annotations

import http.client
import itertools
import json
import random
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bench.checkout import LINES, percentile
from bench.servers import Server

TIMEOUT = 30
ONESHOT_DEADLINE = 300  # seconds: a round that has not finished by then stops and says so


@dataclass
class Caller:
    """One client's connection to a server, sending what a till sends."""

    port: int
    token: str
    till_id: int
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)

    def post(self, path: str, body: Any | None, expect: int) -> dict[str, Any] | None:
        """POST ``body`` with a fresh idempotency key; return the JSON, or None on failure."""
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}",
                   "Idempotency-Key": str(uuid.uuid4()), "X-Till-Id": str(self.till_id)}
        try:
            self.conn.request("POST", path, None if body is None else json.dumps(body), headers)
            response = self.conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.conn.close()  # the next request opens a new connection
            self.failures.append(f"POST {path}: {error!r}")
            return None
        if response.status != expect:
            self.failures.append(f"POST {path}: {response.status} {payload[:300]!r}")
            return None
        return dict(json.loads(payload))


@dataclass
class OneShotRun:
    """One round of one-shot uploads on one server."""

    rate: float
    cpu_ms_per_receipt: float | None
    receipts: int
    failures: list[str]


def oneshot(server: Server, token: str, till_id: int, total: str, receipts: int,
            clients: int, card: str | Sequence[str] | None = None, points: bool = True,
            bank_split: bool = False) -> OneShotRun:
    """Upload ``receipts`` finished 20-line receipts from ``clients`` threads.

    With ``card`` (or a list of cards, taken in turn), each receipt carries that bonus card
    and pays 50.00 of the total in points (the rest in cash), or all in cash when not
    ``points``. Without a card, ``bank_split``
    pays the same 50.00 by bank card instead (brand and last four digits). Return receipts/s
    (answered 201 only) and the workers' CPU time per receipt, read from /proc before and
    after; the CPU figure is None if a worker was replaced meanwhile.
    """
    payments: list[dict[str, str]] = [{"type": "cash", "amount": total}]
    extra = {}
    if card is not None:
        if points:
            payments = [{"type": "points", "amount": "50.00"},
                        {"type": "cash", "amount": str(Decimal(total) - 50)}]
        extra = {"card_code": card} if isinstance(card, str) else {}
    elif bank_split:
        payments = [{"type": "card", "amount": "50.00", "card_brand": "VISA",
                     "card_last4": "4242"},
                    {"type": "cash", "amount": str(Decimal(total) - 50)}]
    callers = [Caller(server.port, token, till_id) for _ in range(clients)]
    turns = itertools.count(random.randrange(1 << 30))  # (next() on a count is atomic)
    counts = [0] * clients
    deadline = time.monotonic() + ONESHOT_DEADLINE

    def client(index: int) -> None:
        for _ in range(receipts // clients):
            if time.monotonic() > deadline:
                callers[index].failures.append("round deadline reached")
                return
            key = str(uuid.uuid4())
            body = {"till_id": till_id, "client_uuid": key, "lines": LINES,
                    "payments": payments, **extra}
            if card is not None and not isinstance(card, str):
                body["card_code"] = card[next(turns) % len(card)]
            if callers[index].post("/api/v1/receipts", body, 201) is not None:
                counts[index] += 1

    cpu_before = server.worker_cpu()
    elapsed = _run_threads([threading.Thread(target=client, args=(i,), daemon=True)
                            for i in range(clients)])
    cpu_after = server.worker_cpu()
    done = sum(counts)
    cpu = None
    if cpu_after.keys() == cpu_before.keys() and done:
        cpu = (sum(cpu_after.values()) - sum(cpu_before.values())) * 1000 / done
    return OneShotRun(done / elapsed, cpu, done, [f for c in callers for f in c.failures])


def _run_threads(threads: list[threading.Thread]) -> float:
    """Start the threads, wait for them all and return the wall time taken."""
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


class TillSession(Caller):
    """A till ringing up 20-line receipts: open, add lines, pay cash, close, open the next.

    It keeps its open receipt between rounds, as a real till keeps its customer.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        self.receipt_id: int | None = None
        self.lines = 0
        self.total = "0.00"

    def next_line(self) -> float | None:
        """Add the next line (finishing or opening a receipt first); return its latency in s."""
        if self.receipt_id is not None and self.lines == len(LINES):
            self._finish()
        if self.receipt_id is None:
            opened = self.post("/api/v1/receipts", {"till_id": self.till_id}, 201)
            if opened is None:
                return None
            self.receipt_id, self.lines = int(opened["id"]), 0
        start = time.perf_counter()
        added = self.post(f"/api/v1/receipts/{self.receipt_id}/lines", LINES[self.lines], 201)
        elapsed = time.perf_counter() - start
        if added is None:
            self.receipt_id = None  # start over on a new receipt
            return None
        self.lines += 1
        self.total = str(added["total"])
        return elapsed

    def _finish(self) -> None:
        """Pay the receipt in cash and close it."""
        path = f"/api/v1/receipts/{self.receipt_id}"
        self.receipt_id = None
        if self.post(f"{path}/payments", {"type": "cash", "amount": self.total}, 201) is not None:
            self.post(f"{path}/close", None, 200)


@dataclass
class LatencyRun:
    """One round of add-line latencies on one server."""

    p50_ms: float
    p99_ms: float
    lines: int
    failures: list[str]


def till_traffic(sessions: list[TillSession], seconds: float, pause: tuple[float, float] | None,
                 seed: int) -> LatencyRun:
    """Let each till add lines for ``seconds``, pausing ``pause`` s between scans (or none).

    Tills start staggered over the first pause; the random pauses come from ``seed`` so the
    same round sends the same rhythm to both servers.
    """
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    def till(index: int, session: TillSession) -> None:
        rng = random.Random(seed * 1000 + index)
        if pause:
            time.sleep(rng.uniform(0, pause[1]))
        while time.monotonic() < deadline:
            latency = session.next_line()
            if latency is not None:
                latencies.append(latency)  # list.append is atomic under the GIL
            if pause:
                time.sleep(rng.uniform(*pause))

    for session in sessions:
        session.failures.clear()  # this round's failures only
    _run_threads([threading.Thread(target=till, args=(i, s), daemon=True)
                  for i, s in enumerate(sessions)])
    failures = [f for s in sessions for f in s.failures]
    if not latencies:
        return LatencyRun(float("nan"), float("nan"), 0, failures or ["no line was added"])
    return LatencyRun(percentile(latencies, 50), percentile(latencies, 99), len(latencies),
                      failures)
