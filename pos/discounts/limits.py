"""Manual discount limits: the most a user group may give, refinable per price group."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pos.core.db import Database
from pos.core.errors import ValidationError
from pos.discounts.model import ManualDiscountLimit


def replace_limits(db: Database, limits: list[dict[str, Any]]) -> list[ManualDiscountLimit]:
    """Replace the whole table of limits."""
    keys = [(lim["user_group"], lim["price_group"]) for lim in limits]
    if len(keys) != len(set(keys)):
        raise ValidationError("A user group has one limit per price group",
                              code="duplicate_limit", field="limits")
    with db.transaction() as session:
        session.execute(delete(ManualDiscountLimit))
        rows = [ManualDiscountLimit(**lim) for lim in limits]
        session.add_all(rows)
    return rows


def list_limits(db: Database) -> list[ManualDiscountLimit]:
    """Return every limit."""
    with db.read() as session:
        return list(session.scalars(select(ManualDiscountLimit).order_by(
            ManualDiscountLimit.user_group, ManualDiscountLimit.price_group)))


def limit_for(session: Session, user_group: str | None, price_group: str | None) -> Decimal:
    """Return the largest percent a user of ``user_group`` may give on a line of a price group.

    A refinement for the price group wins over the group's general limit; with neither, the
    limit is 0 and every manual discount needs a manager.
    """
    if user_group is None:
        return Decimal(0)
    rows = session.scalars(select(ManualDiscountLimit).where(
        ManualDiscountLimit.user_group == user_group)).all()
    by_price_group = {row.price_group: row.max_percent for row in rows}
    if price_group is not None and price_group in by_price_group:
        return Decimal(by_price_group[price_group])
    return Decimal(by_price_group.get(None, 0))
