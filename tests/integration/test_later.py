"""A statement queued to go with the next one: sent before what follows, never after a rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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
        record = connection.connection._connection_record  # noqa: SLF001 - its info
        ADD.later(connection, entry(shop, 7021))
        raise RuntimeError("the use case fails")
    assert "pos.later" not in record.info
    with db.engine.connect() as connection:  # the rollback event itself, on a kept connection
        connection.begin()
        ADD.later(connection, entry(shop, 7022))
        connection.rollback()
        assert not later.is_queued(connection)
        connection.begin()
        assert COUNT.scalar(connection) == 0
    assert numbers(db) == []


def test_a_failed_send_at_the_commit_leaves_the_connection_usable(db: Database,
                                                                  shop: Shop) -> None:
    claim = Direct(insert(TillCounter.__table__))
    row = {"till_id": shop.till_id, "store_id": shop.store_id, "last_number": 0}
    with db.transaction() as session:
        session.execute(TillCounter.__table__.delete())
        claim.rows(session.connection(), row)
    with db.engine.connect() as connection:
        connection.begin()
        with pytest.raises(IntegrityError):  # a duplicate: SQLite runs it at once
            claim.later(connection, row)  # (queued: sent by the commit, Core having no hook)
            connection.commit()
        assert not later.is_queued(connection)
        connection.rollback()
        assert connection.execute(select(func.count()).select_from(TillCounter.__table__)
                                  ).scalar() == 1  # (no "current transaction is aborted")


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
    assert numbers(db) == [7041]


def test_hooks_belong_to_the_outermost_transaction(db: Database) -> None:
    order: list[str] = []
    with Session(db.engine) as session:
        session.begin()
        later.before_commit(session, lambda: order.append("rolled back"))
        session.rollback()  # its hooks go with it, though the session lives on
        session.begin()
        later.before_commit(session, lambda: order.append("outer"))
        with session.begin_nested():  # released: no hook runs yet
            later.before_commit(session, lambda: order.append("inner"))
        assert order == []
        with pytest.raises(RuntimeError), session.begin_nested():
            raise RuntimeError("a savepoint rolled back drops no hook")
        session.commit()
    assert order == ["outer", "inner"]


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

