"""The tests' database state: the shop put back from its copy is the shop seeding writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from pos.auth.service import NewUser, create_user
from pos.core.db import Database
from pos.models import metadata
from tests.database_state import empty_tables, seeded_shop
from tests.helpers import Shop, seed_shop

# Hashes are salted afresh by every seeding; the token is rewritten by triggers at random.
_RANDOM = {"password_hash", "pin_hash", "token"}


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


def test_the_shop_put_back_from_its_copy_is_the_shop_seeding_writes(db, fixed_clock):
    now = fixed_clock.now()
    seeded = _state_after(db, now, seed_shop)
    _state_after(db, now, seeded_shop)  # the first may seed by the use cases and copy
    restored = _state_after(db, now, seeded_shop)
    assert restored[0] == seeded[0]
    assert restored[1] == seeded[1]
    assert sum(map(len, restored[1].values())) > 20
    assert restored[2] == seeded[2]  # the sequences stand where seeding left them


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
