"""Card types, cards and their holders; a card keeps its points balance by guarded updates.

A card's ``balance_cp`` (spendable), ``pending_cp`` (earned, not yet spendable) and ``debt_cp``
(points taken back by a return after they were spent) are caches of the ledger's sums
(:mod:`loyalty.points.model`); every change goes with a ledger entry in one transaction.
Points are counted in hundredths (``*_cp``): 1 point = 100.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos.core import versions
from pos.core.db import Base, BigId, UTCDateTime
from pos.core.errors import ConflictError

ISSUED, ACTIVE, BLOCKED, EXPIRED = "issued", "active", "blocked", "expired"
POINT = 100  # hundredths of a point in one point


class CardType(Base):
    """What a kind of card does: discounts and/or points, and the rules of its points."""

    __tablename__ = "loyalty_card_types"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    is_discount: Mapped[bool] = mapped_column(Boolean, default=False)
    is_bonus: Mapped[bool] = mapped_column(Boolean, default=False)
    is_personal: Mapped[bool] = mapped_column(Boolean, default=False)
    number_prefix: Mapped[str] = mapped_column(String(8))
    next_serial: Mapped[int] = mapped_column(BigInteger, default=1)
    validity_days: Mapped[int | None] = mapped_column(Integer)
    # Earning: basis points of the part paid with money (500 = 5%), overrides per segment,
    # campaigns [{"from", "to", "store_ids", "multiplier"}], and how a fraction is rounded.
    earn_bp: Mapped[int] = mapped_column(Integer, default=0)
    segment_bp: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    campaigns: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rounding: Mapped[str] = mapped_column(String(8), default="down")
    is_fractional: Mapped[bool] = mapped_column(Boolean, default=False)
    pending_days: Mapped[int] = mapped_column(Integer, default=0)
    expiry_days: Mapped[int | None] = mapped_column(Integer)
    point_value_minor: Mapped[int] = mapped_column(Integer, default=100)
    max_share_percent: Mapped[int] = mapped_column(Integer, default=100)
    # Cumulative tiers of a personal card: [{"name", "min_minor"}], ascending.
    tiers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CardTypesVersion(Base):
    """A single row whose token changes with every new or changed card type.

    The till keeps each type's terms per worker under this token (a sale reads a card, not
    its type). A random token (:func:`pos.core.versions.bump`): another database never holds
    the token a worker kept its types under, and every change of a type replaces the token in
    the same transaction, so terms kept under a token are the terms of that token's types (a
    restored backup brings back its types with its token).
    """

    __tablename__ = "loyalty_card_types_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


CARD_TYPES = "card_types"
versions.register(CARD_TYPES, CardTypesVersion.__table__)


def bump_types_version(session: Session) -> None:
    """Mark the card types changed, in the caller's transaction."""
    versions.bump(session, CARD_TYPES)


class Holder(Base):
    """The registered person behind personal cards; signs in with a card and a PIN."""

    __tablename__ = "loyalty_holders"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(200))
    has_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HolderToken(Base):
    """A holder's sign-in: only the SHA-256 of the bearer token is kept."""

    __tablename__ = "loyalty_holder_tokens"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("loyalty_holders.id", ondelete="CASCADE"),
                                           index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SignInCode(Base):
    """A receipt's one-time sign-in code once used (by its SHA-256; see loyalty.cards.codes).

    Codes printed before they were derived were kept here when their sale closed, unused.
    """

    __tablename__ = "loyalty_sign_in_codes"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("loyalty_holders.id", ondelete="CASCADE"),
                                           index=True)
    receipt_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Card(Base):
    """One card: its number, type, state, holder, accumulated spend and points balances."""

    __tablename__ = "loyalty_cards"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(13), unique=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("loyalty_card_types.id"), index=True)
    state: Mapped[str] = mapped_column(String(8), default=ISSUED)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("loyalty_holders.id"), index=True)
    valid_until: Mapped[date | None] = mapped_column(Date)
    block_reason: Mapped[str | None] = mapped_column(String(200))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("loyalty_cards.id"))
    accumulated_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # Set by its first sale (a return too: it follows one): "first purchase" discounts.
    has_bought: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    balance_cp: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_cp: Mapped[int] = mapped_column(BigInteger, default=0)
    debt_cp: Mapped[int] = mapped_column(BigInteger, default=0)
    # No lot of the card falls due (to activate or to expire) before this instant (None: none
    # ever will): the till's read of a card asks this, not the lots. A credit brings it
    # forward to its lot's date; settling the card's due lots sets it from the lots again.
    # It may be early (a lot spent since), never late.
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def is_expired(self, today: date) -> bool:
        """Tell whether the card is past its validity (or marked expired)."""
        return is_past(self.state, self.valid_until, today)

    def ensure_usable(self, today: date) -> None:
        """Refuse a card that is not active: blocked, replaced, expired or never activated."""
        ensure_usable(self.number, self.state, self.replaced_by_id, self.valid_until, today)

    def activate(self, now: datetime) -> None:
        """Make an issued card usable."""
        if self.state != ISSUED:
            raise ConflictError(f"Card {self.number} is {self.state}", code=f"card_{self.state}")
        self.state, self.activated_at = ACTIVE, now

    def block(self, reason: str) -> None:
        """Block a card; it refuses everything until unblocked."""
        if self.state == BLOCKED:
            raise ConflictError(f"Card {self.number} is already blocked", code="card_blocked")
        self.state, self.block_reason = BLOCKED, reason

    def unblock(self) -> None:
        """Lift a block (never from a replaced card, whose points moved on)."""
        if self.state != BLOCKED:
            raise ConflictError(f"Card {self.number} is not blocked", code="card_not_blocked")
        if self.replaced_by_id is not None:
            raise ConflictError(f"Card {self.number} was replaced", code="card_replaced")
        self.state = ACTIVE if self.activated_at else ISSUED
        self.block_reason = None

    def expire(self) -> None:
        """Mark the card expired for good."""
        if self.state == EXPIRED:
            raise ConflictError(f"Card {self.number} has expired", code="card_expired")
        self.state = EXPIRED


def is_past(state: str, valid_until: date | None, today: date) -> bool:
    """Tell whether a card in ``state`` valid until ``valid_until`` has expired by ``today``."""
    return state == EXPIRED or (valid_until is not None and today > valid_until)


def ensure_usable(number: str, state: str, replaced_by_id: int | None,
                  valid_until: date | None, today: date) -> None:
    """Refuse a card that is not active: blocked, replaced, expired or never activated."""
    if state == BLOCKED:
        code = "card_replaced" if replaced_by_id else "card_blocked"
        raise ConflictError(f"Card {number} is blocked", code=code)
    if is_past(state, valid_until, today):
        raise ConflictError(f"Card {number} has expired", code="card_expired")
    if state != ACTIVE:
        raise ConflictError(f"Card {number} is not activated", code="card_not_active")
