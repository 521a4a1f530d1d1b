"""Paged lists: one slice of an ordered query plus the size of the whole list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; the fields are what ``schemas.page_of`` documents."""

    items: list[T]
    page: int
    page_size: int
    total: int

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        """Return the same page with every item converted (rows to API views)."""
        return Page([convert(item) for item in self.items], self.page, self.page_size,
                    self.total)


def paginate(session: Session, query: Select[Any], *, page: int, page_size: int) -> Page[Any]:
    """Return page ``page`` (from 1) of an ordered ORM query and the count of all its rows."""
    # The count ignores the order: ordering a counted subquery only costs the database.
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.offset((page - 1) * page_size).limit(page_size)).all()
    return Page(list(rows), page, page_size, total or 0)
