"""loyalty: a card knows it has bought; lots found by card only; no index on an entry's shift.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 09:00:00.000000

A sale with a card wrote a row of the discounts' purchase history (``purchase_days``, keyed
``card:<number>``) beside the card's own accumulated spend, which is what pricing reads for a
card. Only "first purchase" still read the days: the card now keeps that itself
(``has_bought``, set by the update its sale makes anyway), taken from the days it had, and
the card's days are dropped. Customers without a card keep their days.

Every lot went into two indexes by state that only the nightly jobs read (what is due across
cards): the jobs scan the lots instead, and a card's own lots stay indexed. A shift's entries
(X and Z reports) are found through its receipts, so an entry's shift needs no index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.add_column('loyalty_cards', sa.Column('has_bought', sa.Boolean(), nullable=False,
                                             server_default=sa.false()))
    op.execute("UPDATE loyalty_cards SET has_bought = true WHERE EXISTS ("
               "SELECT 1 FROM purchase_days WHERE purchase_days.buyer = "
               "'card:' || loyalty_cards.number)")
    op.execute("DELETE FROM purchase_days WHERE buyer LIKE 'card:%'")
    op.drop_index('ix_loyalty_lots_state_due', table_name='loyalty_lots')
    op.drop_index('ix_loyalty_lots_state_expires', table_name='loyalty_lots')
    op.drop_index('ix_loyalty_entries_shift_id', table_name='loyalty_entries')


def downgrade() -> None:
    """Revert this revision.

    A card that has bought gets a day of no amount back: what "first purchase" read before
    (its spend is the card's own, kept in ``accumulated_minor``).
    """
    op.execute("INSERT INTO purchase_days (buyer, day, amount_minor) "
               "SELECT 'card:' || number, CURRENT_DATE, 0 FROM loyalty_cards "
               "WHERE has_bought AND NOT EXISTS (SELECT 1 FROM purchase_days "
               "WHERE purchase_days.buyer = 'card:' || loyalty_cards.number)")
    op.create_index('ix_loyalty_entries_shift_id', 'loyalty_entries', ['shift_id'])
    op.create_index('ix_loyalty_lots_state_expires', 'loyalty_lots', ['state', 'expires_at'])
    op.create_index('ix_loyalty_lots_state_due', 'loyalty_lots', ['state', 'active_from'])
    with op.batch_alter_table('loyalty_cards', schema=None) as batch_op:
        batch_op.drop_column('has_bought')
