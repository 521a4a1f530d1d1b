"""A card's read asks whether lots are due by index ranges, never reading all its lots.

A card collects a lot with each sale it earns on: thousands, for a regular. Whether any of them
is due to activate or expire is asked on every read of the card by its holder and when it is
settled; one EXISTS of the two conditions OR-ed was answered on SQLite by reading every lot of
the card, and took 160 microseconds for a card of 1,100 lots instead of 20. The till's read
asks the card's own next due instant and reads no lot.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, select, text

from loyalty.points.at_till import _BY_NUMBER
from loyalty.points.jobs import due_exists
from loyalty.points.service import _WITH_DUE

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def lot_steps(db, statement, params) -> list[str]:  # type: ignore[no-untyped-def]
    """Return SQLite's plan steps that read loyalty_lots."""
    with db.read() as session:
        connection = session.connection()
        compiled = statement.compile(dialect=connection.dialect)
        driver = connection.connection.driver_connection
        values = compiled.construct_params(params)
        positional = [str(values[name]) for name in compiled.positiontup]
        return [step[3] for step in driver.execute(f"EXPLAIN QUERY PLAN {compiled}", positional)
                if "loyalty_lots" in step[3]]


def test_the_tills_read_of_a_card_reads_no_lot(db):
    if db.dialect != "sqlite":
        pytest.skip("SQLite's planner: PostgreSQL plans by its statistics")
    assert lot_steps(db, _BY_NUMBER.statement, {"number": "2900000000018", "now": NOW}) == []


@pytest.mark.parametrize("statement", [
    _WITH_DUE, select(due_exists(bindparam("card"), bindparam("now")))],
    ids=["balances", "settling"])
def test_due_lots_are_found_by_ranges_of_the_cards_index(db, statement):
    if db.dialect != "sqlite":
        pytest.skip("SQLite's planner: PostgreSQL plans by its statistics")
    steps = lot_steps(db, statement, {"number": "2900000000018", "card": 1, "now": NOW})
    assert len(steps) == 2, steps  # one per condition
    assert all("ix_loyalty_lots_card_state (card_id=? AND state=?" in step for step in steps), \
        steps


def test_the_read_says_a_card_is_due_for_either_reason(db, shop, manager):
    # the rewritten EXISTS still answers both: a pending lot due, an active lot expired
    from tests.loyalty.conftest import card_type, issue

    number = issue(manager, card_type(manager))
    with db.transaction() as session:
        card_id = session.execute(text("SELECT id FROM loyalty_cards WHERE number = :n"),
                                  {"n": number}).scalar_one()
    asked = select(due_exists(bindparam("card"), bindparam("now")))

    def due(state: str, active_from: str, expires_at: str) -> bool:
        with db.transaction() as session:
            session.execute(text("DELETE FROM loyalty_lots"))
            session.execute(text(
                "INSERT INTO loyalty_lots (card_id, source, amount_cp, remaining_cp, state, "
                "active_from, expires_at) VALUES (:card, 'earn', 100, 100, :state, :af, :ex)"),
                {"card": card_id, "state": state, "af": active_from, "ex": expires_at})
        with db.read() as session:
            return bool(session.scalar(asked, {"card": card_id, "now": NOW}))

    assert due("pending", "2026-11-22 08:00:00", "2027-11-22 08:00:00")
    assert not due("pending", "2026-11-22 10:00:00", "2027-11-22 10:00:00")
    assert due("active", "2025-11-01 08:00:00", "2026-11-22 08:00:00")
    assert not due("active", "2026-11-01 08:00:00", "2026-11-23 08:00:00")


def test_a_cards_lots_come_in_drawing_order_from_its_index_not_sorted(db, shop, manager):
    from loyalty.points.lots import _DATED_LOTS
    from tests.loyalty.conftest import card_type, issue

    number = issue(manager, card_type(manager))
    with db.transaction() as session:
        card_id = session.execute(text("SELECT id FROM loyalty_cards WHERE number = :n"),
                                  {"n": number}).scalar_one()
    statement = _DATED_LOTS.statement
    if db.dialect == "sqlite":
        steps = lot_steps(db, statement, {"card": card_id, "but": 0})
        assert steps and not any("TEMP B-TREE" in step for step in steps), steps
        return
    with db.transaction() as session:  # a regular's card: many lots, statistics taken
        session.execute(text(
            "INSERT INTO loyalty_lots (card_id, source, amount_cp, remaining_cp, state, "
            "active_from, expires_at) SELECT :card, 'earn', 100, 100, 'active', now(), "
            "now() + make_interval(days => n % 400) FROM generate_series(1, 3000) AS n"),
            {"card": card_id})
        session.execute(text("ANALYZE loyalty_lots"))
    with db.read() as session:
        sql = statement.params(card=card_id, but=0).compile(
            dialect=session.connection().dialect, compile_kwargs={"literal_binds": True})
        plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {sql}")))
    assert "ix_loyalty_lots_card_state" in plan and "Sort" not in plan, plan
