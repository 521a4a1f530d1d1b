"""Earning dated by the store's calendar and the time of sale; cards expiring; history moving.

The shop's store keeps Moscow time (UTC+3): 21:30 UTC on 22 November is already the 23rd there.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from loyalty.cards import service as cards
from loyalty.cards.model import Card
from loyalty.cards.replace import replace_card
from loyalty.points.jobs import run_jobs
from loyalty.points.model import Lot
from pos.discounts.history import PurchaseDay, read_segments
from pos.receipts.service import PaymentRequest
from tests.loyalty.conftest import DISCOUNT, card_type, issue
from tests.loyalty.test_points import OAT, balance, give, sell

LATE = datetime(2026, 11, 22, 21, 30, tzinfo=UTC)  # 00:30 on the 23rd in the store


def test_a_campaign_counts_the_stores_local_date(cashier, manager, shop, shift):
    card_type(manager, code="TRIPLE", campaigns=[
        {"from": "2026-11-23", "to": None, "store_ids": [], "multiplier": "3"}])
    number = issue(manager, "TRIPLE")
    sell(replace(cashier, now=LATE), shop, number, "2")
    assert balance(cashier, number)[0] == 4400  # 3 x 14.99 = 44.97 -> 44 on the 23rd locally


def test_an_offline_sale_earns_as_of_its_time_of_sale(cashier, manager, shop, shift):
    card_type(manager, code="ONEDAY", expiry_days=30, campaigns=[
        {"from": None, "to": "2026-11-22", "store_ids": [], "multiplier": "2"}])
    number = issue(manager, "ONEDAY")
    sold_at = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # uploaded when it is the 23rd locally
    sell(replace(cashier, now=LATE), shop, number, "2", sold_at=sold_at)
    assert balance(cashier, number)[0] == 2900  # the campaign of the day of sale
    with cashier.db.read() as session:
        lot = session.scalars(select(Lot)).one()
    assert (lot.active_from, lot.expires_at) == (sold_at, sold_at + timedelta(days=30))


def test_an_offline_sales_points_wait_from_its_time_of_sale(cashier, manager, shop,
                                                                     shift):
    card_type(manager, code="HOURS", pending_days=1)
    number = issue(manager, "HOURS")
    sold_at = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    sell(replace(cashier, now=LATE), shop, number, "2", sold_at=sold_at)
    assert balance(cashier, number) == (0, 1400, 0)  # pending until a day after the sale
    assert balance(replace(cashier, now=sold_at + timedelta(days=1)), number) == (1400, 0, 0)


def test_the_job_expires_cards_past_their_validity_once(cashier, manager):
    card_type(manager, code="SHORT", validity_days=10)
    number = issue(manager, "SHORT")
    assert run_jobs(cashier.db, cashier.now + timedelta(days=10)).expired_cards == 0
    assert run_jobs(cashier.db, cashier.now + timedelta(days=11)).expired_cards == 1
    assert run_jobs(cashier.db, cashier.now + timedelta(days=12)).expired_cards == 0
    assert cards.get_card(cashier.db, number)[0].state == "expired"


def test_a_replaced_cards_purchase_history_moves_with_it(cashier, manager, shop, shift, card):
    sell(cashier, shop, card, "2")
    new = replace_card(manager, card).number
    with cashier.db.read() as session:
        assert session.execute(select(Card.accumulated_minor, Card.has_bought)
                               .where(Card.number == new)).one() == (29980, True)
        assert read_segments(session, f"card:{new}") == {"MILK"}
        assert read_segments(session, f"card:{card}") == frozenset()
        # the card keeps its own spend: no day of the discounts' history is written for it
        assert session.scalars(select(PurchaseDay)).all() == []


def has_bought(ctx, number: str) -> bool:  # type: ignore[no-untyped-def]
    with ctx.db.read() as session:
        return bool(session.scalar(select(Card.has_bought).where(Card.number == number)))


def test_a_card_has_bought_once_it_sells_and_points_given_are_no_purchase(
        cashier, manager, shop, shift, card):
    give(manager, card, 5000)  # an adjustment credits points: no purchase
    assert not has_bought(cashier, card)
    sell(cashier, shop, card, "2", payments=(PaymentRequest("points", 5000),
                                            PaymentRequest("cash", 2 * OAT - 5000)))
    assert has_bought(cashier, card)  # a sale that earns and spends


def test_a_sale_that_earns_nothing_is_a_purchase_too(cashier, manager, shop, shift):
    discount_only = issue(manager, card_type(manager, **{**DISCOUNT, "tiers": []}))
    sell(cashier, shop, discount_only, "1")
    assert has_bought(cashier, discount_only)
