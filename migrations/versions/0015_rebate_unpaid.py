"""rebates: a customer's card and block; the qualifying share of its debt per agreement

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 22:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
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
    with op.batch_alter_table('wholesale_customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('card_code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('is_blocked', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_unique_constraint(batch_op.f('uq_wholesale_customers_card_code'),
                                          ['card_code'])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('wholesale_customers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_wholesale_customers_card_code'), type_='unique')
        batch_op.drop_column('is_blocked')
        batch_op.drop_column('card_code')
    op.drop_table('rebate_unpaid')
