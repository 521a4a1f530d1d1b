"""journal verify: find a till's cash movements, Z reports and outbox rows by number

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 16:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    # `pos journal verify` asks, page by page of the journal, for a till's documents and
    # outbox rows numbered in a range; without these it would scan each table once a page.
    op.create_index('ix_cash_movements_store_till_number', 'cash_movements',
                    ['store_id', 'till_id', 'number'])
    op.create_index('ix_shifts_store_till_z_number', 'shifts', ['store_id', 'till_id', 'z_number'])
    op.create_index('ix_fiscal_outbox_till_number', 'fiscal_outbox', ['till_id', 'number'])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index('ix_fiscal_outbox_till_number', table_name='fiscal_outbox')
    op.drop_index('ix_shifts_store_till_z_number', table_name='shifts')
    op.drop_index('ix_cash_movements_store_till_number', table_name='cash_movements')
