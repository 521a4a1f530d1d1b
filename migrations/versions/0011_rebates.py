"""rebates: wholesale customers and their account, partners, agreements, bases, claims, funds

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 21:17:34.406218
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pos.core.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('rebate_bases',
    sa.Column('series_id', sa.BigInteger(), nullable=False),
    sa.Column('period_key', sa.String(length=8), nullable=False),
    sa.Column('gross_minor', sa.BigInteger(), nullable=False),
    sa.Column('net_minor', sa.BigInteger(), nullable=False),
    sa.Column('quantity_milli', sa.BigInteger(), nullable=False),
    sa.Column('paid_minor', sa.BigInteger(), nullable=False),
    sa.Column('billback_minor', sa.BigInteger(), nullable=False),
    sa.Column('lines', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('series_id', 'period_key', name=op.f('pk_rebate_bases'))
    )
    op.create_table('rebate_billbacks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('series_id', sa.BigInteger(), nullable=False),
    sa.Column('period_key', sa.String(length=8), nullable=False),
    sa.Column('receipt_id', sa.BigInteger(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_billbacks'))
    )
    with op.batch_alter_table('rebate_billbacks', schema=None) as batch_op:
        batch_op.create_index('ix_rebate_billbacks_series_period', ['series_id', 'period_key'], unique=False)

    op.create_table('rebate_funds',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('claimed_minor', sa.BigInteger(), nullable=False),
    sa.Column('settled_minor', sa.BigInteger(), nullable=False),
    sa.Column('created_at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_funds'))
    )
    op.create_table('rebate_settlements',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('series_id', sa.BigInteger(), nullable=False),
    sa.Column('period_key', sa.String(length=8), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=True),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_settlements'))
    )
    with op.batch_alter_table('rebate_settlements', schema=None) as batch_op:
        batch_op.create_index('ix_rebate_settlements_series_period', ['series_id', 'period_key'], unique=False)

    op.create_table('wholesale_customers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('legal_name', sa.String(length=200), nullable=False),
    sa.Column('tax_id', sa.String(length=32), nullable=True),
    sa.Column('segment', sa.String(length=64), nullable=True),
    sa.Column('parent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('credit_limit_minor', sa.BigInteger(), nullable=False),
    sa.Column('payment_terms_days', sa.Integer(), nullable=False),
    sa.Column('debt_minor', sa.BigInteger(), nullable=False),
    sa.Column('credit_minor', sa.BigInteger(), nullable=False),
    sa.Column('created_at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['wholesale_customers.id'], name=op.f('fk_wholesale_customers_parent_id_wholesale_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wholesale_customers')),
    sa.UniqueConstraint('code', name=op.f('uq_wholesale_customers_code'))
    )
    with op.batch_alter_table('wholesale_customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wholesale_customers_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wholesale_customers_segment'), ['segment'], unique=False)

    op.create_table('rebate_agreements',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('series_id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('include_children', sa.Boolean(), nullable=False),
    sa.Column('customer_segment', sa.String(length=64), nullable=True),
    sa.Column('period_type', sa.String(length=8), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('measure', sa.String(length=8), nullable=False),
    sa.Column('is_net', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('item_segments', sa.JSON(), nullable=False),
    sa.Column('mode', sa.String(length=8), nullable=False),
    sa.Column('rate_kind', sa.String(length=8), nullable=False),
    sa.Column('plan_minor', sa.BigInteger(), nullable=True),
    sa.Column('tiers', sa.JSON(), nullable=False),
    sa.Column('cap_percent', sa.Numeric(precision=7, scale=3), nullable=True),
    sa.Column('compensation_minor', sa.BigInteger(), nullable=False),
    sa.Column('lump_sum_minor', sa.BigInteger(), nullable=False),
    sa.Column('requires_no_overdue', sa.Boolean(), nullable=False),
    sa.Column('settlement', sa.String(length=16), nullable=False),
    sa.Column('gift_sku', sa.String(length=64), nullable=True),
    sa.Column('funds', sa.JSON(), nullable=False),
    sa.Column('created_at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved_at', pos.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['wholesale_customers.id'], name=op.f('fk_rebate_agreements_customer_id_wholesale_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_agreements')),
    sa.UniqueConstraint('series_id', 'version', name=op.f('uq_rebate_agreements_series_id_version'))
    )
    with op.batch_alter_table('rebate_agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rebate_agreements_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rebate_agreements_customer_segment'), ['customer_segment'], unique=False)
        batch_op.create_index(batch_op.f('ix_rebate_agreements_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rebate_agreements_status'), ['status'], unique=False)

    op.create_table('wholesale_account_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('receipt_id', sa.BigInteger(), nullable=True),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['wholesale_customers.id'], name=op.f('fk_wholesale_account_entries_customer_id_wholesale_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wholesale_account_entries'))
    )
    with op.batch_alter_table('wholesale_account_entries', schema=None) as batch_op:
        batch_op.create_index('ix_wholesale_account_entries_customer', ['customer_id', 'account'], unique=False)

    op.create_table('wholesale_partners',
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['wholesale_customers.id'], name=op.f('fk_wholesale_partners_customer_id_wholesale_customers')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_wholesale_partners_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_wholesale_partners'))
    )
    with op.batch_alter_table('wholesale_partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wholesale_partners_customer_id'), ['customer_id'], unique=False)

    op.create_table('rebate_claims',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('series_id', sa.BigInteger(), nullable=False),
    sa.Column('agreement_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=True),
    sa.Column('period_key', sa.String(length=8), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('is_adjustment', sa.Boolean(), nullable=False),
    sa.Column('base_minor', sa.BigInteger(), nullable=False),
    sa.Column('quantity_milli', sa.BigInteger(), nullable=False),
    sa.Column('premium_minor', sa.BigInteger(), nullable=False),
    sa.Column('compensation_minor', sa.BigInteger(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('calculated_at', pos.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved_at', pos.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['rebate_agreements.id'], name=op.f('fk_rebate_claims_agreement_id_rebate_agreements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_claims')),
    sa.UniqueConstraint('series_id', 'period_key', 'seq', name=op.f('uq_rebate_claims_series_id_period_key_seq'))
    )
    with op.batch_alter_table('rebate_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rebate_claims_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rebate_claims_period_key'), ['period_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_rebate_claims_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rebate_claims_status'), ['status'], unique=False)



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('rebate_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rebate_claims_status'))
        batch_op.drop_index(batch_op.f('ix_rebate_claims_series_id'))
        batch_op.drop_index(batch_op.f('ix_rebate_claims_period_key'))
        batch_op.drop_index(batch_op.f('ix_rebate_claims_customer_id'))

    op.drop_table('rebate_claims')
    with op.batch_alter_table('wholesale_partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wholesale_partners_customer_id'))

    op.drop_table('wholesale_partners')
    with op.batch_alter_table('wholesale_account_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_wholesale_account_entries_customer')

    op.drop_table('wholesale_account_entries')
    with op.batch_alter_table('rebate_agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rebate_agreements_status'))
        batch_op.drop_index(batch_op.f('ix_rebate_agreements_series_id'))
        batch_op.drop_index(batch_op.f('ix_rebate_agreements_customer_segment'))
        batch_op.drop_index(batch_op.f('ix_rebate_agreements_customer_id'))

    op.drop_table('rebate_agreements')
    with op.batch_alter_table('wholesale_customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wholesale_customers_segment'))
        batch_op.drop_index(batch_op.f('ix_wholesale_customers_parent_id'))

    op.drop_table('wholesale_customers')
    with op.batch_alter_table('rebate_settlements', schema=None) as batch_op:
        batch_op.drop_index('ix_rebate_settlements_series_period')

    op.drop_table('rebate_settlements')
    op.drop_table('rebate_funds')
    with op.batch_alter_table('rebate_billbacks', schema=None) as batch_op:
        batch_op.drop_index('ix_rebate_billbacks_series_period')

    op.drop_table('rebate_billbacks')
    op.drop_table('rebate_bases')
