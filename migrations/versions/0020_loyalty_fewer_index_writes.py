"""loyalty: a partial unique index for keyed entries, no index on a lot's receipt.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 10:00:00.000000

A sale with a card writes a lot and one or two entries, and each index a row goes into is a
page more for the commit to write. Only keyed entries need a unique key (a spend's entry has
none: its NULL went into the index all the same), and no query finds a lot by its receipt (a
return finds it through ``loyalty_earnings``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

_KEYED = sa.text("once_key IS NOT NULL")


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('loyalty_lots', schema=None) as batch_op:
        batch_op.drop_index('ix_loyalty_lots_receipt_id')
    with op.batch_alter_table('loyalty_entries', schema=None) as batch_op:
        batch_op.drop_constraint('uq_loyalty_entries_once_key', type_='unique')
        batch_op.create_index('uq_loyalty_entries_once_key', ['once_key'], unique=True,
                              sqlite_where=_KEYED, postgresql_where=_KEYED)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('loyalty_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_loyalty_entries_once_key')
        batch_op.create_unique_constraint('uq_loyalty_entries_once_key', ['once_key'])
    with op.batch_alter_table('loyalty_lots', schema=None) as batch_op:
        batch_op.create_index('ix_loyalty_lots_receipt_id', ['receipt_id'], unique=False)
