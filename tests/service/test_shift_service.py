"""The shift use cases called directly: opening, cash movements and closing, rule by rule."""

from __future__ import annotations

import pytest

from pos.receipts.opening import NewReceipt, create_receipt
from pos.shifts.model import CASH_IN, CASH_OUT
from pos.shifts.service import CloseShift, close_shift, get_shift, move_cash, open_shift
from pos.stores.service import update_store
from tests.helpers import approved, refused
from tests.service.conftest import OPENING_FLOAT_MINOR

TOLERANCE_MINOR = 10000  # the seeded store's max_cash_difference: 100.00


class TestOpenShift:
    def test_a_till_has_one_open_shift_at_a_time(self, cashier, shop, shift):
        with refused("shift_already_open"):
            open_shift(cashier, shop.till_id, 0)

    def test_another_till_opens_its_own_shift_meanwhile(self, cashier, shop, shift):
        other = open_shift(cashier, shop.other_till_id, 0)
        assert (other.till_id, other.state) == (shop.other_till_id, "open")

    def test_a_closed_shift_frees_the_till_for_the_next(self, cashier, shop, shift):
        close_shift(cashier, shift.id, CloseShift(OPENING_FLOAT_MINOR))
        assert open_shift(cashier, shop.till_id, 0).id != shift.id


class TestMoveCash:
    def test_a_cash_out_never_exceeds_the_cash_in_the_drawer(self, manager, shift):
        with refused("insufficient_cash") as caught:
            move_cash(manager, shift.id, CASH_OUT, OPENING_FLOAT_MINOR + 1, "safe")
        assert caught.value.extra["expected_cash_minor"] == OPENING_FLOAT_MINOR
        emptied = move_cash(manager, shift.id, CASH_OUT, OPENING_FLOAT_MINOR, "safe")
        assert emptied.amount_minor == OPENING_FLOAT_MINOR

    def test_cash_put_in_can_be_taken_out_again(self, manager, shift):
        move_cash(manager, shift.id, CASH_IN, 5000, "change")
        taken = move_cash(manager, shift.id, CASH_OUT, OPENING_FLOAT_MINOR + 5000, "safe")
        assert taken.amount_minor == OPENING_FLOAT_MINOR + 5000

    def test_a_cashier_takes_cash_out_only_with_a_managers_approval(self, cashier, shift):
        with refused("approval_required"):
            move_cash(cashier, shift.id, CASH_OUT, 100, "safe")
        taken = move_cash(approved(cashier), shift.id, CASH_OUT, 100, "safe")
        assert taken.approved_by_id is not None


class TestCloseShift:
    def test_another_cashiers_shift_closes_only_with_a_managers_approval(
            self, cashier, manager, shop):
        shift = open_shift(manager, shop.till_id, OPENING_FLOAT_MINOR)
        with refused("approval_required"):
            close_shift(cashier, shift.id, CloseShift(OPENING_FLOAT_MINOR))
        assert get_shift(cashier.db, shift.id).state == "open"
        closed = close_shift(approved(cashier), shift.id, CloseShift(OPENING_FLOAT_MINOR))
        assert (closed.state, closed.closed_by_id) == ("closed", cashier.actor.user_id)

    def test_closing_with_open_receipts_is_refused_and_names_how_many(
            self, cashier, shop, shift):
        for _ in range(2):
            create_receipt(cashier, NewReceipt(till_id=shop.till_id))
        with refused("open_receipts") as caught:
            close_shift(cashier, shift.id, CloseShift(OPENING_FLOAT_MINOR))
        assert caught.value.extra["count"] == 2

    def test_a_difference_beyond_tolerance_needs_a_manager(self, cashier, shift):
        short = CloseShift(OPENING_FLOAT_MINOR - TOLERANCE_MINOR - 1)
        with refused("approval_required"):
            close_shift(cashier, shift.id, short)
        closed = close_shift(approved(cashier), shift.id, short)
        assert closed.difference_minor == -TOLERANCE_MINOR - 1
        assert closed.difference_approved_by_id is not None

    def test_a_difference_within_tolerance_closes_alone(self, cashier, shift):
        closed = close_shift(cashier, shift.id, CloseShift(OPENING_FLOAT_MINOR - TOLERANCE_MINOR))
        assert (closed.state, closed.difference_minor) == ("closed", -TOLERANCE_MINOR)
        assert closed.z_report is not None and closed.z_number == 1

    def test_a_closed_shift_takes_no_more_cash(self, cashier, shift):
        close_shift(cashier, shift.id, CloseShift(OPENING_FLOAT_MINOR))
        with refused("shift_closed"):
            move_cash(cashier, shift.id, CASH_IN, 100, "late")


class TestBlindClose:
    @pytest.fixture(autouse=True)
    def blind_store(self, db, shop):
        """The store closes blind and allows one recount."""
        update_store(db, shop.store_id, {"blind_close": True, "blind_recounts": 1})

    def test_a_count_beyond_tolerance_asks_for_a_recount_and_keeps_the_shift_open(
            self, cashier, shift):
        with refused("recount_required") as caught:
            close_shift(cashier, shift.id, CloseShift(OPENING_FLOAT_MINOR - 20000))
        assert caught.value.extra == {"recounts_left": 0}
        after = get_shift(cashier.db, shift.id)
        assert (after.state, after.blind_recounts_used) == ("open", 1)

    def test_a_recount_that_matches_closes_blind(self, cashier, shift):
        with refused("recount_required"):
            close_shift(cashier, shift.id, CloseShift(OPENING_FLOAT_MINOR + 50000))
        closed = close_shift(cashier, shift.id, CloseShift(OPENING_FLOAT_MINOR))
        assert (closed.state, closed.is_blind_close) == ("closed", True)

    def test_once_the_recounts_are_spent_the_difference_needs_a_manager(self, cashier, shift):
        short = CloseShift(OPENING_FLOAT_MINOR - 20000)
        with refused("recount_required"):
            close_shift(cashier, shift.id, short)
        with refused("approval_required"):
            close_shift(cashier, shift.id, short)
        assert close_shift(approved(cashier), shift.id, short).is_blind_close is True

    def test_a_manager_counts_openly(self, manager, shop):
        shift = open_shift(manager, shop.till_id, OPENING_FLOAT_MINOR)
        closed = close_shift(manager, shift.id, CloseShift(OPENING_FLOAT_MINOR - 20000))
        assert (closed.is_blind_close, closed.difference_minor) == (False, -20000)
