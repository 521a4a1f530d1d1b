"""The purchase history a named buyer's sale keeps: a day's total, the segments bought from."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from pos.discounts.history import (
    BoughtSegments,
    PurchaseDay,
    PurchaseSegment,
    read_history,
    record_purchase,
)
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.tendering import PaymentRequest
from tests.helpers import approved, statements

DAY = date(2026, 11, 22)
BUYER = "customer:CUSTOMER-7"


def sell(cashier, shop, *skus, customer_ref="CUSTOMER-7", total=None):  # type: ignore[no-untyped-def]
    """Upload a finished sale of one each of ``skus`` to a named customer, paid in cash."""
    lines = tuple(LineRequest(sku=sku, quantity="1" if sku.endswith("-KG") else None)
                  for sku in skus)
    return create_receipt(cashier, NewReceipt(
        till_id=shop.till_id, lines=lines, customer_ref=customer_ref,
        payments=(PaymentRequest("cash", total or 100_000),))).receipt


def segment_inserts(sent: list[str]) -> int:
    return sum(s.startswith("INSERT INTO purchase_segments") for s in sent)


class TestDays:
    def test_a_new_day_is_inserted_and_the_same_day_added_to(self, db):
        for day, amount in ((DAY, 1000), (DAY, 250), (DAY + timedelta(days=1), 99)):
            with db.transaction() as session:
                record_purchase(session, BUYER, day, amount, ())
        with db.read() as session:
            rows = session.execute(select(PurchaseDay.day, PurchaseDay.amount_minor)
                                   .where(PurchaseDay.buyer == BUYER)
                                   .order_by(PurchaseDay.day)).all()
        assert [tuple(row) for row in rows] == [(DAY, 1250), (DAY + timedelta(days=1), 99)]

    def test_a_return_takes_its_amount_off_the_day(self, db):
        with db.transaction() as session:
            record_purchase(session, BUYER, DAY, 1000, ())
            record_purchase(session, BUYER, DAY, -400, ())
        with db.read() as session:
            assert read_history(session, BUYER, DAY).accumulated_minor == 600


class TestSegments:
    def test_segments_known_to_be_there_are_not_inserted_again(self, cashier, shop, shift, db):
        sell(cashier, shop, "MILK-1L")  # inserted: not yet known to be committed
        sell(cashier, shop, "MILK-1L")  # there already: learnt
        with statements(db) as sent:
            sell(cashier, shop, "MILK-1L")
        assert segment_inserts(sent) == 0
        with statements(db) as sent:
            sell(approved(cashier), shop, "MILK-1L", "BANANA-KG")  # a segment new to the buyer
        assert segment_inserts(sent) == 1
        with db.read() as session:
            assert read_history(session, BUYER, DAY).segments_bought == {"MILK", "FRUIT"}

    def test_another_buyer_learns_nothing_from_the_first(self, cashier, shop, shift, db):
        sell(cashier, shop, "MILK-1L")
        sell(cashier, shop, "MILK-1L")
        with statements(db) as sent:
            sell(cashier, shop, "MILK-1L", customer_ref="CUSTOMER-8")
        assert segment_inserts(sent) == 1
        with db.read() as session:
            assert read_history(session, "customer:CUSTOMER-8", DAY).segments_bought \
                == {"MILK"}

    def test_a_rolled_back_insert_teaches_nothing(self, db):
        known = BoughtSegments()
        with db.transaction() as session:  # committed: MILK is there
            record_purchase(session, BUYER, DAY, 100, {"MILK"}, known)
        with pytest.raises(RuntimeError), db.transaction() as session:
            record_purchase(session, BUYER, DAY, 100, {"FRUIT"}, known)
            record_purchase(session, BUYER, DAY, 100, {"FRUIT", "MILK"}, known)
            raise RuntimeError("the sale failed after its history was written")
        assert known.missing(BUYER, {"FRUIT", "MILK"}) == {"FRUIT", "MILK"}
        with db.transaction() as session:  # FRUIT inserted now, MILK found committed
            record_purchase(session, BUYER, DAY, 100, {"FRUIT", "MILK"}, known)
        assert known.missing(BUYER, {"FRUIT", "MILK"}) == {"FRUIT"}
        with db.read() as session:
            assert set(session.scalars(select(PurchaseSegment.segment)
                                       .where(PurchaseSegment.buyer == BUYER))) \
                == {"MILK", "FRUIT"}
