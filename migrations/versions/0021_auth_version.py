"""auth: a version token that every change of a user, their places or their tokens changes.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 10:30:00.000000

Each worker caches the principal behind a bearer token; it reads this token at most once a
second and forgets its cache when the token moved, so a logout, a password change, a user
made inactive or given other stores or tills reaches every worker within a second (it took
up to the cache's 30 s in workers other than the one that made the change). Triggers change
it in the writing transaction, whoever writes; inserting a token (a login) does not.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

# table -> the writes that change what a cached look-up would answer
TRIGGERS = {
    'users': ('UPDATE', 'DELETE'),
    'user_stores': ('INSERT', 'UPDATE', 'DELETE'),
    'user_tills': ('INSERT', 'UPDATE', 'DELETE'),
    'auth_tokens': ('UPDATE', 'DELETE'),
}

_SQLITE_BUMP = ("INSERT OR REPLACE INTO auth_version (id, token) "
                "VALUES (1, lower(hex(randomblob(16))))")

_POSTGRES_FUNCTION = """
CREATE FUNCTION bump_auth_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('pos.auth_version_bumped', true) = txid_current()::text THEN
        RETURN NULL;  -- once per transaction: its rows fire it one by one at the commit
    END IF;
    -- this transaction's id, not 'on': a session-wide setting cannot stop the writes
    PERFORM set_config('pos.auth_version_bumped', txid_current()::text, true);
    INSERT INTO auth_version (id, token)
    VALUES (1, md5(random()::text || clock_timestamp()::text))
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('auth_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_version'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_POSTGRES_FUNCTION)
        for table, events in TRIGGERS.items():
            # Deferred to the commit: the version's row is then the last lock a transaction
            # takes, so a logout (its token, then the version) and a password change (the
            # user, its tokens, then the version) never hold one and wait for the other.
            op.execute(f"CREATE CONSTRAINT TRIGGER {table}_auth_version AFTER "
                       f"{' OR '.join(events)} ON {table} DEFERRABLE INITIALLY DEFERRED "
                       f"FOR EACH ROW EXECUTE FUNCTION bump_auth_version()")
            op.execute(f"CREATE TRIGGER {table}_auth_version_truncate AFTER TRUNCATE ON "
                       f"{table} FOR EACH STATEMENT EXECUTE FUNCTION bump_auth_version()")
        return
    for table, events in TRIGGERS.items():
        for event in events:
            op.execute(f"CREATE TRIGGER {table}_auth_version_{event.lower()} AFTER {event} "
                       f"ON {table} BEGIN {_SQLITE_BUMP}; END")


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name == 'postgresql':
        for table in TRIGGERS:
            op.execute(f"DROP TRIGGER {table}_auth_version ON {table}")
            op.execute(f"DROP TRIGGER {table}_auth_version_truncate ON {table}")
        op.execute("DROP FUNCTION bump_auth_version()")
    else:
        for table, events in TRIGGERS.items():
            for event in events:
                op.execute(f"DROP TRIGGER {table}_auth_version_{event.lower()}")
    op.drop_table('auth_version')
