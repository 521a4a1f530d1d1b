"""receipt list: indexes for a till's receipts by state and by number

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-22 15:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    # GET /receipts filters by till (and state) newest first, or by till and number; the
    # existing (store_id, till_id, number) index needs the store, which a till's query lacks.
    op.create_index('ix_receipts_till_state_opened', 'receipts',
                    ['till_id', 'state', 'opened_at'])
    op.create_index('ix_receipts_till_number', 'receipts', ['till_id', 'number'])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index('ix_receipts_till_number', table_name='receipts')
    op.drop_index('ix_receipts_till_state_opened', table_name='receipts')
