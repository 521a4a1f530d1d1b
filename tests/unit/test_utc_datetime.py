"""The UTC datetime column's bind processor: one per dialect, remembering its last instants."""

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


def test_instants_sent_in_turn_are_each_converted_once():  # type: ignore[no-untyped-def]
    from pos.core.db import _LastInstant

    converted: list[datetime] = []

    def convert(value):  # type: ignore[no-untyped-def]
        converted.append(value)
        return None if value is None else value.isoformat()

    remember = _LastInstant(convert)
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    expiry, others = now + timedelta(days=365), [now + timedelta(hours=n) for n in (1, 2, 3)]
    sent = [remember(value) for value in (now, expiry, now, expiry, now, None, expiry)]
    assert sent == [v.isoformat() if v is not None else None
                    for v in (now, expiry, now, expiry, now, None, expiry)]
    assert converted == [now, expiry, None]  # (None is passed on, never kept)
    for value in others:  # three more instants: now, the oldest kept, is let go
        remember(value)
    remember(now)
    assert converted == [now, expiry, None, *others, now]
