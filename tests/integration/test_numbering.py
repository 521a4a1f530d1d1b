"""Gapless per-till numbering under concurrent closes and rolled-back transactions."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select

from pos.core.context import Context
from pos.core.db import Database
from pos.fiscal.numbering import next_number
from pos.journal.model import JournalEntry
from pos.journal.service import verify
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.service import PaymentRequest
from pos.shifts.service import open_shift
from tests.helpers import context_for

THREADS, RECEIPTS_EACH = 6, 5


class Boom(Exception):
    """Abort a transaction after it took a number."""


def _sell(ctx: Context, till_id: int) -> int:
    cmd = NewReceipt(till_id=till_id, client_uuid=str(uuid.uuid4()),
                     lines=(LineRequest(sku="MILK-1L"),),
                     payments=(PaymentRequest("cash", 10000),))
    receipt = create_receipt(ctx, cmd).receipt
    assert receipt.number is not None
    return receipt.number


def _take_and_roll_back(db: Database, store_id: int, till_id: int) -> None:
    with pytest.raises(Boom), db.transaction() as session:
        next_number(session, store_id, till_id)
        raise Boom


def test_concurrent_closes_and_rollbacks_leave_no_gaps(db, registry, shop, fixed_clock):
    ctx = context_for(db, registry, "cashier", fixed_clock.now())
    open_shift(ctx, shop.till_id, 0)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(RECEIPTS_EACH):
                numbers.append(_sell(ctx, shop.till_id))
                _take_and_roll_back(db, shop.store_id, shop.till_id)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, THREADS * RECEIPTS_EACH + 1))
    with db.read() as session:
        journaled = list(session.scalars(select(JournalEntry.number).where(
            JournalEntry.till_id == shop.till_id).order_by(JournalEntry.number)))
    assert journaled == sorted(numbers)
    assert verify(db, registry.journal_checks, shop.till_id).is_intact


def test_each_till_counts_on_its_own(db, registry, shop, fixed_clock):
    ctx = context_for(db, registry, "cashier", fixed_clock.now())
    open_shift(ctx, shop.till_id, 0)
    open_shift(ctx, shop.other_till_id, 0)
    assert [_sell(ctx, shop.till_id) for _ in range(2)] == [1, 2]
    assert _sell(ctx, shop.other_till_id) == 1


def test_a_rolled_back_close_gives_its_number_to_the_next(db, registry, shop, fixed_clock):
    ctx = context_for(db, registry, "cashier", fixed_clock.now())
    open_shift(ctx, shop.till_id, 0)
    _take_and_roll_back(db, shop.store_id, shop.till_id)
    assert _sell(ctx, shop.till_id) == 1
