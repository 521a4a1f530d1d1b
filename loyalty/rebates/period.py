"""Agreement periods by name: ``2026`` (year), ``2026-Q3`` (quarter), ``2026-07`` (month).

Pure. A period is half-open: ``start`` is its first day, ``end`` the first day after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

_PATTERN = re.compile(r"^(\d{4})(?:-(Q[1-4]|0[1-9]|1[0-2]))?$")


class PeriodType(StrEnum):
    """How long an agreement's periods are."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class PeriodError(ValueError):
    """Raise on a period name that is not one."""


@dataclass(frozen=True)
class Period:
    """One period of an agreement."""

    key: str
    type: PeriodType
    start: date
    end: date  # exclusive

    @property
    def days(self) -> int:
        """Return how many days the period has."""
        return (self.end - self.start).days

    def days_left(self, today: date) -> int:
        """Return the days from ``today`` (included) to the period's end, never negative."""
        return max(0, min(self.days, (self.end - today).days))

    def is_within(self, valid_from: date, valid_to: date) -> bool:
        """Tell whether the whole period lies between two days (both included)."""
        return valid_from <= self.start and (self.end - _ONE_DAY) <= valid_to


def parse(key: str) -> Period:
    """Return the period a name stands for, or raise :class:`PeriodError`."""
    match = _PATTERN.match(key)
    if match is None or not 1900 <= int(match.group(1)) <= 9998:
        raise PeriodError(f"Not a period: {key!r} (2026, 2026-Q3 or 2026-07)")
    year, part = int(match.group(1)), match.group(2)
    if part is None:
        return Period(key, PeriodType.YEAR, date(year, 1, 1), date(year + 1, 1, 1))
    if part.startswith("Q"):
        first = (int(part[1]) - 1) * 3 + 1
        return Period(key, PeriodType.QUARTER, date(year, first, 1), _month_after(year, first + 2))
    month = int(part)
    return Period(key, PeriodType.MONTH, date(year, month, 1), _month_after(year, month))


def containing(day: date, period_type: PeriodType | str) -> Period:
    """Return the period of ``period_type`` that ``day`` falls in."""
    kind = PeriodType(period_type)
    if kind is PeriodType.YEAR:
        return parse(f"{day.year}")
    if kind is PeriodType.QUARTER:
        return parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    return parse(f"{day.year}-{day.month:02d}")


def _month_after(year: int, month: int) -> date:
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


_ONE_DAY = date(2000, 1, 2) - date(2000, 1, 1)
