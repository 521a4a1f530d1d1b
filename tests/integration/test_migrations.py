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
