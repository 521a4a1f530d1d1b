"""Tables of the auth feature: users and where they work, tokens, approval codes, throttling."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.core.db import Base, BigId, UTCDateTime
from pos.core.security import Right, rights_of


class User(Base):
    """A person who signs in: cashier, manager, admin or card holder (a role with no cards yet)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    user_group: Mapped[str | None] = mapped_column(String(64))
    extra_rights: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    store_links: Mapped[list[UserStore]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserStore.store_id")
    till_links: Mapped[list[UserTill]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserTill.till_id")

    @property
    def store_ids(self) -> list[int]:
        """Return the ids of the stores the user works in."""
        return [link.store_id for link in self.store_links]

    @property
    def till_ids(self) -> list[int]:
        """Return the ids of the tills the user is assigned to (cashiers; may be none)."""
        return [link.till_id for link in self.till_links]

    def assign(self, store_ids: list[int], till_ids: list[int]) -> None:
        """Replace the stores the user works in and the tills they are assigned to."""
        stores = {link.store_id: link for link in self.store_links}
        tills = {link.till_id: link for link in self.till_links}
        self.store_links = [stores.get(i) or UserStore(store_id=i) for i in sorted(set(store_ids))]
        self.till_links = [tills.get(i) or UserTill(till_id=i) for i in sorted(set(till_ids))]

    @property
    def rights(self) -> frozenset[Right]:
        """Return the rights of this user's role plus their extra rights."""
        return rights_of(self.role, tuple(self.extra_rights or ()))

    def can(self, right: Right) -> bool:
        """Tell whether the user holds ``right`` without anyone's approval."""
        return self.is_active and right in self.rights


class UserStore(Base):
    """A store a user works in (a manager may have several; admins need none)."""

    __tablename__ = "user_stores"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"),
                                          primary_key=True)


class UserTill(Base):
    """A till a cashier is assigned to: they may work on it whoever opened its shift."""

    __tablename__ = "user_tills"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id", ondelete="CASCADE"),
                                         primary_key=True)


class AuthToken(Base):
    """A bearer token, stored as its SHA-256 only, expiring."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")

    def is_valid_at(self, now: datetime) -> bool:
        """Tell whether the token may still be used at ``now``."""
        return self.revoked_at is None and now < self.expires_at


class ApprovalCode(Base):
    """A one-time code a manager issues so a cashier may exceed their rights once."""

    __tablename__ = "approval_codes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str | None] = mapped_column(String(64))
    till_id: Mapped[int | None] = mapped_column(ForeignKey("tills.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    manager: Mapped[User] = relationship(foreign_keys=[manager_id], lazy="joined")

    def can_approve(self, action: str, now: datetime, till_id: int | None) -> bool:
        """Tell whether this code is unused, unexpired and covers ``action`` at ``till_id``."""
        return (
            self.used_at is None
            and now < self.expires_at
            and (self.action is None or self.action == action)
            and (self.till_id is None or self.till_id == till_id)
        )


class AuthVersion(Base):
    """A single row whose token changes with every change of a user, their places or tokens.

    Database triggers (migration 0021) change it in the writing transaction, whoever writes;
    each worker reads it at most once a second and forgets its cached token look-ups when it
    moved (``pos.core.security.TokenCache``). Logins insert tokens and do not change it.
    """

    __tablename__ = "auth_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
