"""user stores and tills: where each user works

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('user_stores',
    sa.Column('user_id', ID, nullable=False),
    sa.Column('store_id', ID, nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_user_stores_store_id_stores'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_stores_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'store_id', name=op.f('pk_user_stores'))
    )
    op.create_table('user_tills',
    sa.Column('user_id', ID, nullable=False),
    sa.Column('till_id', ID, nullable=False),
    sa.ForeignKeyConstraint(['till_id'], ['tills.id'], name=op.f('fk_user_tills_till_id_tills'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_tills_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'till_id', name=op.f('pk_user_tills'))
    )
    # An upgraded installation keeps working: every user but the admins (who see every store
    # anyway) works in every store that exists. Nobody is assigned to a till yet.
    op.execute("INSERT INTO user_stores (user_id, store_id) "
               "SELECT users.id, stores.id FROM users CROSS JOIN stores "
               "WHERE users.role <> 'admin'")


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table('user_tills')
    op.drop_table('user_stores')
