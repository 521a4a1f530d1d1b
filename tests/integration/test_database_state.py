"""The tests' database state: what is put back from a copy is what seeding (or the demo) writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from pos.auth.service import NewUser, create_user
from pos.core.db import Database
from pos.demo import load_demo
from pos.models import metadata
from tests.database_state import built_once, empty_tables, seeded_shop
from tests.helpers import Shop, seed_shop

# Drawn afresh by every build: salted hashes, version tokens, a receipt's client UUID (and the
# journal's documents, hashes and outbox payloads holding it), certificates' random seeds.
_RANDOM = {"password_hash", "pin_hash", "token", "client_uuid", "document", "hash", "prev_hash",
           "payload", "seed", "digest", "last4"}


def _rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.read() as session:
        return {table.name: sorted(
            (tuple("salted" if column.name in _RANDOM else value
                   for column, value in zip(table.c, row, strict=True))
             for row in session.execute(select(*table.c))), key=repr)
            for table in metadata.sorted_tables}


def _state_after(db: Database, now: datetime, seed: Any) -> tuple[Shop, Any, int]:
    """Empty, seed with ``seed``, and read every row and the id the next user gets."""
    empty_tables(db)
    shop = seed(db, now)
    rows = _rows(db)
    extra = create_user(db, NewUser("extra", "Eve Extra", "cashier", "extra-pass"), now=now,
                        actor_id=None)
    return shop, rows, extra.id


def _demo(db: Database, now: datetime) -> bool:
    return load_demo(db, now, item_count=30)


def _copied_demo(db: Database, now: datetime) -> bool:
    return built_once(db, ("demo", now), lambda: _demo(db, now))


@pytest.mark.parametrize(("build", "copied"), [(seed_shop, seeded_shop), (_demo, _copied_demo)],
                         ids=["shop", "demo"])
def test_what_is_put_back_from_a_copy_is_what_the_build_writes(app, db, fixed_clock, build,
                                                                copied):
    now = fixed_clock.now()
    with app.app_context():
        built = _state_after(db, now, build)
        _state_after(db, now, copied)  # the first may build and copy
        restored = _state_after(db, now, copied)
    assert restored[0] == built[0]
    assert restored[1] == built[1]
    assert sum(map(len, restored[1].values())) > 20
    assert restored[2] == built[2]  # the sequences stand where seeding left them


def test_a_database_a_fixture_wrote_to_is_seeded_by_the_use_cases(db, fixed_clock):
    now = fixed_clock.now()
    seeded_shop(db, now)
    empty_tables(db)
    create_user(db, NewUser("early", "Ed Early", "cashier", "early-pass"), now=now,
                actor_id=None)
    shop = seeded_shop(db, now)
    with db.read() as session:
        users = [row.username for row in session.execute(select(metadata.tables["users"]))]
    assert sorted(users) == ["admin", "cashier", "early", "holder", "manager"]
    assert shop.store_id > 0
