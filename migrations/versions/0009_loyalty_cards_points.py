"""loyalty cards and points: card types, holders, cards, lots, the ledger, earnings

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pos.core.db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('loyalty_card_types',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_discount', sa.Boolean(), nullable=False),
    sa.Column('is_bonus', sa.Boolean(), nullable=False),
    sa.Column('is_personal', sa.Boolean(), nullable=False),
    sa.Column('number_prefix', sa.String(length=8), nullable=False),
    sa.Column('next_serial', sa.BigInteger(), nullable=False),
    sa.Column('validity_days', sa.Integer(), nullable=True),
    sa.Column('earn_bp', sa.Integer(), nullable=False),
    sa.Column('segment_bp', sa.JSON(), nullable=False),
    sa.Column('campaigns', sa.JSON(), nullable=False),
    sa.Column('rounding', sa.String(length=8), nullable=False),
    sa.Column('is_fractional', sa.Boolean(), nullable=False),
    sa.Column('pending_days', sa.Integer(), nullable=False),
    sa.Column('expiry_days', sa.Integer(), nullable=True),
    sa.Column('point_value_minor', sa.Integer(), nullable=False),
    sa.Column('max_share_percent', sa.Integer(), nullable=False),
    sa.Column('tiers', sa.JSON(), nullable=False),
    sa.Column('created_at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loyalty_card_types')),
    sa.UniqueConstraint('code', name=op.f('uq_loyalty_card_types_code'))
    )
    op.create_table('loyalty_holders',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('has_consent', sa.Boolean(), nullable=False),
    sa.Column('pin_hash', sa.String(length=200), nullable=True),
    sa.Column('created_at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loyalty_holders'))
    )
    op.create_table('loyalty_cards',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.String(length=13), nullable=False),
    sa.Column('type_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('holder_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('block_reason', sa.String(length=200), nullable=True),
    sa.Column('replaced_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('accumulated_minor', sa.BigInteger(), nullable=False),
    sa.Column('balance_cp', sa.BigInteger(), nullable=False),
    sa.Column('pending_cp', sa.BigInteger(), nullable=False),
    sa.Column('debt_cp', sa.BigInteger(), nullable=False),
    sa.Column('issued_at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('activated_at', pos.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['holder_id'], ['loyalty_holders.id'], name=op.f('fk_loyalty_cards_holder_id_loyalty_holders')),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['loyalty_cards.id'], name=op.f('fk_loyalty_cards_replaced_by_id_loyalty_cards')),
    sa.ForeignKeyConstraint(['type_id'], ['loyalty_card_types.id'], name=op.f('fk_loyalty_cards_type_id_loyalty_card_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loyalty_cards')),
    sa.UniqueConstraint('number', name=op.f('uq_loyalty_cards_number'))
    )
    with op.batch_alter_table('loyalty_cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loyalty_cards_holder_id'), ['holder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_loyalty_cards_type_id'), ['type_id'], unique=False)

    op.create_table('loyalty_holder_tokens',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('holder_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['holder_id'], ['loyalty_holders.id'], name=op.f('fk_loyalty_holder_tokens_holder_id_loyalty_holders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_loyalty_holder_tokens'))
    )
    with op.batch_alter_table('loyalty_holder_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loyalty_holder_tokens_holder_id'), ['holder_id'], unique=False)

    op.create_table('loyalty_earnings',
    sa.Column('receipt_id', sa.BigInteger(), nullable=False),
    sa.Column('line_id', sa.BigInteger(), nullable=False),
    sa.Column('card_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('lot_id', sa.BigInteger(), nullable=True),
    sa.Column('earned_cp', sa.BigInteger(), nullable=False),
    sa.Column('sold_milli', sa.BigInteger(), nullable=False),
    sa.Column('returned_milli', sa.BigInteger(), nullable=False),
    sa.Column('reversed_cp', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['loyalty_cards.id'], name=op.f('fk_loyalty_earnings_card_id_loyalty_cards')),
    sa.PrimaryKeyConstraint('receipt_id', 'line_id', name=op.f('pk_loyalty_earnings'))
    )
    with op.batch_alter_table('loyalty_earnings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loyalty_earnings_card_id'), ['card_id'], unique=False)

    op.create_table('loyalty_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('card_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('delta_cp', sa.BigInteger(), nullable=False),
    sa.Column('pending_delta_cp', sa.BigInteger(), nullable=False),
    sa.Column('debt_delta_cp', sa.BigInteger(), nullable=False),
    sa.Column('receipt_id', sa.BigInteger(), nullable=True),
    sa.Column('payment_seq', sa.Integer(), nullable=True),
    sa.Column('amount_minor', sa.BigInteger(), nullable=True),
    sa.Column('shift_id', sa.BigInteger(), nullable=True),
    sa.Column('lot_id', sa.BigInteger(), nullable=True),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('once_key', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['card_id'], ['loyalty_cards.id'], name=op.f('fk_loyalty_entries_card_id_loyalty_cards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loyalty_entries')),
    sa.UniqueConstraint('once_key', name=op.f('uq_loyalty_entries_once_key'))
    )
    with op.batch_alter_table('loyalty_entries', schema=None) as batch_op:
        batch_op.create_index('ix_loyalty_entries_card_id', ['card_id', 'id'], unique=False)
        batch_op.create_index('ix_loyalty_entries_receipt', ['receipt_id', 'payment_seq'], unique=False)
        batch_op.create_index('ix_loyalty_entries_shift_id', ['shift_id'], unique=False)

    op.create_table('loyalty_lots',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('card_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('receipt_id', sa.BigInteger(), nullable=True),
    sa.Column('amount_cp', sa.BigInteger(), nullable=False),
    sa.Column('remaining_cp', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('active_from', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', pos.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['card_id'], ['loyalty_cards.id'], name=op.f('fk_loyalty_lots_card_id_loyalty_cards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loyalty_lots'))
    )
    with op.batch_alter_table('loyalty_lots', schema=None) as batch_op:
        batch_op.create_index('ix_loyalty_lots_card_state', ['card_id', 'state', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_loyalty_lots_receipt_id'), ['receipt_id'], unique=False)
        batch_op.create_index('ix_loyalty_lots_state_due', ['state', 'active_from'], unique=False)
        batch_op.create_index('ix_loyalty_lots_state_expires', ['state', 'expires_at'], unique=False)



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('loyalty_lots', schema=None) as batch_op:
        batch_op.drop_index('ix_loyalty_lots_state_expires')
        batch_op.drop_index('ix_loyalty_lots_state_due')
        batch_op.drop_index(batch_op.f('ix_loyalty_lots_receipt_id'))
        batch_op.drop_index('ix_loyalty_lots_card_state')

    op.drop_table('loyalty_lots')
    with op.batch_alter_table('loyalty_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_loyalty_entries_shift_id')
        batch_op.drop_index('ix_loyalty_entries_receipt')
        batch_op.drop_index('ix_loyalty_entries_card_id')

    op.drop_table('loyalty_entries')
    with op.batch_alter_table('loyalty_earnings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loyalty_earnings_card_id'))

    op.drop_table('loyalty_earnings')
    with op.batch_alter_table('loyalty_holder_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loyalty_holder_tokens_holder_id'))

    op.drop_table('loyalty_holder_tokens')
    with op.batch_alter_table('loyalty_cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loyalty_cards_type_id'))
        batch_op.drop_index(batch_op.f('ix_loyalty_cards_holder_id'))

    op.drop_table('loyalty_cards')
    op.drop_table('loyalty_holders')
    op.drop_table('loyalty_card_types')
