"""What the office's shift, receipt and approval pages share: typed input, problems as pages.

Filters come from query strings and forms a person types, so every parse refuses bad input
with a :class:`ValidationError` and a stable code (``invalid_id``, ``invalid_date``,
``invalid_page``, ``invalid_amount``), never a 500; an id past 2^63 in a path is simply not
found. :func:`shows_problems` turns any refusal into the office's own page with the message.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, TypeVar, cast

from flask import render_template

from pos.core.barcode import is_digits
from pos.core.errors import ForbiddenError, NotFoundError, PosError, ValidationError
from pos.core.schemas import MAX_ID, MAX_INT
from pos.core.security import Right
from pos.screens.office import manager
from pos.screens.till import parse_amount
from pos.screens.web import problem_headers

PAGE_SIZE = 50
# The largest amount typed in the office: 999,999,999.99 as the API's Money field allows.
MAX_AMOUNT_MINOR = 99_999_999_999
View = TypeVar("View", bound=Callable[..., Any])


def shows_problems(view: View) -> View:
    """Show a refused request as the office's problem page (signing out still redirects)."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except PosError as error:
            if error.code == "signed_out":
                raise
            return problem_page(error)
    return cast(View, wrapper)


def problem_page(error: PosError) -> Any:
    """Render a refusal inside the office's layout, with its status and headers."""
    page = render_template("screens/office/ops_problem.html", who=manager(),
                           problem=error.to_problem())
    return page, error.status, problem_headers(error)


def require(right: Right) -> None:
    """Refuse a manager without ``right``, as the API's endpoint of the same use case does."""
    who = manager()
    if not who.can(right):
        raise ForbiddenError(f"Your role ({who.role}) lacks: {right.value}", code="forbidden",
                             extra={"missing_rights": [right.value]})


def known_id(text: str, not_found: NotFoundError) -> int:
    """Return the id a path carries, or ``not_found`` when no row could have it (past 2^63)."""
    if not is_digits(text) or len(text) > 19 or not 0 < int(text) <= MAX_ID:
        raise not_found
    return int(text)


def optional_id(args: Mapping[str, str], field: str) -> int | None:
    """Return the id typed in ``field`` (blank: None); refuse anything but 1..2^63-1."""
    text = (args.get(field) or "").strip()
    if not text:
        return None
    if not is_digits(text) or not 0 < int(text) <= MAX_ID:
        raise ValidationError(f"{field}: a number from 1 is expected", code="invalid_id",
                              field=field)
    return int(text)


def optional_day(args: Mapping[str, str], field: str) -> date | None:
    """Return the day typed in ``field`` as YYYY-MM-DD (blank: None)."""
    text = (args.get(field) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 else _bad_day(field)
    except ValueError:
        return _bad_day(field)


def _bad_day(field: str) -> date:
    raise ValidationError(f"{field}: a date as YYYY-MM-DD is expected", code="invalid_date",
                          field=field)


def day_range(args: Mapping[str, str], zone: tzinfo = UTC
              ) -> tuple[datetime | None, datetime | None]:
    """Return the UTC bounds of the local days ``from`` .. ``to`` (both included) in ``zone``."""
    first, last = optional_day(args, "from"), optional_day(args, "to")
    if first is not None and last is not None and last < first:
        raise ValidationError("The range ends before it starts", code="invalid_date_range",
                              field="to")
    start = datetime.combine(first, time(), zone).astimezone(UTC) if first else None
    end = datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC) \
        if last else None
    return start, end


def page_number(args: Mapping[str, str]) -> int:
    """Return the page asked for (from 1)."""
    text = (args.get("page") or "1").strip()
    if not is_digits(text) or not 0 < int(text) <= MAX_INT // PAGE_SIZE:
        raise ValidationError("page: a number from 1 is expected", code="invalid_page",
                              field="page")
    return int(text)


def amount(text: str | None, field: str) -> int:
    """Parse an amount typed in the office into minor units (required)."""
    value = parse_amount(text, field)
    if value > MAX_AMOUNT_MINOR:
        raise ValidationError("The amount is too large", code="invalid_amount", field=field)
    return value


def optional_amount(args: Mapping[str, str], field: str) -> int | None:
    """Return the amount typed in ``field`` (blank: None)."""
    text = args.get(field)
    return amount(text, field) if (text or "").strip() else None


def reason(text: str | None) -> str:
    """Return the reason typed for a cash movement: required, at most 200 characters."""
    cleaned = (text or "").strip()
    if not cleaned or len(cleaned) > 200:
        raise ValidationError("Give a reason (up to 200 characters)", code="invalid_reason",
                              field="reason")
    return cleaned
