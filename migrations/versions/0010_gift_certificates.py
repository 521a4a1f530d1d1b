"""gift certificates: types, batches, certificates, their ledger; certificate lines on receipts

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 21:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pos.core.db

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('gift_certificate_types',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('face_value_minor', sa.BigInteger(), nullable=True),
    sa.Column('min_minor', sa.BigInteger(), nullable=False),
    sa.Column('max_minor', sa.BigInteger(), nullable=False),
    sa.Column('valid_days', sa.Integer(), nullable=False),
    sa.Column('is_partial_allowed', sa.Boolean(), nullable=False),
    sa.Column('cash_out_below_minor', sa.BigInteger(), nullable=False),
    sa.Column('is_points_purchasable', sa.Boolean(), nullable=False),
    sa.Column('refund_grace_days', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gift_certificate_types')),
    sa.UniqueConstraint('code', name=op.f('uq_gift_certificate_types_code'))
    )
    op.create_table('gift_certificate_batches',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('type_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('face_value_minor', sa.BigInteger(), nullable=False),
    sa.Column('created_at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['type_id'], ['gift_certificate_types.id'], name=op.f('fk_gift_certificate_batches_type_id_gift_certificate_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gift_certificate_batches'))
    )
    op.create_table('gift_certificates',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('type_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('batch_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('serial', sa.String(length=32), nullable=True),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('last4', sa.String(length=4), nullable=False),
    sa.Column('seed', sa.LargeBinary(length=16), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('face_minor', sa.BigInteger(), nullable=False),
    sa.Column('balance_minor', sa.BigInteger(), nullable=False),
    sa.Column('store_id', sa.BigInteger(), nullable=True),
    sa.Column('sold_receipt_id', sa.BigInteger(), nullable=True),
    sa.Column('sold_line_no', sa.Integer(), nullable=True),
    sa.Column('created_at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('activated_at', pos.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', pos.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['gift_certificate_batches.id'], name=op.f('fk_gift_certificates_batch_id_gift_certificate_batches')),
    sa.ForeignKeyConstraint(['type_id'], ['gift_certificate_types.id'], name=op.f('fk_gift_certificates_type_id_gift_certificate_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gift_certificates')),
    sa.UniqueConstraint('digest', name=op.f('uq_gift_certificates_digest')),
    sa.UniqueConstraint('serial', name=op.f('uq_gift_certificates_serial')),
    sa.UniqueConstraint('sold_receipt_id', 'sold_line_no', name=op.f('uq_gift_certificates_sold_receipt_id_sold_line_no'))
    )
    with op.batch_alter_table('gift_certificates', schema=None) as batch_op:
        batch_op.create_index('ix_gift_certificates_type_store_state', ['type_id', 'store_id', 'state'], unique=False)

    op.create_table('gift_certificate_ledger',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('certificate_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('receipt_id', sa.BigInteger(), nullable=True),
    sa.Column('payment_seq', sa.Integer(), nullable=True),
    sa.Column('store_id', sa.BigInteger(), nullable=True),
    sa.Column('shift_id', sa.BigInteger(), nullable=True),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['gift_certificates.id'], name=op.f('fk_gift_certificate_ledger_certificate_id_gift_certificates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gift_certificate_ledger'))
    )
    with op.batch_alter_table('gift_certificate_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gift_certificate_ledger_certificate_id'), ['certificate_id'], unique=False)
        batch_op.create_index('ix_gift_certificate_ledger_receipt', ['receipt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gift_certificate_ledger_shift_id'), ['shift_id'], unique=False)

    with op.batch_alter_table('receipt_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_type_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('certificate_id', sa.BigInteger(), nullable=True))



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('receipt_lines', schema=None) as batch_op:
        batch_op.drop_column('certificate_id')
        batch_op.drop_column('certificate_type_id')

    with op.batch_alter_table('gift_certificate_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gift_certificate_ledger_shift_id'))
        batch_op.drop_index('ix_gift_certificate_ledger_receipt')
        batch_op.drop_index(batch_op.f('ix_gift_certificate_ledger_certificate_id'))

    op.drop_table('gift_certificate_ledger')
    with op.batch_alter_table('gift_certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_gift_certificates_type_store_state')

    op.drop_table('gift_certificates')
    op.drop_table('gift_certificate_batches')
    op.drop_table('gift_certificate_types')
