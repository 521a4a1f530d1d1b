"""Alembic environment: the project's metadata, SQLite-friendly batch mode."""

from __future__ import annotations

from alembic import context

from pos.core.db import make_engine
from pos.models import metadata

config = context.config


def run_migrations_offline() -> None:
    """Emit SQL without a connection."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on a live connection."""
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = make_engine(url)
    with engine.connect() as connection:
        is_sqlite = connection.dialect.name == "sqlite"
        if is_sqlite:
            # SQLite changes a table by copying it into a new one and dropping the old; with
            # foreign keys enforced, dropping a table that rows point at (a return's line at its
            # sale's line) fails. SQLite's own procedure: keys off outside the transaction, the
            # change, then a check that every key still holds before the commit.
            connection.connection.driver_connection.execute(  # type: ignore[union-attr]
                "PRAGMA foreign_keys=OFF")
        context.configure(connection=connection, target_metadata=metadata,
                          render_as_batch=is_sqlite, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
            if is_sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
