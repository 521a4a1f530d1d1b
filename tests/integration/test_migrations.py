"""The schema is Alembic's: up to head and down to base on both databases, and no drift."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import bindparam, inspect, select, text
from sqlalchemy.exc import IntegrityError

from pos.core import migrate
from pos.core.db import Database, UTCDateTime
from pos.models import metadata


def test_models_and_migrations_agree(database_url):
    db = Database(database_url)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    db.dispose()
    assert diff == []


def test_migrating_down_to_base_and_up_again(database_url):
    migrate.downgrade(database_url, "base")
    db = Database(database_url)
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(database_url)
    assert set(metadata.tables) <= set(inspect(db.engine).get_table_names())
    assert "(head)" in migrate.current(database_url)
    db.dispose()


def test_the_blind_close_columns_come_and_go_with_stores_and_tills_in_place(db, shop):
    url = db.url
    migrate.downgrade(url, "0003")
    columns = {c["name"] for c in inspect(Database(url).engine).get_columns("stores")}
    assert "blind_close" not in columns
    migrate.upgrade(url)
    with db.read() as session:
        from pos.stores.model import Store

        store = session.get(Store, shop.store_id)
        assert (store.blind_close, store.blind_recounts) == (False, 1)
        assert len(store.tills) == 2


VERIFY_INDEXES = {"cash_movements": "ix_cash_movements_store_till_number",
                  "shifts": "ix_shifts_store_till_z_number",
                  "fiscal_outbox": "ix_fiscal_outbox_till_number"}


def _verify_indexes(url):
    engine = Database(url).engine
    try:
        return {table: name in {ix["name"] for ix in inspect(engine).get_indexes(table)}
                for table, name in VERIFY_INDEXES.items()}
    finally:
        engine.dispose()


def test_the_journal_verify_indexes_come_and_go_with_the_journal_in_place(db, registry, shop,
                                                                           fixed_clock):
    from pos.journal.service import verify
    from tests.integration.test_journal import sell_a_day

    sell_a_day(db, registry, shop, fixed_clock.now())
    migrate.downgrade(db.url, "0004")
    assert _verify_indexes(db.url) == dict.fromkeys(VERIFY_INDEXES, False)
    migrate.upgrade(db.url)
    assert _verify_indexes(db.url) == dict.fromkeys(VERIFY_INDEXES, True)
    assert verify(db, registry.journal_checks, shop.till_id).tills[0].entries == 6


def test_upgrading_gives_every_existing_user_but_admins_every_existing_store(db, shop):
    url = db.url
    migrate.downgrade(url, "0007")
    assert "user_stores" not in inspect(Database(url).engine).get_table_names()
    migrate.upgrade(url)
    with db.read() as session:
        from pos.auth.model import User
        from pos.stores.model import Store

        users = {u.username: (u.store_ids, u.till_ids) for u in session.scalars(select(User))}
        every = sorted(session.scalars(select(Store.id)))
    assert users == {"cashier": (every, []), "manager": (every, []), "admin": ([], []),
                     "holder": (every, [])}


def test_a_table_rebuilt_by_a_migration_keeps_the_rows_that_point_at_it(db, shop, api, till):
    # SQLite changes receipt_lines (0010 adds a column with a key) by copying it into a new
    # table and dropping the old one, which a return's line points at (its sale's line).
    till.open_shift()
    sale = till.ok(till.checkout([{"sku": "OAT-MILK-1L", "quantity": "2"}],
                                 [{"type": "cash", "amount": "299.80"}], view="full"), 201)
    returned = till.ok(api.post("/api/v1/returns", json={
        "till_id": till.till_id, "original_receipt_id": sale["id"],
        "lines": [{"line_no": 1, "quantity": "1"}]}), 201)
    migrate.downgrade(db.url, "0009")
    migrate.upgrade(db.url)
    with db.read() as session:
        from pos.receipts.model import ReceiptLine

        lines = {(line.receipt_id, line.line_no): line for line in session.scalars(
            select(ReceiptLine).where(ReceiptLine.receipt_id.in_((sale["id"], returned["id"]))))}
        assert lines[(returned["id"], 1)].original_line_id == lines[(sale["id"], 1)].id
        if db.dialect == "sqlite":  # every key holds after the copy
            assert session.execute(text("PRAGMA foreign_key_check")).all() == []


def test_a_cards_purchase_days_become_its_has_bought_and_a_customers_stay(db, shop, api):
    # 0024: a card keeps whether it has bought itself; the days kept under its number go.
    from tests.helpers import issue_card

    bought, never = issue_card(api), issue_card(api)
    migrate.downgrade(db.url, "0023")
    engine = Database(db.url).engine
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO purchase_days (buyer, day, amount_minor) VALUES "
            "(:card, '2026-11-20', 14990), ('customer:C-1', '2026-11-20', 8990)"),
            {"card": f"card:{bought}"})
    engine.dispose()
    migrate.upgrade(db.url)
    with db.read() as session:
        from loyalty.cards.model import Card

        assert dict(session.execute(select(Card.number, Card.has_bought).where(
            Card.number.in_((bought, never)))).all()) == {bought: True, never: False}
        assert session.execute(text("SELECT buyer FROM purchase_days")).scalars().all() \
            == ["customer:C-1"]
    # and down again: the card that bought has a day, so it is no newcomer to 0023's code
    migrate.downgrade(db.url, "0023")
    engine = Database(db.url).engine
    with engine.connect() as connection:
        assert set(connection.execute(text("SELECT buyer FROM purchase_days")).scalars()) \
            == {"customer:C-1", f"card:{bought}"}
    engine.dispose()
    migrate.upgrade(db.url)


def test_an_entry_key_stays_unique_through_0025_up_and_down(db, shop, api):
    # 0025: the key is unique with its receipt and payment, in the index finding a receipt's
    # entries; the card types get a version token.
    from tests.helpers import issue_card

    number = issue_card(api)
    migrate.downgrade(db.url, "0024")
    entry = ("INSERT INTO loyalty_entries (card_id, at, kind, delta_cp, pending_delta_cp, "
             "debt_delta_cp, receipt_id, payment_seq, once_key) SELECT id, "
             "'2026-11-20 10:00:00', :kind, 100, 0, 0, :receipt, :seq, :key "
             "FROM loyalty_cards WHERE number = :number")
    engine = Database(db.url).engine
    with engine.begin() as connection:
        for kind, seq, key in (("earn", 0, "earn:7"), ("spend", 1, None), ("spend", 1, None)):
            connection.execute(text(entry), {"kind": kind, "receipt": 7, "seq": seq,
                                             "key": key, "number": number})
    engine.dispose()

    def indexes() -> set[str]:
        engine = Database(db.url).engine
        names = {index["name"] for index in inspect(engine).get_indexes("loyalty_entries")}
        engine.dispose()
        return names

    def insert(receipt: int) -> None:
        engine = Database(db.url).engine
        try:
            with engine.begin() as connection:
                connection.execute(text(entry), {"kind": "earn", "receipt": receipt, "seq": 0,
                                                 "key": "earn:7", "number": number})
        finally:
            engine.dispose()

    migrate.upgrade(db.url)
    assert {"uq_loyalty_entries_receipt_key", "ix_loyalty_entries_card_id"} <= indexes()
    assert not {"uq_loyalty_entries_once_key", "ix_loyalty_entries_receipt"} & indexes()
    with db.read() as session:
        token = session.execute(text("SELECT token FROM loyalty_card_types_version")).scalar()
        assert len(token) == 32
        assert session.execute(text("SELECT count(*) FROM loyalty_entries WHERE receipt_id = 7"
                                    )).scalar() == 3
    with pytest.raises(IntegrityError):
        insert(7)
    migrate.downgrade(db.url, "0024")
    assert {"uq_loyalty_entries_once_key", "ix_loyalty_entries_receipt"} <= indexes()
    with pytest.raises(IntegrityError):
        insert(8)  # the key alone is unique again
    migrate.upgrade(db.url)


def test_a_cards_next_due_is_taken_from_its_lots_by_0026(db, shop, api):
    from datetime import UTC, datetime

    from loyalty.cards.model import Card
    from tests.helpers import issue_card

    lots, none = issue_card(api), issue_card(api)
    migrate.downgrade(db.url, "0025")
    lot = text("INSERT INTO loyalty_lots (card_id, source, amount_cp, remaining_cp, state, "
               "active_from, expires_at) SELECT id, 'earn', 100, :left, :state, :from_, :to "
               "FROM loyalty_cards WHERE number = :number").bindparams(
        bindparam("from_", type_=UTCDateTime()), bindparam("to", type_=UTCDateTime()))
    engine = Database(db.url).engine
    with engine.begin() as connection:
        for state, left, from_, to in (
                ("active", 100, (2026, 1, 1), (2027, 3, 1)),
                ("active", 0, (2026, 1, 1), (2026, 12, 1)),  # drawn
                ("spent", 0, (2026, 1, 1), (2026, 11, 1)),
                ("pending", 100, (2027, 2, 1), (2028, 2, 1))):
            connection.execute(lot, {"left": left, "state": state, "number": lots,
                                     "from_": datetime(*from_, 10, 0, tzinfo=UTC),
                                     "to": datetime(*to, 10, 0, tzinfo=UTC)})
    engine.dispose()
    migrate.upgrade(db.url)
    with db.read() as session:
        assert dict(session.execute(select(Card.number, Card.next_due_at).where(
            Card.number.in_((lots, none)))).all()) == {
            lots: datetime(2027, 2, 1, 10, 0, tzinfo=UTC), none: None}
