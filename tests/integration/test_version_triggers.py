"""The version tokens' triggers: what changes them, and no lock order they add between writers."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from pos.auth.model import AuthToken, AuthVersion, User
from pos.auth.service import auth_version
from pos.catalog.model import CatalogVersion, Item, Price
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


def crossed(database_url, first, second, then):  # type: ignore[no-untyped-def]
    """Run two writers whose row locks cross; return what either raised.

    The first transaction runs ``first``; the second runs ``second`` and holds its rows; the
    first then runs ``then``, which waits for one of them; the second commits, then the first.
    Were a version's row locked at each write and not at the commit, the second would wait
    for it holding a row the first waits for: a deadlock.
    """
    one, two = Database(database_url), Database(database_url)
    errors: list[Exception] = []
    taken, may_commit = threading.Event(), threading.Event()

    def second_writer() -> None:
        try:
            with two.transaction() as session:
                second(session)
                taken.set()
                may_commit.wait(10)
        except Exception as error:  # noqa: BLE001 - returned to the test
            errors.append(error)
            taken.set()

    def first_writer() -> None:
        try:
            with one.transaction() as session:
                first(session)
                taken.wait(10)
                threading.Timer(0.3, may_commit.set).start()
                then(session)
        except Exception as error:  # noqa: BLE001 - returned to the test
            errors.append(error)

    threads = [threading.Thread(target=first_writer), threading.Thread(target=second_writer)]
    threads[0].start()
    time.sleep(0.2)  # the first writes before the second takes its row
    threads[1].start()
    for thread in threads:
        thread.join(20)
    one.dispose()
    two.dispose()
    return errors


def only_postgres(db):  # type: ignore[no-untyped-def]
    if db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time: no two transactions hold rows")


def test_a_logout_and_a_password_change_at_once_do_not_deadlock(database_url, client, shop,
                                                                 db, fixed_clock):
    # A password change writes the user, then its tokens; a logout writes one of those tokens.
    only_postgres(db)
    for _ in range(2):
        sign_in(client, "cashier")
    with db.read() as session:
        user_id = session.scalar(select(User.id).where(User.username == "cashier"))
        first = session.scalar(select(AuthToken.id).where(AuthToken.user_id == user_id))
    now = fixed_clock.now()
    errors = crossed(
        database_url,
        lambda s: s.execute(update(User).where(User.id == user_id)
                            .values(full_name="Cashier, renamed")),
        lambda s: s.execute(update(AuthToken).where(AuthToken.id == first)
                            .values(revoked_at=now)),
        lambda s: s.execute(update(AuthToken).where(AuthToken.user_id == user_id)
                            .values(revoked_at=now + timedelta(seconds=1))))
    assert errors == []
    with db.read() as session:
        assert session.scalar(select(AuthVersion.token)) is not None
        assert all(session.scalars(select(AuthToken.revoked_at)
                                   .where(AuthToken.user_id == user_id)))


def test_an_import_and_a_price_edit_at_once_do_not_deadlock(database_url, shop, db):
    # An import writes items, then prices; a manager's edit writes one of those prices.
    only_postgres(db)
    with db.read() as session:
        price = session.scalars(select(Price).order_by(Price.id)).first()
        assert price is not None
    before = catalog_token(db)
    errors = crossed(
        database_url,
        lambda s: s.execute(update(Item).where(Item.id != price.item_id)
                            .values(name=Item.name + " (imported)")),
        lambda s: s.execute(update(Price).where(Price.id == price.id)
                            .values(price_minor=price.price_minor + 100)),
        lambda s: s.execute(update(Price).values(price_minor=Price.price_minor + 1)))
    assert errors == []
    with db.read() as session:
        assert session.scalar(select(Price.price_minor).where(Price.id == price.id)) \
            == price.price_minor + 101
    assert catalog_token(db) != before


def catalog_token(db):  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.scalar(select(CatalogVersion.token))


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
    if db.dialect == "postgresql":  # at the commit, and TRUNCATE watched apart
        with db.read() as session:
            triggers = {name: (deferrable, deferred) for name, deferrable, deferred in
                        session.execute(text("SELECT tgname, tgdeferrable, tginitdeferred "
                                             "FROM pg_trigger WHERE NOT tgisinternal"))}
        for version, tables in VERSION_TRIGGERS.items():
            for table in tables:
                assert triggers[f"{table}_{version}"] == (True, True), table
                assert f"{table}_{version}_truncate" in triggers, table


def test_a_write_undone_to_a_savepoint_leaves_the_next_one_to_change_the_token(shop, db):
    # The function writes the token once per transaction; a savepoint rolled back undoes that
    # write and its mark alike, so a write after it still changes the token at the commit.
    only_postgres(db)
    before = catalog_token(db)
    with db.transaction() as session:
        savepoint = session.begin_nested()
        session.execute(update(Item).values(name=Item.name + " (tried)"))
        session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # its triggers fire now
        savepoint.rollback()
        session.execute(text("SET CONSTRAINTS ALL DEFERRED"))
        session.execute(update(Item).values(name=Item.name + " (kept)"))
    assert catalog_token(db) != before
