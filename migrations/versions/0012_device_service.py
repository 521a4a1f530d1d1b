"""device service: till devices, the registrar's shifts, fiscal marks on receipts and outbox

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        'till_devices',
        sa.Column('id', ID, nullable=False),
        sa.Column('store_id', ID, nullable=False),
        sa.Column('till_id', ID, nullable=False),
        sa.Column('kind', sa.String(8), nullable=False),
        sa.Column('protocol', sa.String(16), nullable=False),
        sa.Column('url', sa.String(300), nullable=False),
        sa.Column('baudrate', sa.Integer(), nullable=False),
        sa.Column('bytesize', sa.Integer(), nullable=False),
        sa.Column('parity', sa.String(1), nullable=False),
        sa.Column('stopbits', sa.Integer(), nullable=False),
        sa.Column('timeout_ms', sa.Integer(), nullable=False),
        sa.Column('write_timeout_ms', sa.Integer(), nullable=False),
        sa.Column('retries', sa.Integer(), nullable=False),
        sa.Column('password', sa.Integer(), nullable=True),
        sa.Column('profile', sa.String(64), nullable=True),
        sa.Column('min_weight_g', sa.Integer(), nullable=True),
        sa.Column('options', sa.JSON(), nullable=False),
        sa.Column('is_enabled', sa.Boolean(), nullable=False),
        sa.Column('created_at', WHEN, nullable=False),
        sa.Column('updated_at', WHEN, nullable=False),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                                name=op.f('fk_till_devices_store_id_stores')),
        sa.ForeignKeyConstraint(['till_id'], ['tills.id'],
                                name=op.f('fk_till_devices_till_id_tills')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_till_devices')),
        sa.UniqueConstraint('till_id', 'kind', name=op.f('uq_till_devices_till_id_kind')),
    )
    op.create_index(op.f('ix_till_devices_store_id'), 'till_devices', ['store_id'])
    op.create_table(
        'device_shifts',
        sa.Column('shift_id', ID, nullable=False),
        sa.Column('store_id', ID, nullable=False),
        sa.Column('till_id', ID, nullable=False),
        sa.Column('device_shift_number', sa.BigInteger(), nullable=True),
        sa.Column('was_found_open', sa.Boolean(), nullable=False),
        sa.Column('open_document_number', sa.BigInteger(), nullable=True),
        sa.Column('close_document_number', sa.BigInteger(), nullable=True),
        sa.Column('close_fiscal_sign', sa.BigInteger(), nullable=True),
        sa.Column('device_figures', sa.JSON(), nullable=True),
        sa.Column('mismatches', sa.JSON(), nullable=False),
        sa.Column('opened_at', WHEN, nullable=True),
        sa.Column('closed_at', WHEN, nullable=True),
        sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'],
                                name=op.f('fk_device_shifts_shift_id_shifts')),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                                name=op.f('fk_device_shifts_store_id_stores')),
        sa.ForeignKeyConstraint(['till_id'], ['tills.id'],
                                name=op.f('fk_device_shifts_till_id_tills')),
        sa.PrimaryKeyConstraint('shift_id', name=op.f('pk_device_shifts')),
    )
    op.create_index(op.f('ix_device_shifts_store_id'), 'device_shifts', ['store_id'])
    op.create_table(
        'fiscal_corrections',
        sa.Column('id', ID, nullable=False),
        sa.Column('store_id', ID, nullable=False),
        sa.Column('till_id', ID, nullable=False),
        sa.Column('shift_id', ID, nullable=False),
        sa.Column('number', sa.BigInteger(), nullable=False),
        sa.Column('operation', sa.String(8), nullable=False),
        sa.Column('amount_minor', sa.BigInteger(), nullable=False),
        sa.Column('cash_minor', sa.BigInteger(), nullable=False),
        sa.Column('reason', sa.String(200), nullable=False),
        sa.Column('reference', sa.String(100), nullable=False),
        sa.Column('user_id', ID, nullable=False),
        sa.Column('created_at', WHEN, nullable=False),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                                name=op.f('fk_fiscal_corrections_store_id_stores')),
        sa.ForeignKeyConstraint(['till_id'], ['tills.id'],
                                name=op.f('fk_fiscal_corrections_till_id_tills')),
        sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'],
                                name=op.f('fk_fiscal_corrections_shift_id_shifts')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_fiscal_corrections_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fiscal_corrections')),
    )
    op.create_index(op.f('ix_fiscal_corrections_store_id'), 'fiscal_corrections', ['store_id'])
    # Plain ADD/DROP COLUMN (SQLite >= 3.35): a batch copy of ``receipts`` would drop the
    # table and cascade-delete its lines and payments.
    op.add_column('fiscal_outbox', sa.Column('running_number', sa.BigInteger(), nullable=True))
    op.add_column('fiscal_outbox', sa.Column('shift_number', sa.BigInteger(), nullable=True))
    op.add_column('fiscal_outbox', sa.Column('next_attempt_at', WHEN, nullable=True))
    for name in ('fiscal_document_number', 'fiscal_sign', 'fiscal_shift_number'):
        op.add_column('receipts', sa.Column(name, sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    for name in ('fiscal_shift_number', 'fiscal_sign', 'fiscal_document_number'):
        op.drop_column('receipts', name)
    for name in ('next_attempt_at', 'shift_number', 'running_number'):
        op.drop_column('fiscal_outbox', name)
    op.drop_index(op.f('ix_fiscal_corrections_store_id'), table_name='fiscal_corrections')
    op.drop_table('fiscal_corrections')
    op.drop_index(op.f('ix_device_shifts_store_id'), table_name='device_shifts')
    op.drop_table('device_shifts')
    op.drop_index(op.f('ix_till_devices_store_id'), table_name='till_devices')
    op.drop_table('till_devices')
