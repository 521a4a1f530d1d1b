"""Tables of discounts: the group tree, the discounts in it, manual limits, a rules version.

Benefits and conditions are stored as JSON documents in the shape the API speaks (see
``codec.py``); the engine's dataclasses are built from them when the rules are compiled.
Every change bumps :class:`RulesVersion` in the same transaction, so every worker process
notices and recompiles before its next pricing.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos.core import versions
from pos.core.db import Base, BigId, UTCDateTime


class DiscountGroup(Base):
    """A node of the tree: combines the discounts and subgroups that fire inside it."""

    __tablename__ = "discount_groups"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str] = mapped_column(String(12))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("discount_groups.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    allow_stacking: Mapped[bool] = mapped_column(default=False)
    # Where the cashier's manual discounts join the tree (at most one group has it).
    holds_manual: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DiscountRow(Base):
    """A discount or markup: kind, benefit, conditions, scope, targets, validity."""

    __tablename__ = "discounts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))
    scope: Mapped[str] = mapped_column(String(10))
    group_id: Mapped[int] = mapped_column(ForeignKey("discount_groups.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    benefit: Mapped[dict[str, Any]] = mapped_column(JSON)
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    refinements: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    segment: Mapped[str | None] = mapped_column(String(64))
    item_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    price_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    store_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    customer_segments: Mapped[list[str]] = mapped_column(JSON, default=list)
    card_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    is_active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ManualDiscountLimit(Base):
    """The largest manual discount a user group may give, optionally per price group."""

    __tablename__ = "manual_discount_limits"
    __table_args__ = (UniqueConstraint("user_group", "price_group"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_group: Mapped[str] = mapped_column(String(64))
    # None: the group's general limit; a code: the refinement for that price group.
    price_group: Mapped[str | None] = mapped_column(String(64))
    max_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))


class RulesVersion(Base):
    """A single row whose token changes with every change to the rules.

    A random token rather than a counter: a restored backup or an emptied table can never
    bring back an old value that a worker's cache would mistake for its own.
    """

    __tablename__ = "discount_rules_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    changes: Mapped[int] = mapped_column(default=0)


RULES = "discount_rules"
versions.register(RULES, RulesVersion.__table__)


def bump_version(session: Session) -> None:
    """Mark the rules changed, in the caller's transaction."""
    versions.bump(session, RULES, counter="changes")
