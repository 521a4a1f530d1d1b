"""Period names: years, quarters and months, half-open."""

from __future__ import annotations

from datetime import date

import pytest

from loyalty.rebates.period import PeriodError, containing, parse


def test_a_quarter_runs_from_its_first_day_to_the_next_quarter():
    q3 = parse("2026-Q3")
    assert (q3.start, q3.end, q3.days) == (date(2026, 7, 1), date(2026, 10, 1), 92)


def test_a_december_and_a_year_end_in_the_next_year():
    assert parse("2026-12").end == date(2027, 1, 1)
    assert parse("2026").end == date(2027, 1, 1)


@pytest.mark.parametrize("name", ["2026-Q5", "2026-13", "26-Q1", "2026Q1", "", "2026-00"])
def test_a_name_that_is_no_period_is_refused(name):
    with pytest.raises(PeriodError):
        parse(name)


def test_a_day_falls_in_one_period_of_each_type():
    day = date(2026, 11, 22)
    assert [containing(day, t).key for t in ("month", "quarter", "year")] == [
        "2026-11", "2026-Q4", "2026"]


def test_a_period_lies_within_validity_only_whole():
    q3 = parse("2026-Q3")
    assert q3.is_within(date(2026, 7, 1), date(2026, 9, 30))
    assert not q3.is_within(date(2026, 7, 2), date(2026, 12, 31))
    assert q3.days_left(date(2026, 9, 30)) == 1
