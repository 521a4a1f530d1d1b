"""loyalty one-time sign-in codes printed on receipts

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 22:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pos.core.db

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('loyalty_sign_in_codes',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('holder_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('receipt_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', pos.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['holder_id'], ['loyalty_holders.id'], name=op.f('fk_loyalty_sign_in_codes_holder_id_loyalty_holders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_loyalty_sign_in_codes')),
    sa.UniqueConstraint('receipt_id', name=op.f('uq_loyalty_sign_in_codes_receipt_id'))
    )
    with op.batch_alter_table('loyalty_sign_in_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loyalty_sign_in_codes_holder_id'), ['holder_id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('loyalty_sign_in_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loyalty_sign_in_codes_holder_id'))

    op.drop_table('loyalty_sign_in_codes')
