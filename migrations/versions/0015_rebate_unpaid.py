"""rebates: the qualifying share of a customer's debt on account, per payment-based agreement

Revision ID: 0015
Revises: 0011
Create Date: 2026-11-30 22:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('rebate_unpaid',
    sa.Column('series_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('series_id', 'customer_id', name=op.f('pk_rebate_unpaid'))
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table('rebate_unpaid')
