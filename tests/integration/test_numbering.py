"""Gapless per-till numbering under concurrent closes and rolled-back transactions."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select

from pos.auth.model import User
from pos.auth.service import principal_of
from pos.core.db import Database
from pos.core.security import Actor
from pos.fiscal.numbering import next_number
from pos.journal.model import JournalEntry
from pos.journal.service import verify
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.service import PaymentRequest
from pos.shifts.service import open_shift

THREADS, RECEIPTS_EACH = 6, 5


def actor_for(db: Database, username: str) -> Actor:
    """Return an actor for a seeded user."""
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return Actor(principal_of(user))


class Boom(Exception):
    """Abort a transaction after it took a number."""


def _sell(db: Database, actor: Actor, till_id: int, now) -> int:
    cmd = NewReceipt(till_id=till_id, client_uuid=str(uuid.uuid4()),
                     lines=(LineRequest(sku="MILK-1L"),),
                     payments=(PaymentRequest("cash", 10000),))
    receipt = create_receipt(db, actor, cmd, [], now).receipt
    assert receipt.number is not None
    return receipt.number


def _take_and_roll_back(db: Database, store_id: int, till_id: int) -> None:
    with pytest.raises(Boom), db.transaction() as session:
        next_number(session, store_id, till_id)
        raise Boom


def test_concurrent_closes_and_rollbacks_leave_no_gaps(db, shop, fixed_clock):
    actor, now = actor_for(db, "cashier"), fixed_clock.now()
    open_shift(db, actor, shop.till_id, 0, now)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(RECEIPTS_EACH):
                numbers.append(_sell(db, actor, shop.till_id, now))
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
    assert verify(db, shop.till_id).is_intact


def test_each_till_counts_on_its_own(db, shop, fixed_clock):
    actor, now = actor_for(db, "cashier"), fixed_clock.now()
    open_shift(db, actor, shop.till_id, 0, now)
    open_shift(db, actor, shop.other_till_id, 0, now)
    assert [_sell(db, actor, shop.till_id, now) for _ in range(2)] == [1, 2]
    assert _sell(db, actor, shop.other_till_id, now) == 1


def test_a_rolled_back_close_gives_its_number_to_the_next(db, shop, fixed_clock):
    actor, now = actor_for(db, "cashier"), fixed_clock.now()
    open_shift(db, actor, shop.till_id, 0, now)
    _take_and_roll_back(db, shop.store_id, shop.till_id)
    assert _sell(db, actor, shop.till_id, now) == 1
