"""Who sees and acts where, judged on principals alone (pos.core.scope)."""

from __future__ import annotations

from pos.core.scope import Place, may_open_shift, needs_opener, sees, sees_store, works_at
from pos.core.security import Principal, rights_of

MAIN, WEST = 1, 2
TILL_1, TILL_2 = 11, 12  # MAIN's tills
CASS, OTTO, MAX = 100, 101, 200


def principal(user_id: int, role: str, stores: set[int] | None, tills: frozenset[int] = frozenset()
              ) -> Principal:
    return Principal(user_id=user_id, username=f"u{user_id}", role=role,
                     rights=rights_of(role),
                     store_ids=None if stores is None else frozenset(stores),
                     till_ids=frozenset(tills))


CASHIER = principal(CASS, "cashier", {MAIN}, frozenset({TILL_1}))
UNASSIGNED = principal(OTTO, "cashier", {MAIN})
MANAGER = principal(MAX, "manager", {MAIN})
ADMIN = principal(1, "admin", None)


class TestStores:
    def test_users_see_only_the_stores_they_work_in_and_admins_every_store(self):
        assert sees_store(CASHIER, MAIN) and not sees_store(CASHIER, WEST)
        assert sees_store(MANAGER, MAIN) and not sees_store(MANAGER, WEST)
        assert sees_store(ADMIN, WEST)

    def test_a_principal_built_without_stores_sees_none(self):
        nobody = Principal(user_id=5, username="x", role="cashier", rights=rights_of("cashier"))
        assert not sees_store(nobody, MAIN)


class TestTills:
    def test_a_cashier_works_at_an_assigned_till_whoever_opened_its_shift(self):
        assert works_at(CASHIER, Place(MAIN, TILL_1, opened_by_id=MAX))
        assert works_at(CASHIER, Place(MAIN, TILL_1))

    def test_a_cashier_works_at_a_till_whose_open_shift_they_opened(self):
        assert works_at(UNASSIGNED, Place(MAIN, TILL_2, opened_by_id=OTTO))

    def test_another_cashiers_till_is_out_of_scope(self):
        assert not works_at(UNASSIGNED, Place(MAIN, TILL_2, opened_by_id=CASS))
        assert not works_at(CASHIER, Place(MAIN, TILL_2, opened_by_id=OTTO))
        assert not works_at(UNASSIGNED, Place(MAIN, TILL_2))

    def test_another_store_is_out_of_scope_even_for_the_shift_they_opened(self):
        assert not works_at(CASHIER, Place(WEST, 31, opened_by_id=CASS))
        assert not works_at(MANAGER, Place(WEST, 31, opened_by_id=MAX))

    def test_managers_work_at_every_till_of_their_stores_and_admins_everywhere(self):
        assert works_at(MANAGER, Place(MAIN, TILL_2, opened_by_id=CASS))
        assert works_at(ADMIN, Place(WEST, 31, opened_by_id=CASS))

    def test_the_opener_matters_only_for_a_cashier_at_a_till_not_theirs(self):
        assert needs_opener(UNASSIGNED, MAIN, TILL_2)
        assert not needs_opener(CASHIER, MAIN, TILL_1)
        assert not needs_opener(MANAGER, MAIN, TILL_2)
        assert not needs_opener(CASHIER, WEST, 31)


class TestReading:
    def test_a_cashier_reads_what_they_made_in_their_stores(self):
        place = Place(MAIN, TILL_2, opened_by_id=CASS)
        assert sees(UNASSIGNED, place, made_by_id=OTTO)
        assert not sees(UNASSIGNED, place, made_by_id=CASS)
        assert not sees(UNASSIGNED, Place(WEST, 31, opened_by_id=CASS), made_by_id=OTTO)


class TestOpeningShifts:
    def test_an_assigned_cashier_opens_only_on_their_tills(self):
        assert may_open_shift(CASHIER, MAIN, TILL_1)
        assert not may_open_shift(CASHIER, MAIN, TILL_2)

    def test_a_cashier_assigned_to_no_till_opens_on_any_till_of_their_stores(self):
        assert may_open_shift(UNASSIGNED, MAIN, TILL_2)
        assert not may_open_shift(UNASSIGNED, WEST, 31)

    def test_managers_open_in_their_stores_and_admins_anywhere(self):
        assert may_open_shift(MANAGER, MAIN, TILL_2) and not may_open_shift(MANAGER, WEST, 31)
        assert may_open_shift(ADMIN, WEST, 31)
