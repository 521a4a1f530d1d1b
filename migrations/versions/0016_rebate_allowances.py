"""rebates: a customer's allowance (a rebate settled as a discount) and its moves

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 00:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pos.core.db

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('rebate_allowances',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('series_id', sa.BigInteger(), nullable=False),
    sa.Column('period_key', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('granted_minor', sa.BigInteger(), nullable=False),
    sa.Column('used_minor', sa.BigInteger(), nullable=False),
    sa.Column('created_at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('used_minor <= granted_minor',
                       name=op.f('ck_rebate_allowances_used_within_granted')),
    sa.CheckConstraint('used_minor >= 0', name=op.f('ck_rebate_allowances_used_not_negative')),
    sa.ForeignKeyConstraint(['customer_id'], ['wholesale_customers.id'],
                            name=op.f('fk_rebate_allowances_customer_id_wholesale_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_allowances')),
    sa.UniqueConstraint('customer_id', 'series_id', 'period_key',
                        name=op.f('uq_rebate_allowances_customer_id_series_id_period_key'))
    )
    op.create_index(op.f('ix_rebate_allowances_customer_id'), 'rebate_allowances',
                    ['customer_id'], unique=False)
    op.create_table('rebate_allowance_moves',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('allowance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
              nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('receipt_id', sa.BigInteger(), nullable=True),
    sa.Column('shift_id', sa.BigInteger(), nullable=True),
    sa.Column('at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['allowance_id'], ['rebate_allowances.id'],
                            name=op.f('fk_rebate_allowance_moves_allowance_id_rebate_allowances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_allowance_moves'))
    )
    op.create_index(op.f('ix_rebate_allowance_moves_allowance_id'), 'rebate_allowance_moves',
                    ['allowance_id'], unique=False)
    op.create_index(op.f('ix_rebate_allowance_moves_shift_id'), 'rebate_allowance_moves',
                    ['shift_id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f('ix_rebate_allowance_moves_shift_id'), table_name='rebate_allowance_moves')
    op.drop_index(op.f('ix_rebate_allowance_moves_allowance_id'),
                  table_name='rebate_allowance_moves')
    op.drop_table('rebate_allowance_moves')
    op.drop_index(op.f('ix_rebate_allowances_customer_id'), table_name='rebate_allowances')
    op.drop_table('rebate_allowances')
