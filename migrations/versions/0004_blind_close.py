"""blind close: store settings and the recounts a shift has used

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 13:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    # Plain ALTER TABLE ... ADD/DROP COLUMN, which SQLite has: batch mode would copy the
    # stores table and drop the original, which its tills' foreign keys forbid.
    op.add_column('stores', sa.Column('blind_close', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.add_column('stores', sa.Column('blind_recounts', sa.Integer(),
                                      server_default=sa.text('1'), nullable=False))
    op.add_column('shifts', sa.Column('blind_recounts_used', sa.Integer(),
                                      server_default=sa.text('0'), nullable=False))


def downgrade() -> None:
    """Revert this revision."""
    op.drop_column('shifts', 'blind_recounts_used')
    op.drop_column('stores', 'blind_recounts')
    op.drop_column('stores', 'blind_close')
