"""The auth version's triggers: what changes it, and no lock order they add between writers."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from pos.auth.model import AuthToken, AuthVersion, User
from pos.auth.service import auth_version
from pos.core.db import Database
from tests.helpers import PASSWORDS


def sign_in(client, username):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/login", json={"username": username,
                                                   "password": PASSWORDS[username]})


def test_a_login_leaves_it_and_a_logout_changes_it(client, shop, db):
    token = sign_in(client, "cashier").get_json()["token"]
    before = auth_version(db)
    assert sign_in(client, "manager").status_code == 200
    assert auth_version(db) == before
    client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert auth_version(db) not in (before, None)


def test_a_logout_and_a_password_change_at_once_do_not_deadlock(database_url, client, shop,
                                                                 db, fixed_clock):
    # A password change writes the user, then its tokens; a logout writes one of those tokens.
    # Both change the version: were its row locked at each write, not at the commit, the two
    # would each hold a row the other waits for.
    if db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time: no two transactions hold rows")
    for _ in range(2):
        sign_in(client, "cashier")
    with db.read() as session:
        user_id = session.scalar(select(User.id).where(User.username == "cashier"))
        first = session.scalar(select(AuthToken.id).where(AuthToken.user_id == user_id))
    now = fixed_clock.now()
    changer, logger = Database(database_url), Database(database_url)
    errors: list[Exception] = []
    token_taken, logout_may_commit = threading.Event(), threading.Event()

    def log_out() -> None:
        try:
            with logger.transaction() as session:
                session.execute(update(AuthToken).where(AuthToken.id == first)
                                .values(revoked_at=now))
                token_taken.set()
                logout_may_commit.wait(10)
        except Exception as error:  # noqa: BLE001 - asserted below
            errors.append(error)
            token_taken.set()

    def change_password() -> None:
        try:
            with changer.transaction() as session:
                session.execute(update(User).where(User.id == user_id)
                                .values(full_name="Cashier, renamed"))
                token_taken.wait(10)
                threading.Timer(0.3, logout_may_commit.set).start()
                session.execute(update(AuthToken).where(AuthToken.user_id == user_id)
                                .values(revoked_at=now + timedelta(seconds=1)))
        except Exception as error:  # noqa: BLE001 - asserted below
            errors.append(error)

    threads = [threading.Thread(target=change_password), threading.Thread(target=log_out)]
    threads[0].start()
    time.sleep(0.2)  # the user's row is written before the token is taken
    threads[1].start()
    for thread in threads:
        thread.join(20)
    changer.dispose()
    logger.dispose()
    assert errors == []
    with db.read() as session:
        assert session.scalar(select(AuthVersion.token)) is not None
        assert all(session.scalars(select(AuthToken.revoked_at)
                                   .where(AuthToken.user_id == user_id)))


# Every version trigger the migrations made; a later SQLite batch migration that rebuilds one
# of these tables drops its triggers silently, and this says so.
VERSION_TRIGGERS = {
    "auth_version": {"users", "user_stores", "user_tills", "auth_tokens"},
    "catalog_version": {"items", "prices", "segments", "item_segments", "price_groups",
                        "stores", "tills", "till_devices"},
}


def test_every_version_trigger_exists_at_the_head_revision(db):
    with db.read() as session:
        if db.dialect == "sqlite":
            rows = session.execute(text(
                "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
        else:
            rows = session.execute(text(
                "SELECT event_object_table, action_statement "
                "FROM information_schema.triggers")).all()
    for version, tables in VERSION_TRIGGERS.items():
        bumped = {table for table, body in rows if version in body or
                  f"bump_{version}" in body}
        assert tables <= bumped, (version, tables - bumped)
