"""loyalty: a card knows when its next lot falls due.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 12:00:00.000000

The till's read of a card asked its lots whether any was due to activate or expire (two
ranges of the card's lot index). The card now keeps the instant its next lot falls due
(``next_due_at``): a credit brings it forward to its lot's, settling the card's due lots sets
it from the lots again. Each card's is taken from its lots here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.add_column('loyalty_cards', sa.Column('next_due_at', sa.DateTime(timezone=True),
                                             nullable=True))
    lots = sa.table('loyalty_lots', sa.column('card_id'), sa.column('state'),
                    sa.column('active_from'), sa.column('expires_at'),
                    sa.column('remaining_cp'))
    cards = sa.table('loyalty_cards', sa.column('id'), sa.column('next_due_at'))
    pending = sa.select(sa.func.min(lots.c.active_from)).where(
        lots.c.card_id == cards.c.id, lots.c.state == 'pending').scalar_subquery()
    expiring = sa.select(sa.func.min(lots.c.expires_at)).where(
        lots.c.card_id == cards.c.id, lots.c.state == 'active',
        lots.c.remaining_cp > 0).scalar_subquery()
    has_lots = sa.select(lots.c.card_id).where(lots.c.card_id == cards.c.id).exists()
    op.execute(cards.update().where(has_lots).values(next_due_at=sa.case(
        (pending.is_(None), expiring), (expiring.is_(None), pending),
        (pending < expiring, pending), else_=expiring)))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('loyalty_cards', schema=None) as batch_op:
        batch_op.drop_column('next_due_at')
