"""auth: an approval code may be issued for one till.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 11:00:00.000000

A manager reading a code out across the shop floor may tie it to the till it is for: used at
another till it approves nothing. Codes issued before (and those issued without a till) serve
any till in the manager's stores, as they did.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('approval_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('till_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                                      nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_approval_codes_till_id_tills'), 'tills',
                                    ['till_id'], ['id'], ondelete='CASCADE')


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('approval_codes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_approval_codes_till_id_tills'),
                                 type_='foreignkey')
        batch_op.drop_column('till_id')
