"""The UTC datetime column's bind processor: one per dialect, remembering its last instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import DateTime
from sqlalchemy.dialects import postgresql, sqlite

from pos.core.db import UTCDateTime

MOSCOW = timezone(timedelta(hours=3))


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()],
                         ids=["sqlite", "postgresql"])
def test_every_column_converts_each_instant_as_its_own(dialect):  # type: ignore[no-untyped-def]
    first, second = (UTCDateTime()._cached_bind_processor(dialect) for _ in range(2))
    assert first is second  # one memory for every column of the type
    noon = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    same_in_moscow = datetime(2026, 12, 2, 15, 0, tzinfo=MOSCOW)
    later = noon + timedelta(microseconds=1)
    sent = [first(value) for value in (noon, noon, same_in_moscow, later, None, noon)]
    # what the dialect's own datetime sends of the instant in UTC (naive for SQLite)
    own = dialect.type_descriptor(DateTime(timezone=True)).bind_processor(dialect) or (
        lambda value: value)

    def expected(value):  # type: ignore[no-untyped-def]
        return None if value is None else own(UTCDateTime().process_bind_param(value, dialect))

    assert sent == [expected(value) for value in
                    (noon, noon, same_in_moscow, later, None, noon)]
    assert sent[0] == sent[2]  # one instant, whatever its zone
    assert sent[3] != sent[2] and sent[4] is None
    with pytest.raises(ValueError, match="naive"):
        first(datetime(2026, 12, 2, 12, 0))
    assert first(later) == sent[3]  # a refused value leaves nothing behind
