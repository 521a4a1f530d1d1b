"""loyalty: a card's lots in the order they are drawn, from their index on PostgreSQL too.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 12:00:00.000000

A spend draws a card's active lots oldest expiry first, then by id. The card's lot index was
(card, state, expiry): SQLite's indexes end in the rowid, so the order came from the index, but
PostgreSQL sorted every active lot of the card on each spend. The index ends in the lot's id.
"""

from __future__ import annotations

from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.drop_index('ix_loyalty_lots_card_state', table_name='loyalty_lots')
    op.create_index('ix_loyalty_lots_card_state', 'loyalty_lots',
                    ['card_id', 'state', 'expires_at', 'id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index('ix_loyalty_lots_card_state', table_name='loyalty_lots')
    op.create_index('ix_loyalty_lots_card_state', 'loyalty_lots',
                    ['card_id', 'state', 'expires_at'], unique=False)
