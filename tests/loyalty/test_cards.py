"""Card types and cards: numbers, the lifecycle, and what each state refuses."""

from __future__ import annotations

import pytest

from loyalty.cards import service as cards
from loyalty.cards.numbers import is_valid_number, numbers_from
from loyalty.cards.replace import replace_card
from loyalty.points import service as points
from pos.core.pan import luhn_ok, reject_pans
from tests.helpers import refused
from tests.loyalty.conftest import BONUS, card_type, issue


class TestNumbers:
    def test_issued_numbers_carry_an_ean_check_digit_and_never_pass_luhn(self):
        numbers, next_serial = numbers_from("29", 1, 500)
        assert len(set(numbers)) == 500 and next_serial > 500
        assert all(is_valid_number(n) and not luhn_ok(n) for n in numbers)

    def test_issued_numbers_pass_the_card_number_guard_in_any_field(self):
        numbers, _ = numbers_from("29", 1, 300)
        reject_pans({"number": numbers, "card": numbers[0], "pin_login": numbers[-1]})

    def test_a_wrong_check_digit_is_not_a_card_number(self):
        number = numbers_from("29", 7, 1)[0][0]
        wrong = number[:12] + str((int(number[12]) + 1) % 10)
        assert not is_valid_number(wrong)


class TestCardTypes:
    def test_a_type_that_neither_discounts_nor_earns_is_refused(self, manager):
        with refused("card_type_does_nothing"):
            card_type(manager, code="NOTHING", is_bonus=False, is_discount=False)

    def test_tiers_need_a_personal_card(self, manager):
        with refused("tiers_need_personal"):
            card_type(manager, code="ANON", is_personal=False,
                      tiers=[{"name": "3%", "min_minor": 100}])

    def test_a_code_is_used_once(self, manager, bonus_type):
        with refused("card_type_exists"):
            card_type(manager)


class TestLifecycle:
    def test_a_batch_is_numbered_in_sequence_and_waits_for_activation(self, manager, bonus_type):
        batch = cards.issue_cards(manager, bonus_type, 5)
        assert [c.state for c in batch] == ["issued"] * 5
        assert len({c.number for c in batch}) == 5
        more = cards.issue_cards(manager, bonus_type, 1)
        assert more[0].number not in {c.number for c in batch}

    def test_an_issued_card_is_activated_once(self, manager, bonus_type):
        number = cards.issue_cards(manager, bonus_type, 1)[0].number
        assert cards.change_state(manager, number, "activate").state == "active"
        with refused("card_active"):
            cards.change_state(manager, number, "activate")

    def test_blocking_needs_a_reason_and_unblocking_restores_the_card(self, manager, card):
        with refused("reason_required"):
            cards.change_state(manager, card, "block", "  ")
        assert cards.change_state(manager, card, "block", "stolen").state == "blocked"
        assert cards.change_state(manager, card, "unblock").state == "active"

    def test_an_anonymous_card_takes_no_holder(self, manager):
        card_type(manager, code="ANON", is_personal=False)
        with refused("card_is_anonymous"):
            cards.issue_cards(manager, "ANON", 1, cards.NewHolder("Someone"))

    def test_an_unknown_type_is_refused(self, manager):
        with refused("unknown_card_type"):
            cards.issue_cards(manager, "NOPE", 1)


class TestReplace:
    def test_replacing_moves_points_and_blocks_the_old_card_for_good(self, manager, card):
        points.adjust(manager, card, 12000, "welcome gift")
        new = replace_card(manager, card)
        old_view, new_view = cards.views_of(manager.db, [card, new.number])
        assert (old_view["state"], old_view["replaced_by"]) == ("blocked", new.number)
        assert (new_view["state"], new_view["balance_cp"]) == ("active", 12000)
        assert old_view["balance_cp"] == 0 and new_view["holder_name"] == "Hal Holder"
        with refused("card_replaced"):
            cards.change_state(manager, card, "unblock")
        with refused("card_replaced"):
            replace_card(manager, card)
        assert points.verify(manager.db)["problems"] == {}

    def test_the_new_card_may_be_a_blank_one_of_the_same_type(self, manager, card):
        blank = cards.issue_cards(manager, BONUS["code"], 1)[0].number
        assert replace_card(manager, card, blank).number == blank

    def test_a_used_card_cannot_take_over(self, manager, card):
        other = issue(manager)
        with refused("card_not_replacement"):
            replace_card(manager, card, other)


@pytest.mark.parametrize("action", ["activate", "unblock", "expire"])
def test_state_changes_of_an_unknown_card_are_404(manager, action):
    with refused("card_not_found"):
        cards.change_state(manager, "2900000000017", action)
