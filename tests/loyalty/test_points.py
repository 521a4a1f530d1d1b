"""Points: earned on a close (once), pending then spendable, spent as a payment, expired, reversed.

Oat milk is 149.90 and the bonus card earns 5 % in whole points, rounded down, spendable at
once, expiring after a year; points pay at most half of a receipt.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from loyalty.cards import service as cards
from loyalty.cards.model import Card
from loyalty.points import service as points
from loyalty.points.jobs import run_jobs
from loyalty.points.lots import DRAW_BATCH
from loyalty.points.model import Entry, Lot
from pos.receipts import service
from pos.receipts.cards import attach_card, points_payable
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.returns import NewReturn, ReturnLine, create_return
from pos.receipts.service import PaymentRequest
from pos.shifts.service import x_report
from tests.helpers import approved, refused
from tests.loyalty.conftest import card_type, issue

OAT = 14990


def balance(ctx, number):  # type: ignore[no-untyped-def]
    """Return (spendable, pending, debt) of a card, settled as of the context's time."""
    card = points.settled_card(ctx.db, number, ctx.now)
    return card.balance_cp, card.pending_cp, card.debt_cp


def sell(ctx, shop, number, quantity="1", payments=None, **kw):  # type: ignore[no-untyped-def]
    """Upload a finished sale of oat milk with a card, paid in cash unless told."""
    total = OAT * int(quantity)
    return create_receipt(ctx, NewReceipt(
        till_id=shop.till_id, card_code=number,
        lines=(LineRequest(sku="OAT-MILK-1L", quantity=quantity),),
        payments=payments or (PaymentRequest("cash", total),), **kw)).receipt


def give(manager, number, cp):  # type: ignore[no-untyped-def]
    points.adjust(manager, number, cp, "test points")


class TestEarning:
    def test_a_closed_sale_earns_on_what_was_paid_with_money(self, cashier, shop, shift, card):
        sell(cashier, shop, card, "2")
        assert balance(cashier, card) == (1400, 0, 0)  # 5 % of 299.80 = 14.99 -> 14 points

    def test_the_part_paid_in_points_earns_nothing(self, cashier, manager, shop, shift, card):
        give(manager, card, 5000)
        sell(cashier, shop, card, "2", payments=(PaymentRequest("points", 5000),
                                                PaymentRequest("cash", 2 * OAT - 5000)))
        assert balance(cashier, card) == (1200, 0, 0)  # 5 % of 249.80 = 12.49 -> 12

    def test_segment_overrides_and_half_up_rounding(self, cashier, manager, shop, shift):
        card_type(manager, code="MILKY", segment_bp={"MILK": 0, "FRUIT": 1000},
                  rounding="half_up", is_fractional=True)
        number = issue(manager, "MILKY")
        create_receipt(cashier, NewReceipt(till_id=shop.till_id, card_code=number, lines=(
            LineRequest(sku="OAT-MILK-1L", quantity="1"),
            LineRequest(sku="APPLE-KG", quantity="0.333", weight_source="scale")),
            payments=(PaymentRequest("cash", 30000),)))
        # Apples 0.333 kg x 159.90 = 53.25 at 10 % = 5.325 -> 5.33; milk earns nothing.
        assert balance(cashier, number)[0] == 533

    def test_a_campaign_multiplies_on_its_days_in_its_stores(self, cashier, manager, shop,
                                                             shift):
        card_type(manager, code="DOUBLE", campaigns=[
            {"from": "2026-11-20", "to": "2026-11-25", "store_ids": [shop.store_id],
             "multiplier": "2"},
            {"from": "2026-12-01", "to": None, "store_ids": [], "multiplier": "3"}])
        number = issue(manager, "DOUBLE")
        sell(cashier, shop, number, "2")
        assert balance(cashier, number)[0] == 2900  # 2 x 14.99 = 29.98 -> 29

    def test_a_one_shot_upload_sent_twice_earns_once(self, cashier, shop, shift, card):
        twice = "6d8f3c1e-0a4b-4f7e-9c2d-1b5a7e9f0c11"
        sell(cashier, shop, card, client_uuid=twice)
        sell(cashier, shop, card, client_uuid=twice)
        assert balance(cashier, card) == (700, 0, 0)

    def test_a_sale_killed_before_its_commit_earns_nothing(self, cashier, shop, shift, card):
        def crash(session, receipt):  # type: ignore[no-untyped-def]
            raise RuntimeError("power cut")

        with pytest.raises(RuntimeError):
            create_receipt(cashier, NewReceipt(
                till_id=shop.till_id, card_code=card,
                lines=(LineRequest(sku="OAT-MILK-1L", quantity="1"),),
                payments=(PaymentRequest("cash", OAT),)), on_write=crash)
        assert balance(cashier, card) == (0, 0, 0)
        with cashier.db.read() as session:
            assert session.scalars(select(Entry)).all() == []


class TestPendingAndExpiry:
    def test_points_wait_then_become_spendable_even_if_no_job_ran(self, cashier, manager, shop,
                                                                   shift):
        card_type(manager, code="SLOW", pending_days=14, expiry_days=30)
        number = issue(manager, "SLOW")
        sell(cashier, shop, number, "2")
        assert balance(cashier, number) == (0, 1400, 0)
        later = replace(cashier, now=cashier.now + timedelta(days=14))
        assert balance(later, number) == (1400, 0, 0)
        assert balance(replace(cashier, now=cashier.now + timedelta(days=44)), number) \
            == (0, 0, 0)
        assert points.verify(cashier.db)["problems"] == {}

    def test_the_job_activates_and_expires_once(self, cashier, manager, shop, shift):
        card_type(manager, code="SLOW", pending_days=14, expiry_days=30)
        number = issue(manager, "SLOW")
        sell(cashier, shop, number, "2")
        done = run_jobs(cashier.db, cashier.now + timedelta(days=15))
        assert (done.cards, done.activated_cp, done.expired_cp) == (1, 1400, 0)
        assert run_jobs(cashier.db, cashier.now + timedelta(days=15)).cards == 0
        assert run_jobs(cashier.db, cashier.now + timedelta(days=45)).expired_cp == 1400
        assert balance(cashier, number) == (0, 0, 0)
        assert points.verify(cashier.db)["problems"] == {}

    def test_spends_draw_the_oldest_lots_first_so_newer_points_outlive_them(
            self, cashier, manager, card):
        give(manager, card, 1000)
        give(replace(manager, now=manager.now + timedelta(days=100)), card, 1000)
        points.adjust(replace(manager, now=manager.now + timedelta(days=101)), card, -500,
                      "spent at the counter")
        a_year_on = replace(cashier, now=cashier.now + timedelta(days=366))
        assert balance(a_year_on, card) == (1000, 0, 0)  # the first lot's 5.00 expired


    def test_points_count_as_expiring_within_thirty_days_of_their_lots_expiry(
            self, cashier, manager, shop, shift):
        card_type(manager, code="SLOW", pending_days=14, expiry_days=60)
        card_type(manager, code="BRIEF", pending_days=14, expiry_days=10)
        slow, brief = issue(manager, "SLOW"), issue(manager, "BRIEF")
        sell(cashier, shop, slow, "2")  # 14 points, spendable on day 14, gone on day 74
        sell(cashier, shop, brief, "2")  # 14 points, spendable on day 14, gone on day 24

        def expiring(number: str, days: float) -> tuple[int, int]:
            owed = points.card_balances(cashier.db, number, cashier.now + timedelta(days=days))[1]
            return owed.pending_cp, owed.expiring_cp

        assert expiring(slow, 20) == (0, 0)  # spendable, 54 days to go
        assert expiring(slow, 43.99) == (0, 0)  # a moment more than 30 days to go
        assert expiring(slow, 44) == (0, 1400)  # 30 days to go
        assert expiring(slow, 73.99) == (0, 1400)
        assert expiring(slow, 74) == (0, 0)  # expired: nothing left to expire
        assert expiring(brief, 1) == (1400, 0)  # 23 days to go, but not yet spendable
        assert expiring(brief, 14) == (0, 1400)

def lots_left(ctx, number, column=Lot.remaining_cp):  # type: ignore[no-untyped-def]
    """Return the remaining hundredths (or ``column``) of a card's lots, oldest first."""
    with ctx.db.read() as session:
        card_id = session.scalar(select(Card.id).where(Card.number == number))
        return list(session.scalars(select(column).where(Lot.card_id == card_id)
                                    .order_by(Lot.id)))


class TestDrawingLots:
    def test_a_spend_the_oldest_lot_cannot_cover_draws_the_next_ones_in_expiry_order(
            self, manager, card):
        for days in (0, 10, 20):
            give(replace(manager, now=manager.now + timedelta(days=days)), card, 1000)
        points.adjust(replace(manager, now=manager.now + timedelta(days=21)), card, -1500,
                      "spent at the counter")
        assert lots_left(manager, card) == [0, 500, 1000]
        assert points.verify(manager.db)["problems"] == {}

    @pytest.mark.parametrize("expiry_days", [365, None])
    def test_a_lot_drawn_to_nothing_is_spent_and_one_drawn_part_way_stays_active(
            self, manager, expiry_days):
        card_type(manager, code="DRAWN", expiry_days=expiry_days)
        number = issue(manager, "DRAWN")
        for days in (0, 10):
            give(replace(manager, now=manager.now + timedelta(days=days)), number, 1000)
        points.adjust(manager, number, -1000, "exactly the oldest lot")
        assert lots_left(manager, number) == [0, 1000]
        assert lots_left(manager, number, Lot.state) == ["spent", "active"]
        points.adjust(manager, number, -300, "part of the next")
        assert lots_left(manager, number) == [0, 700]
        assert lots_left(manager, number, Lot.state) == ["spent", "active"]
        points.adjust(manager, number, -700, "the rest")
        assert lots_left(manager, number, Lot.state) == ["spent", "spent"]
        assert balance(manager, number) == (0, 0, 0)
        assert points.verify(manager.db)["problems"] == {}

    def test_a_spend_across_more_lots_than_one_read_takes_empties_them_oldest_first(
            self, manager, card):
        lots = DRAW_BATCH + 3
        # given latest expiry first: the order of expiry is the reverse of the lots' ids
        for days in reversed(range(lots)):
            give(replace(manager, now=manager.now + timedelta(days=days)), card, 1000)
        points.adjust(replace(manager, now=manager.now + timedelta(days=lots)), card,
                      -(1000 * (lots - 1) + 400), "spent at the counter")
        assert lots_left(manager, card) == [600] + [0] * (lots - 1)
        assert lots_left(manager, card, Lot.state) == ["active"] + ["spent"] * (lots - 1)
        assert balance(manager, card) == (600, 0, 0)
        assert points.verify(manager.db)["problems"] == {}

    def test_points_that_never_expire_are_drawn_oldest_first_in_one_update_or_several(
            self, manager):
        card_type(manager, code="FOREVER", expiry_days=None)
        number = issue(manager, "FOREVER")
        for days in (0, 10, 20):
            give(replace(manager, now=manager.now + timedelta(days=days)), number, 1000)
        points.adjust(manager, number, -400, "spent at the counter")  # the oldest covers it
        points.adjust(manager, number, -1000, "spent at the counter")  # it does not
        assert lots_left(manager, number) == [0, 600, 1000]
        assert points.verify(manager.db)["problems"] == {}


class TestOneShotWithPoints:
    def test_an_upload_paying_in_points_spends_then_earns_and_the_ledger_agrees(
            self, cashier, manager, shop, shift, card):
        give(manager, card, 10000)
        sell(cashier, shop, card, "2", payments=(PaymentRequest("points", 10000),
                                                 PaymentRequest("cash", 2 * OAT - 10000)))
        assert balance(cashier, card) == (900, 0, 0)  # 5 % of 199.80 paid in money: 9 points
        with cashier.db.read() as session:
            kinds = [(e.kind, e.delta_cp) for e in session.scalars(
                select(Entry).where(Entry.receipt_id.is_not(None)).order_by(Entry.id))]
        assert kinds == [("spend", -10000), ("earn", 900)]
        assert points.verify(cashier.db)["problems"] == {}

    def test_an_uploads_spend_leaves_the_lot_it_earns_alone_though_it_expires_first(
            self, cashier, manager, shop, shift, card):
        give(replace(manager, now=manager.now + timedelta(days=60)), card, 10000)
        # the points it pays with expire 60 days after the lot it earns: drawn to nothing,
        # that oldest lot is drawn lot by lot, and the new lot is not among them
        sell(cashier, shop, card, "2", payments=(PaymentRequest("points", 10000),
                                                 PaymentRequest("cash", 2 * OAT - 10000)))
        assert lots_left(cashier, card) == [0, 900]
        assert lots_left(cashier, card, Lot.state) == ["spent", "active"]
        assert balance(cashier, card) == (900, 0, 0)
        assert points.verify(cashier.db)["problems"] == {}

    def test_an_upload_paying_more_points_than_the_card_holds_writes_nothing(
            self, cashier, manager, shop, shift, card):
        give(manager, card, 5000)
        with refused("insufficient_points"):
            sell(cashier, shop, card, "2", payments=(PaymentRequest("points", 6000),
                                                     PaymentRequest("cash", 2 * OAT - 6000)))
        assert balance(cashier, card) == (5000, 0, 0)
        with cashier.db.read() as session:
            assert session.scalars(select(Entry).where(Entry.receipt_id.is_not(None))).all() \
                == []
        assert points.verify(cashier.db)["problems"] == {}


class TestSpending:
    @pytest.fixture
    def carded(self, cashier, manager, receipt, card):  # type: ignore[no-untyped-def]
        give(manager, card, 10000)
        service.add_line(cashier, receipt.id, LineRequest(sku="OAT-MILK-1L", quantity="2"))
        return attach_card(cashier, receipt.id, card)

    def test_points_pay_part_of_a_receipt(self, cashier, carded, card):
        service.add_payment(cashier, carded.id, PaymentRequest("points", 10000))
        assert balance(cashier, card)[0] == 0
        assert points_payable(cashier, carded.id)["max_amount_minor"] == 0

    def test_the_till_asks_what_points_may_pay(self, cashier, carded):
        payable = points_payable(cashier, carded.id)
        assert (payable["max_amount_minor"], payable["balance_cp"]) == (10000, 10000)

    @pytest.mark.parametrize(("amount", "code"), [
        (15000, "points_share_exceeded"), (5050, "fractional_points")])
    def test_too_much_or_a_fraction_is_refused_and_nothing_written(self, cashier, carded, card,
                                                                   amount, code):
        with refused(code):
            service.add_payment(cashier, carded.id, PaymentRequest("points", amount))
        assert balance(cashier, card)[0] == 10000
        assert service.get_receipt(cashier.db, carded.id).payments == []

    def test_more_than_the_balance_is_a_conflict(self, cashier, manager, carded, card):
        points.adjust(manager, card, -5000, "correction")
        with refused("insufficient_points"):
            service.add_payment(cashier, carded.id, PaymentRequest("points", 6000))
        assert balance(cashier, card)[0] == 5000

    def test_a_card_blocked_after_it_was_attached_refuses_to_pay(self, cashier, manager,
                                                                 carded, card):
        cards.change_state(manager, card, "block", "reported stolen")
        with refused("card_blocked"):
            service.add_payment(cashier, carded.id, PaymentRequest("points", 1000))

    def test_points_need_a_card(self, cashier, receipt):
        service.add_line(cashier, receipt.id, LineRequest(sku="OAT-MILK-1L", quantity="1"))
        with refused("card_required"):
            service.add_payment(cashier, receipt.id, PaymentRequest("points", 1000))

    def test_a_payment_taken_back_or_voided_returns_the_points(self, cashier, carded, card):
        service.add_payment(cashier, carded.id, PaymentRequest("points", 4000))
        service.remove_payment(cashier, carded.id, 1)
        assert balance(cashier, card)[0] == 10000
        service.add_payment(cashier, carded.id, PaymentRequest("points", 3000))
        service.void_receipt(approved(cashier), carded.id)
        assert balance(cashier, card)[0] == 10000
        assert points.verify(cashier.db)["problems"] == {}


class TestReturns:
    def test_a_return_takes_back_what_its_lines_earned_in_proportion(self, cashier, shop, shift,
                                                                     card):
        sale = sell(cashier, shop, card, "3")  # 5 % of 449.70 = 22.48 -> 22 points
        for expected in (1500, 700, 0):
            create_return(cashier, NewReturn(till_id=shop.till_id, original_receipt_id=sale.id,
                                             lines=(ReturnLine("1", line_no=1),)))
            assert balance(cashier, card)[0] == expected  # 22 x 1/3 = 7.33: 7 back, then 15
        assert points.verify(cashier.db)["problems"] == {}

    def test_points_spent_on_a_returned_sale_come_back_as_a_new_lot(self, cashier, manager,
                                                                    shop, shift, card):
        give(manager, card, 5000)
        sale = sell(cashier, shop, card, "1", payments=(PaymentRequest("points", 5000),
                                                       PaymentRequest("cash", OAT - 5000)))
        assert balance(cashier, card)[0] == 400  # 5 % of 99.90 = 4.99 -> 4
        create_return(cashier, NewReturn(till_id=shop.till_id, original_receipt_id=sale.id,
                                         lines=(ReturnLine("1", line_no=1),)))
        assert balance(cashier, card) == (5000, 0, 0)
        with cashier.db.read() as session:
            kinds = [e.kind for e in session.scalars(select(Entry).order_by(Entry.id))]
        assert kinds == ["adjust", "spend", "earn", "reverse", "restore"]

    def test_earned_points_already_spent_become_a_debt_never_a_negative_balance(
            self, cashier, manager, shop, shift, card):
        sale = sell(cashier, shop, card, "2")  # 14 points
        points.adjust(manager, card, -1000, "spent on a gift")
        create_return(cashier, NewReturn(till_id=shop.till_id, original_receipt_id=sale.id,
                                         lines=(ReturnLine("2", line_no=1),)))
        assert balance(cashier, card) == (0, 0, 1000)
        sell(cashier, shop, card, "2")  # earns 14 more: 10 repay the debt
        assert balance(cashier, card) == (400, 0, 0)
        assert points.verify(cashier.db)["problems"] == {}

    def test_an_earn_all_owed_makes_no_lot_and_repays_the_debt(self, cashier, manager, shop,
                                                                shift, card):
        sale = sell(cashier, shop, card, "4")  # 29 points
        points.adjust(manager, card, -2900, "spent on a gift")
        create_return(cashier, NewReturn(till_id=shop.till_id, original_receipt_id=sale.id,
                                         lines=(ReturnLine("4", line_no=1),)))
        sell(cashier, shop, card, "2")  # earns 14: all of it repays the debt of 29
        assert balance(cashier, card) == (0, 0, 1500)
        assert lots_left(cashier, card) == [0]  # the first sale's, drawn: no new lot
        with cashier.db.read() as session:
            earn = session.scalars(select(Entry).order_by(Entry.id.desc()).limit(1)).one()
        assert (earn.kind, earn.delta_cp, earn.debt_delta_cp, earn.lot_id) == \
            ("earn", 0, -1400, None)
        assert points.verify(cashier.db)["problems"] == {}

    def test_points_still_pending_are_taken_back_from_the_pending(self, cashier, manager, shop,
                                                                  shift):
        card_type(manager, code="SLOW", pending_days=14)
        number = issue(manager, "SLOW")
        sale = sell(cashier, shop, number, "2")
        create_return(cashier, NewReturn(till_id=shop.till_id, original_receipt_id=sale.id,
                                         lines=(ReturnLine("1", line_no=1),)))
        assert balance(cashier, number) == (0, 700, 0)


class TestAdjustmentsAndVerify:
    def test_an_adjustment_needs_a_reason_and_whole_points(self, manager, card):
        with refused("reason_required"):
            points.adjust(manager, card, 100, " ")
        with refused("fractional_points"):
            points.adjust(manager, card, 150, "half a point")
        with refused("insufficient_points"):
            points.adjust(manager, card, -100, "take what is not there")
        assert balance(manager, card) == (0, 0, 0)

    def test_verify_finds_a_balance_edited_behind_the_ledger(self, manager, card):
        give(manager, card, 1000)
        assert points.verify(manager.db) == {"cards": 1, "problems": {}}
        with manager.db.transaction() as session:
            session.execute(update(Card).where(Card.number == card).values(balance_cp=99999))
        assert list(points.verify(manager.db)["problems"]) == [card]

    def test_the_shift_report_counts_points_earned_and_spent(self, cashier, manager, shop, shift,
                                                             card):
        give(manager, card, 5000)
        sell(cashier, shop, card, "1", payments=(PaymentRequest("points", 5000),
                                                PaymentRequest("cash", OAT - 5000)))
        section = x_report(cashier, shift.id)["loyalty"]
        assert (section["points_earned"], section["points_spent"]) == ("4.00", "50.00")
