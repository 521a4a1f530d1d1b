"""A statement queued to go with the next one: sent before what follows, never after a rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from pos.core import later
from pos.core.db import Database
from pos.core.direct import Direct
from pos.fiscal.numbering import TillCounter
from tests.helpers import Shop
from tests.integration.test_direct import OUTBOX, entry

ADD = Direct(insert(OUTBOX).returning(OUTBOX.c.number))
COUNT = Direct(select(func.count()).select_from(OUTBOX).where(OUTBOX.c.number >= 7000))


def numbers(db: Database) -> list[int]:
    with db.read() as session:
        return list(session.scalars(select(OUTBOX.c.number).where(OUTBOX.c.number >= 7000)
                                    .order_by(OUTBOX.c.number)))


def test_a_queued_write_goes_with_the_next_statement_which_sees_it(
        db: Database, shop: Shop, carried: list[tuple[int, str]]) -> None:
    with db.transaction() as session:
        connection = session.connection()
        added = ADD.later(connection, entry(shop, 7001))
        queued = later.is_queued(connection)
        assert queued == (db.dialect == "postgresql")  # SQLite: sent at once
        assert (added.rows is None) == queued
        assert COUNT.scalar(connection) == 1  # it went first
        assert [tuple(row) for row in added.answer(connection)] == [(7001,)]
        assert not later.is_queued(connection)
    assert numbers(db) == [7001]
    assert [(count, sql.split()[0]) for count, sql in carried] == \
        ([(1, "SELECT")] if queued else [])


def test_what_is_queued_goes_before_a_core_statement_and_at_the_commit(
        db: Database, shop: Shop) -> None:
    with db.transaction() as session:
        connection = session.connection()
        first = ADD.later(connection, entry(shop, 7011))
        assert session.scalar(select(func.count()).select_from(OUTBOX)
                              .where(OUTBOX.c.number == 7011)) == 1
        last = ADD.later(connection, entry(shop, 7012))  # nothing follows: the commit sends it
    assert numbers(db) == [7011, 7012]
    assert [tuple(row) for row in first.rows or []] == [(7011,)]
    assert [tuple(row) for row in last.rows or []] == [(7012,)]


def test_a_rollback_drops_what_is_queued_for_good(db: Database, shop: Shop) -> None:
    with pytest.raises(RuntimeError), db.transaction() as session:
        connection = session.connection()
        ADD.later(connection, entry(shop, 7021))
        raise RuntimeError("the use case fails")
    for _ in range(3):  # the pool's connections, the rolled-back one among them
        with db.transaction() as session:
            connection = session.connection()
            assert not later.is_queued(connection)
            assert COUNT.scalar(connection) == 0
    assert numbers(db) == []


def test_a_queued_write_that_fails_fails_its_transaction(db: Database, shop: Shop) -> None:
    claim = Direct(insert(TillCounter.__table__))
    row = {"till_id": shop.till_id, "store_id": shop.store_id, "last_number": 0}
    with db.transaction() as session:
        session.execute(TillCounter.__table__.delete())
        claim.rows(session.connection(), row)
    with pytest.raises(IntegrityError), db.transaction() as session:  # the same till again
        connection = session.connection()
        claim.later(connection, row)
        ADD.rows(connection, entry(shop, 7032))
    assert numbers(db) == []


def test_hooks_run_before_the_commit_and_may_refuse_it(db: Database, shop: Shop) -> None:
    order: list[str] = []
    with db.transaction() as session:
        connection = session.connection()
        added = ADD.later(connection, entry(shop, 7041))
        later.before_commit(session, lambda: order.extend(
            f"read {tuple(row)}" for row in added.answer(connection)))
    assert order == ["read (7041,)"]

    def refuse() -> None:
        raise RuntimeError("a guard failed")

    with pytest.raises(RuntimeError), db.transaction() as session:
        ADD.later(session.connection(), entry(shop, 7042))
        later.before_commit(session, refuse)
    with pytest.raises(RuntimeError), db.transaction() as session:  # dropped with the rollback
        later.before_commit(session, lambda: order.append("never"))
        raise RuntimeError("the use case fails")
    assert numbers(db) == [7041]
    assert order == ["read (7041,)"]


def test_a_savepoint_sends_what_waits_and_its_rollback_undoes_only_its_own(
        db: Database, shop: Shop) -> None:
    # SAVEPOINT and ROLLBACK TO are statements too: what waits goes before each.
    with db.transaction() as session:
        connection = session.connection()
        ADD.later(connection, entry(shop, 7051))
        with pytest.raises(RuntimeError), session.begin_nested():
            ADD.later(session.connection(), entry(shop, 7052))  # (the SAVEPOINT goes here)
            raise RuntimeError("the savepoint's work fails")
        ADD.later(connection, entry(shop, 7053))
    assert numbers(db) == [7051, 7053]

