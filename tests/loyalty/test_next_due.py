"""The till reads whether a card's lots are due from the card: its next due instant.

A credit brings it forward to its new lot's activation (pending) or expiry; settling the card's
due lots sets it from the lots again. It may be early, never late: ``pos loyalty verify``
reports a card whose lots fall due before it says.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select, update

from loyalty.cards.model import Card
from loyalty.cards.replace import replace_card
from loyalty.points import service as points
from loyalty.points.jobs import run_jobs
from loyalty.points.model import Lot
from pos.receipts.service import PaymentRequest
from pos.shifts.service import CloseShift, close_shift, open_shift, x_report
from tests.helpers import refused
from tests.loyalty.conftest import card_type, issue
from tests.loyalty.test_points import OAT, balance, give, sell


def next_due(ctx, number):  # type: ignore[no-untyped-def]
    with ctx.db.read() as session:
        return session.scalar(select(Card.next_due_at).where(Card.number == number))


def lot_dates(ctx, number):  # type: ignore[no-untyped-def]
    with ctx.db.read() as session:
        card_id = session.scalar(select(Card.id).where(Card.number == number))
        return session.execute(select(Lot.active_from, Lot.expires_at)
                               .where(Lot.card_id == card_id).order_by(Lot.id)).all()


def next_shift(ctx, shop, shift):  # type: ignore[no-untyped-def]
    """Close the shift, and open the till's next one as of ``ctx``'s time."""
    close_shift(ctx, shift.id, CloseShift(x_report(ctx, shift.id)["cash"]["expected_minor"]))
    open_shift(ctx, shop.till_id, 0)


def pay_points(cp: int, quantity: int = 1) -> tuple[PaymentRequest, ...]:
    return (PaymentRequest("points", cp), PaymentRequest("cash", OAT * quantity - cp))


class TestNextDue:
    def test_a_pending_lot_sets_it_and_its_activation_moves_it_to_the_expiry(
            self, cashier, manager, shop, shift):
        card_type(manager, code="SLOW", pending_days=14, expiry_days=30)
        number = issue(manager, "SLOW")
        assert next_due(cashier, number) is None  # no lot yet
        sell(cashier, shop, number, "2")
        (active_from, expires_at), = lot_dates(cashier, number)
        assert next_due(cashier, number) == active_from
        run_jobs(cashier.db, active_from + timedelta(minutes=1))
        assert next_due(cashier, number) == expires_at
        run_jobs(cashier.db, expires_at + timedelta(minutes=1))
        assert next_due(cashier, number) is None
        assert points.verify(cashier.db)["problems"] == {}

    def test_an_earlier_lot_brings_it_forward_and_a_later_one_does_not(
            self, cashier, manager, card):
        give(manager, card, 1000)
        first = next_due(cashier, card)
        give(replace(manager, now=manager.now + timedelta(days=3)), card, 1000)
        assert next_due(cashier, card) == first  # the second lot expires later
        with manager.db.transaction() as session:  # as if a later credit were the earliest
            session.execute(update(Card).where(Card.number == card)
                            .values(next_due_at=first + timedelta(days=30)))
        give(manager, card, 500)
        assert next_due(cashier, card) == min(expires for _, expires in lot_dates(cashier, card))

    def test_the_till_spends_points_that_became_spendable_with_no_job_run(
            self, cashier, manager, shop, shift):
        card_type(manager, code="SLOW", pending_days=14, expiry_days=30)
        number = issue(manager, "SLOW")
        sell(cashier, shop, number, "2")  # 14.00 points, pending for 14 days
        later = replace(cashier, now=cashier.now + timedelta(days=14, minutes=1))
        next_shift(later, shop, shift)
        sell(later, shop, number, "1", payments=pay_points(1000))
        assert balance(later, number) == (1400 - 1000, 600, 0)  # 5 % of 139.90 waits
        assert points.verify(cashier.db)["problems"] == {}

    def test_the_till_cannot_spend_points_that_expired_with_no_job_run(
            self, cashier, manager, shop, shift, card):
        give(manager, card, 1000)
        a_year_on = replace(cashier, now=cashier.now + timedelta(days=366))
        next_shift(a_year_on, shop, shift)
        with refused("insufficient_points"):
            sell(a_year_on, shop, card, "1", payments=pay_points(1000))
        assert balance(a_year_on, card) == (0, 0, 0)
        assert points.verify(cashier.db)["problems"] == {}

    def test_a_replacement_takes_the_old_cards_next_due(self, cashier, manager, card):
        give(manager, card, 1000)
        due = next_due(cashier, card)
        new = replace_card(manager, card).number
        assert next_due(cashier, new) == due
        assert points.verify(cashier.db)["problems"] == {}

    def test_verify_reports_a_card_whose_lots_fall_due_before_it_says(
            self, cashier, manager, card):
        give(manager, card, 1000)
        (_, expires_at), = lot_dates(cashier, card)
        with manager.db.transaction() as session:
            session.execute(update(Card).where(Card.number == card)
                            .values(next_due_at=expires_at + timedelta(days=1)))
        assert list(points.verify(cashier.db)["problems"]) == [card]


class TestTheJobCorrectsAnEarlyNextDue:
    def test_a_card_whose_earliest_lot_was_spent_gets_its_next_real_due(
            self, cashier, manager, card):
        give(manager, card, 1000)
        give(replace(manager, now=manager.now + timedelta(days=10)), card, 1000)
        points.adjust(replace(manager, now=manager.now + timedelta(days=11)), card, -1000,
                      "spent at the counter")  # the first lot, drawn to nothing
        (_, first), (_, second) = lot_dates(cashier, card)
        assert next_due(cashier, card) == first  # early: that lot is spent
        done = run_jobs(cashier.db, first + timedelta(minutes=1))
        assert (done.cards, done.expired_cp) == (1, 0)
        assert next_due(cashier, card) == second
        assert run_jobs(cashier.db, first + timedelta(minutes=2)).cards == 0
        assert balance(replace(cashier, now=first + timedelta(minutes=2)), card) == (1000, 0, 0)
