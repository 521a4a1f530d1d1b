"""gift certificate types: whether a refund that cannot go back on the certificate is cash

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('gift_certificate_types') as batch:
        batch.add_column(sa.Column('is_cash_refund_allowed', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('gift_certificate_types') as batch:
        batch.drop_column('is_cash_refund_allowed')
