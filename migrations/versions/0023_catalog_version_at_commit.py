"""catalog version: on PostgreSQL, changed at the commit, once per transaction.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 11:30:00.000000

The version's row was written by a statement trigger after the first catalog write of a
transaction and stayed locked to its end: a catalog import (one transaction, many seconds)
blocked every other catalog write until it committed, and a manager's price edit that locked
its price before waiting for the version deadlocked with an import coming to that price. The
triggers are now deferred to the commit (constraint triggers, per row), so the version is the
last lock a transaction takes; the function writes it once per transaction. TRUNCATE, which a
constraint trigger cannot watch, keeps a statement trigger. SQLite has one writer at a time
and keeps its triggers.
"""

from __future__ import annotations

from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

TABLES = ('items', 'prices', 'segments', 'item_segments', 'price_groups', 'stores', 'tills',
          'till_devices')

_ONCE_PER_TRANSACTION = """
CREATE OR REPLACE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('pos.catalog_version_bumped', true) = txid_current()::text THEN
        RETURN NULL;
    END IF;
    -- this transaction's id, not 'on': a session-wide setting cannot stop the writes
    PERFORM set_config('pos.catalog_version_bumped', txid_current()::text, true);
    INSERT INTO catalog_version (id, token)
    VALUES (1, md5(random()::text || clock_timestamp()::text))
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END $$
"""

_EVERY_TIME = """
CREATE OR REPLACE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO catalog_version (id, token)
    VALUES (1, md5(random()::text || clock_timestamp()::text))
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    """Apply this revision."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(_ONCE_PER_TRANSACTION)
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_catalog_version ON {table}")
        op.execute(f"CREATE CONSTRAINT TRIGGER {table}_catalog_version AFTER INSERT OR UPDATE "
                   f"OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                   f"EXECUTE FUNCTION bump_catalog_version()")
        op.execute(f"CREATE TRIGGER {table}_catalog_version_truncate AFTER TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version()")


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_catalog_version_truncate ON {table}")
        op.execute(f"DROP TRIGGER {table}_catalog_version ON {table}")
        op.execute(f"CREATE TRIGGER {table}_catalog_version AFTER INSERT OR UPDATE OR DELETE "
                   f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                   f"EXECUTE FUNCTION bump_catalog_version()")
    op.execute(_EVERY_TIME)
