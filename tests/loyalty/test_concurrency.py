"""64 tills spend from one card at once: never negative, never more than was there.

Each round puts ``K`` points on the card, then 64 threads released by one barrier each pay
one point on their own open receipt (the real path: payment, tender, guarded update). Exactly
``K`` succeed, every other gets 409 ``insufficient_points``, and the balance equals the
ledger. The successful payments are then taken back (given back) for the next round.
``POS_LOYALTY_ROUNDS`` sets the rounds (200 for the issue's full run; a few by default keep
the suite fast on two shared cores). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from loyalty.points import service as points
from pos.core.context import Context
from pos.core.errors import PosError
from pos.receipts import service
from pos.receipts.cards import attach_card
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.service import PaymentRequest

THREADS = 64
K = 10  # points on the card each round: fewer than the threads, so most must lose
ROUNDS = int(os.environ.get("POS_LOYALTY_ROUNDS", "3"))


def _open_receipts(cashier, shop, card) -> list[int]:  # type: ignore[no-untyped-def]
    ids = []
    for _ in range(THREADS):
        receipt = create_receipt(cashier, NewReceipt(till_id=shop.till_id)).receipt
        service.add_line(cashier, receipt.id, LineRequest(sku="MILK-1L"))
        attach_card(cashier, receipt.id, card)
        ids.append(receipt.id)
    return ids


def _pay_one_point(cashier: Context, receipt_id: int, start: threading.Barrier) -> str:
    start.wait()
    try:
        service.add_payment(cashier, receipt_id, PaymentRequest("points", 100))
    except PosError as error:
        return f"{error.status} {error.code}"
    return "paid"


def test_64_tills_spending_one_card_at_once_never_overspend(cashier, manager, shop, shift, card):
    receipts = _open_receipts(cashier, shop, card)
    points.adjust(manager, card, K * 100, "stress")
    for round_no in range(ROUNDS):
        start = threading.Barrier(THREADS)
        with ThreadPoolExecutor(THREADS) as pool:
            spent = pool.map(_pay_one_point, [cashier] * THREADS, receipts, [start] * THREADS)
            outcomes = dict(zip(receipts, spent, strict=True))
        paid = [r for r, outcome in outcomes.items() if outcome == "paid"]
        assert len(paid) == K, (round_no, outcomes)
        assert set(outcomes.values()) == {"paid", "409 insufficient_points"}
        card_now = points.settled_card(cashier.db, card, cashier.now)
        assert card_now.balance_cp == 0
        assert points.verify(cashier.db)["problems"] == {}
        for receipt_id in paid:  # give the points back for the next round
            service.remove_payment(cashier, receipt_id, 1)
    assert points.settled_card(cashier.db, card, cashier.now).balance_cp == K * 100


def _upload_paying_five_points(cashier: Context, till_id: int, card: str,
                               start: threading.Barrier) -> str:
    start.wait()
    try:  # milk is 89.90: 5.00 in points, the rest in cash earns 5 % of 84.90 = 4 points
        create_receipt(cashier, NewReceipt(
            till_id=till_id, card_code=card, lines=(LineRequest(sku="MILK-1L"),),
            payments=(PaymentRequest("points", 500), PaymentRequest("cash", 8490))))
    except PosError as error:
        return f"{error.status} {error.code}"
    return "paid"


def test_64_one_shot_uploads_spending_and_earning_on_one_card_never_overspend(
        cashier, manager, shop, shift, card):
    # Each upload takes its 5 points and earns 4 in one guarded update: from 10 points, in
    # whatever order the tills get the card's row, exactly six are paid (10, 9, ... 5) and 4
    # points are left; every other upload is refused and writes nothing.
    points.adjust(manager, card, 1000, "stress")
    start = threading.Barrier(THREADS)
    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(_upload_paying_five_points, [cashier] * THREADS,
                                 [shop.till_id] * THREADS, [card] * THREADS,
                                 [start] * THREADS))
    assert outcomes.count("paid") == 6, outcomes
    assert set(outcomes) == {"paid", "409 insufficient_points"}
    assert points.settled_card(cashier.db, card, cashier.now).balance_cp == 400
    assert points.verify(cashier.db)["problems"] == {}
