"""catalog version: till devices change the token too.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 06:00:00.000000

A worker keeps which devices each till has beside its copy of the catalog (a close asks
whether to kick the cash drawer, an add-line whether to read the scale), so a device added,
changed or removed must change the token like a till does.
"""

from __future__ import annotations

from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

_SQLITE_BUMP = ("INSERT OR REPLACE INTO catalog_version (id, token) "
                "VALUES (1, lower(hex(randomblob(16))))")


def upgrade() -> None:
    """Apply this revision."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE TRIGGER till_devices_catalog_version AFTER INSERT OR UPDATE OR "
                   "DELETE OR TRUNCATE ON till_devices FOR EACH STATEMENT "
                   "EXECUTE FUNCTION bump_catalog_version()")
        return
    for event in ('INSERT', 'UPDATE', 'DELETE'):
        op.execute(f"CREATE TRIGGER till_devices_catalog_version_{event.lower()} AFTER {event} "
                   f"ON till_devices BEGIN {_SQLITE_BUMP}; END")


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER till_devices_catalog_version ON till_devices")
        return
    for event in ('insert', 'update', 'delete'):
        op.execute(f"DROP TRIGGER till_devices_catalog_version_{event}")
