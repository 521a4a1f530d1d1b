"""No double spend: 64 tills spending one certificate at once never take it below zero.

Each round sells a certificate worth 20 pints of milk, then 64 threads released together
each try to pay one pint with it in a one-shot sale. Exactly 20 win; every loser gets a
clean 409 ``insufficient_balance``; the balance is never below zero and always equals the
ledger. ``GIFT_RACE_ROUNDS`` sets the number of rounds (the issue's figure is 200).
"""

from __future__ import annotations

import os
import threading
import uuid

from sqlalchemy import func, select

from loyalty.gift_certificates.ledger import verify
from loyalty.gift_certificates.model import REDEEM, GiftCertificate, LedgerEntry
from pos.core.errors import PosError
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.shifts.service import open_shift
from tests.gift_helpers import CODES, FREE, add_certificate_item, add_types, pay, sell
from tests.helpers import context_for

THREADS = 64
ROUNDS = int(os.environ.get("GIFT_RACE_ROUNDS", "2"))
MILK_MINOR, PINTS = 8990, 20


def _race(ctx, till_id: int, code: str) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(THREADS)
    won: list[int] = []
    refused: list[str] = []

    def spend() -> None:
        cmd = NewReceipt(till_id=till_id, client_uuid=str(uuid.uuid4()),
                         lines=(LineRequest(sku="MILK-1L"),), payments=(pay(code, MILK_MINOR),))
        barrier.wait()
        try:
            create_receipt(ctx, cmd)
            won.append(1)
        except PosError as error:
            refused.append(f"{error.status} {error.code}")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion
            refused.append(repr(error))

    threads = [threading.Thread(target=spend) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(won), refused


def test_concurrent_redemptions_never_overspend_a_certificate(db, registry, shop, fixed_clock):
    ctx = context_for(db, registry, "cashier", fixed_clock.now())
    manager = context_for(db, registry, "manager", fixed_clock.now())
    add_certificate_item(db, fixed_clock.now())
    add_types(manager)
    open_shift(ctx, shop.till_id, 0)
    for _ in range(ROUNDS):
        _, code = sell(ctx, shop.till_id, FREE, PINTS * MILK_MINOR)
        won, refused = _race(ctx, shop.till_id, code)
        assert won == PINTS
        assert refused == ["409 insufficient_balance"] * (THREADS - PINTS)
        with db.read() as session:
            certificate = session.scalar(select(GiftCertificate).where(
                GiftCertificate.digest == CODES.digest(code)))
            assert certificate is not None and certificate.balance_minor == 0
            spent = session.scalar(select(func.sum(LedgerEntry.amount_minor)).where(
                LedgerEntry.certificate_id == certificate.id, LedgerEntry.kind == REDEEM))
            assert spent == -PINTS * MILK_MINOR
            assert verify(session) == []
