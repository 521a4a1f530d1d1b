"""catalog: a version token that every write to the catalog, stores or tills changes.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 03:20:00.000000

Triggers change the token in the writing transaction, so a worker's copy of the catalog is
never used once the catalog changed, whoever wrote it (API, importer, a hand-run script).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# Stores and tills too: a store's price type and time zone decide its prices, and a worker
# keeps tills with their stores beside the items.
TABLES = ('items', 'prices', 'segments', 'item_segments', 'price_groups', 'stores', 'tills')

# SQLite has only row triggers; one statement writing many rows changes the token per row,
# which costs a write of one row each (imports are not a hot path).
_SQLITE_BUMP = ("INSERT OR REPLACE INTO catalog_version (id, token) "
                "VALUES (1, lower(hex(randomblob(16))))")

_POSTGRES_FUNCTION = """
CREATE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO catalog_version (id, token)
    VALUES (1, md5(random()::text || clock_timestamp()::text))
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('catalog_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_version'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_POSTGRES_FUNCTION)
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_catalog_version AFTER INSERT OR UPDATE OR DELETE "
                       f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                       f"EXECUTE FUNCTION bump_catalog_version()")
        return
    for table in TABLES:
        for event in ('INSERT', 'UPDATE', 'DELETE'):
            op.execute(f"CREATE TRIGGER {table}_catalog_version_{event.lower()} AFTER {event} "
                       f"ON {table} BEGIN {_SQLITE_BUMP}; END")


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_catalog_version ON {table}")
        op.execute("DROP FUNCTION bump_catalog_version()")
    else:
        for table in TABLES:
            for event in ('insert', 'update', 'delete'):
                op.execute(f"DROP TRIGGER {table}_catalog_version_{event}")
    op.drop_table('catalog_version')
