"""sqlite3 finds an adapter at once for None and booleans (``pos.core.db``): values unchanged."""

from __future__ import annotations

import sqlite3

import pos.core.db  # noqa: F401  (registers the adapters)


def test_none_is_bound_as_null_and_a_bool_as_its_integer() -> None:
    connection = sqlite3.connect(":memory:")
    row = connection.execute("SELECT typeof(?), ? IS NULL, typeof(?), ?, typeof(?), ?",
                             (None, None, True, True, False, False)).fetchone()
    assert row == ("null", 1, "integer", 1, "integer", 0)


def test_other_values_keep_their_own_binding() -> None:
    connection = sqlite3.connect(":memory:")
    row = connection.execute("SELECT typeof(?), typeof(?), typeof(?), typeof(?)",
                             (7, 1.5, "text", b"\x00\x01")).fetchone()
    assert row == ("integer", "real", "text", "blob")
