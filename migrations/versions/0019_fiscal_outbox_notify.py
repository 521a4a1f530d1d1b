"""fiscal outbox: PostgreSQL wakes the device service by a trigger on the insert.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 09:00:00.000000

The service sent ``SELECT pg_notify('fiscal_outbox', till)`` after each outbox insert: a round
trip per closed receipt. A row trigger sends the same notice (delivered on commit, as before)
for every insert, whoever makes it. SQLite has no notifications: the device service polls it.
"""

from __future__ import annotations

from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("CREATE FUNCTION notify_fiscal_outbox() RETURNS trigger LANGUAGE plpgsql AS $$ "
               "BEGIN PERFORM pg_notify('fiscal_outbox', NEW.till_id::text); RETURN NULL; "
               "END $$")
    op.execute("CREATE TRIGGER fiscal_outbox_notify AFTER INSERT ON fiscal_outbox "
               "FOR EACH ROW EXECUTE FUNCTION notify_fiscal_outbox()")


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("DROP TRIGGER fiscal_outbox_notify ON fiscal_outbox")
    op.execute("DROP FUNCTION notify_fiscal_outbox()")
