"""The schema is Alembic's: up to head and down to base on both databases, and no drift."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from pos.core import migrate
from pos.core.db import Database
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
