"""loyalty: card types under a version token; an entry's key unique with its receipt.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 09:00:00.000000

A sale read its card joined to the card's type, every column of the type's terms with it. The
till now keeps each type's terms per worker under a token that changes with every new or
changed type (``loyalty_card_types_version``, read with the other version tokens), and a sale
reads the card alone.

Each ledger entry went into two indexes besides its card's: one finding a receipt's entries
(receipt, payment) and one keeping a key unique (``earn:<receipt>``...). A keyed entry names
the receipt and payment its key names, so one unique index on the three does both.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

_KEYED = sa.text("once_key IS NOT NULL")


def upgrade() -> None:
    """Apply this revision."""
    version = op.create_table(
        'loyalty_card_types_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_loyalty_card_types_version')))
    op.bulk_insert(version, [{"id": 1, "token": uuid.uuid4().hex}])
    op.create_index('uq_loyalty_entries_receipt_key', 'loyalty_entries',
                    ['receipt_id', 'payment_seq', 'once_key'], unique=True)
    op.drop_index('uq_loyalty_entries_once_key', table_name='loyalty_entries')
    op.drop_index('ix_loyalty_entries_receipt', table_name='loyalty_entries')


def downgrade() -> None:
    """Revert this revision."""
    op.create_index('ix_loyalty_entries_receipt', 'loyalty_entries',
                    ['receipt_id', 'payment_seq'])
    op.create_index('uq_loyalty_entries_once_key', 'loyalty_entries', ['once_key'],
                    unique=True, sqlite_where=_KEYED, postgresql_where=_KEYED)
    op.drop_index('uq_loyalty_entries_receipt_key', table_name='loyalty_entries')
    op.drop_table('loyalty_card_types_version')
