"""Statements run on the driver's cursor store and read what SQLAlchemy's Core does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Integer, TypeDecorator, bindparam, insert, select, text
from sqlalchemy.exc import IntegrityError

from pos.core.db import Database
from pos.core.direct import Direct
from pos.fiscal.model import OutboxEntry
from pos.fiscal.numbering import TillCounter
from tests.helpers import Shop, statements

OUTBOX = OutboxEntry.__table__
AT = datetime(2026, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)


def entry(shop: Shop, number: int, **extra: Any) -> dict[str, Any]:
    return {"store_id": shop.store_id, "till_id": shop.till_id, "number": number,
            "kind": "sale", "document_id": number, "state": "pending", "attempts": 0,
            "payload": {"total": "12.30", "lines": [{"sku": "МОЛОКО", "qty": 1.5}]},
            "created_at": AT, "next_attempt_at": AT + timedelta(minutes=number), **extra}


def test_rows_written_directly_are_the_rows_core_writes(db: Database, shop: Shop) -> None:
    with db.transaction() as session:
        connection = session.connection()
        Direct(insert(OUTBOX)).rows(connection, entry(shop, 901))
        connection.execute(insert(OUTBOX), entry(shop, 902))
        direct, core = (connection.execute(select(OUTBOX).where(OUTBOX.c.number == n)).one()
                        ._asdict() for n in (901, 902))
    assert direct["payload"] == core["payload"] == entry(shop, 0)["payload"]
    assert direct["created_at"] == core["created_at"] == AT
    differing = {key for key in direct if direct[key] != core[key]}
    assert differing == {"id", "number", "document_id", "next_attempt_at"}


def test_rows_read_directly_are_the_rows_core_reads(db: Database, shop: Shop) -> None:
    query = select(OUTBOX.c.id, OUTBOX.c.payload, OUTBOX.c.created_at,
                   OUTBOX.c.next_attempt_at.label("due")).where(
        OUTBOX.c.till_id == bindparam("till")).order_by(OUTBOX.c.number)
    with db.transaction() as session:
        connection = session.connection()
        connection.execute(insert(OUTBOX), [entry(shop, 911), entry(shop, 912)])
        read = Direct(query).rows(connection, {"till": shop.till_id})
        expected = connection.execute(query, {"till": shop.till_id}).all()
    assert [tuple(row) for row in read] == [tuple(row) for row in expected]
    assert read[1].due == AT + timedelta(minutes=912) and read[1].due.tzinfo is not None
    with db.read_connection() as connection:
        assert Direct(query).first(connection, {"till": -1}) is None


def test_literals_beside_the_callers_values_are_sent_as_core_sends_them(
        db: Database, shop: Shop) -> None:
    # 'pending' and the attempts bound are literals; the till and an instant (sent twice,
    # once converted) the caller's: the same rows as Core, run after run.
    query = select(OUTBOX.c.number).where(
        OUTBOX.c.till_id == bindparam("till"), OUTBOX.c.state == "pending",
        OUTBOX.c.attempts < 5, OUTBOX.c.created_at <= bindparam("at"),
        OUTBOX.c.next_attempt_at > bindparam("at")).order_by(OUTBOX.c.number)
    direct = Direct(query)
    with db.transaction() as session:
        connection = session.connection()
        connection.execute(insert(OUTBOX), [entry(shop, 931), entry(shop, 932, state="sent"),
                                            entry(shop, 933, attempts=5), entry(shop, 934)])
        for at in (AT, AT + timedelta(minutes=932), AT + timedelta(minutes=940)):
            params = {"till": shop.till_id, "at": at}
            expected = connection.execute(query, params).scalars().all()
            assert [row.number for row in direct.rows(connection, params)] == expected
        assert expected == [] and connection.execute(query, {"till": shop.till_id, "at": AT}) \
            .scalars().all() == [931, 934]


class _PlusOne(TypeDecorator[int]):
    # A parameter type whose processing is seen: applied twice, it would add two.
    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Any) -> int | None:
        return None if value is None else value + 1


def test_a_parameter_bound_twice_is_processed_once_as_core_does(db: Database) -> None:
    query = select(bindparam("x", type_=_PlusOne()).label("a"),
                   bindparam("x", type_=_PlusOne()).label("b"))
    with db.transaction() as session:
        connection = session.connection()
        assert tuple(Direct(query).first(connection, {"x": 1})) == (2, 2) \
            == tuple(connection.execute(query, {"x": 1}).one())


def test_a_batch_whose_rows_name_different_parameters_is_sent_as_core_sends_it(
        db: Database, shop: Shop) -> None:
    # the second row passes the state the first leaves to its literal
    marked = OUTBOX.update().where(OUTBOX.c.number == bindparam("n")).values(
        attempts=bindparam("tries"), state="failed")
    with db.transaction() as session:
        connection = session.connection()
        connection.execute(insert(OUTBOX), [entry(shop, 941), entry(shop, 942)])
        Direct(marked).many(connection, [{"n": 941, "tries": 1},
                                         {"n": 942, "tries": 2, "state": "sent"}])
        rows = connection.execute(select(OUTBOX.c.number, OUTBOX.c.state, OUTBOX.c.attempts)
                                  .where(OUTBOX.c.number.in_((941, 942)))
                                  .order_by(OUTBOX.c.number)).all()
    assert [tuple(row) for row in rows] == [(941, "failed", 1), (942, "sent", 2)]


def test_a_batch_written_directly_is_every_row(db: Database, shop: Shop) -> None:
    with db.transaction() as session:
        connection = session.connection()
        Direct(insert(OUTBOX)).many(connection, [entry(shop, n) for n in (921, 922, 923)])
        Direct(insert(OUTBOX)).many(connection, [])
        numbers = connection.execute(select(OUTBOX.c.number).where(
            OUTBOX.c.number.between(921, 929)).order_by(OUTBOX.c.number)).scalars().all()
    assert numbers == [921, 922, 923]


def test_a_drivers_error_is_raised_as_sqlalchemys(db: Database, shop: Shop) -> None:
    counter = TillCounter.__table__
    claim = Direct(insert(counter))
    row = {"till_id": shop.till_id, "store_id": shop.store_id, "last_number": 0}
    with pytest.raises(IntegrityError) as raised, db.transaction() as session:
        connection = session.connection()
        claim.rows(connection, row)  # the till may have its counter already: then this fails
        claim.rows(connection, row)
    assert isinstance(raised.value.orig, db.engine.dialect.loaded_dbapi.IntegrityError)
    assert "till_counters" in str(raised.value.statement)


def test_what_only_core_can_send_is_refused_when_first_run(db: Database, shop: Shop) -> None:
    counter = TillCounter.__table__
    with db.transaction() as session:
        connection = session.connection()
        with pytest.raises(TypeError, match="Python-side default"):  # last_number's default=0
            Direct(insert(counter)).rows(connection, {"till_id": 1, "store_id": 1})
        with pytest.raises(TypeError, match="no value for till"):
            Direct(select(OUTBOX.c.id).where(OUTBOX.c.till_id == bindparam("till"))).rows(
                connection, {})
        with pytest.raises(TypeError, match="only Connection.execute"):
            Direct(select(OUTBOX.c.id).where(OUTBOX.c.till_id == bindparam(
                "till", literal_execute=True))).rows(connection, {"till": 1})


def test_a_statement_is_seen_by_whoever_listens_and_sent_as_core_sends_it(
        db: Database, shop: Shop) -> None:
    query = Direct(select(OUTBOX.c.id).where(OUTBOX.c.till_id == bindparam("till")))
    with statements(db) as sent, db.transaction() as session:
        query.rows(session.connection(), {"till": shop.till_id})
    assert [sql for sql in sent if "fiscal_outbox" in sql] == [
        "SELECT fiscal_outbox.id FROM fiscal_outbox WHERE fiscal_outbox.till_id = "
        + ("?" if db.dialect == "sqlite" else "%(till)s::BIGINT")]
    if db.dialect != "sqlite":
        return
    traced: list[str] = []  # what the driver itself ran, unseen by SQLAlchemy's events
    with db.transaction() as session:
        driver = session.connection().connection.driver_connection
        driver.set_trace_callback(traced.append)  # type: ignore[union-attr]
        try:
            query.rows(session.connection(), {"till": shop.till_id})
        finally:
            driver.set_trace_callback(None)  # type: ignore[union-attr]
    assert [" ".join(sql.split()) for sql in traced] == [
        f"SELECT fiscal_outbox.id FROM fiscal_outbox WHERE fiscal_outbox.till_id = {shop.till_id}"]


def test_a_textual_statements_rows_are_named_by_the_driver(db: Database) -> None:
    with db.read_connection() as connection:
        rows = Direct(text("SELECT 7 AS seven, 'семь' AS word")).rows(connection)
    assert rows == [(7, "семь")] and rows[0].word == "семь"


@pytest.mark.parametrize("count", [0, 1, 3])
def test_an_in_list_is_written_out_for_its_values(db: Database, shop: Shop, count: int) -> None:
    query = Direct(select(OUTBOX.c.number).where(
        OUTBOX.c.number.in_(bindparam("numbers", expanding=True)),
        OUTBOX.c.till_id == bindparam("till")).order_by(OUTBOX.c.number))
    with db.transaction() as session:
        connection = session.connection()
        connection.execute(insert(OUTBOX), [entry(shop, n) for n in (931, 932, 933, 934)])
        wanted = [934, 931, 999][:count]
        found = [row.number for row in query.rows(connection, {"numbers": wanted,
                                                               "till": shop.till_id})]
        again = query.scalar(connection, {"numbers": [932], "till": shop.till_id})
    assert found == sorted(n for n in wanted if n != 999) and again == 932
