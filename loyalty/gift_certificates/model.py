"""Certificate types, batches, certificates and the ledger of every change to a balance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from pos.core.db import Base, BigId, UTCDateTime
from pos.core.errors import ValidationError

INACTIVE, ACTIVE, CANCELLED = "inactive", "active", "cancelled"
# Ledger kinds: every change to a certificate, with its signed effect on the balance.
ISSUE, ACTIVATE, REDEEM, RESTORE, EXPIRE, CANCEL, ADJUST = (
    "issue", "activate", "redeem", "restore", "expire", "cancel", "adjust")
PAYOUT = "payout"  # a remainder below the type's threshold paid out in cash
LEDGER_KINDS = (ISSUE, ACTIVATE, REDEEM, RESTORE, EXPIRE, CANCEL, ADJUST, PAYOUT)


class CertificateType(Base):
    """What a certificate is worth and how it may be used: value, validity, redemption rules."""

    __tablename__ = "gift_certificate_types"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The catalog item a sale's line is made of (its name and VAT rate): usually "no VAT".
    sku: Mapped[str] = mapped_column(String(64))
    face_value_minor: Mapped[int | None] = mapped_column(BigInteger)  # None: a free amount
    min_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    max_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    valid_days: Mapped[int] = mapped_column(default=365)
    is_partial_allowed: Mapped[bool] = mapped_column(default=True)
    # A remainder below this may be paid out in cash (0: never).
    cash_out_below_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    is_points_purchasable: Mapped[bool] = mapped_column(default=False)
    # A return refunding to a certificate that has expired opens it again for this many days.
    refund_grace_days: Mapped[int] = mapped_column(default=30)
    # A return refunding to a certificate no longer valid (expired, cancelled) pays cash instead.
    is_cash_refund_allowed: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_active: Mapped[bool] = mapped_column(default=True)

    @property
    def is_free_amount(self) -> bool:
        """Tell whether the buyer chooses the amount (within min and max)."""
        return self.face_value_minor is None

    def amount_for(self, asked_minor: int | None) -> int:
        """Return the amount a certificate of this type is sold for, or refuse the asked one."""
        if self.face_value_minor is not None:
            if asked_minor not in (None, self.face_value_minor):
                raise ValidationError(f"{self.code} has a fixed face value",
                                      code="certificate_amount_fixed", field="amount")
            return self.face_value_minor
        if asked_minor is None or not self.min_minor <= asked_minor <= self.max_minor:
            raise ValidationError(f"{self.code} is sold for an amount within its range",
                                  code="certificate_amount_out_of_range", field="amount",
                                  extra={"min_minor": self.min_minor,
                                         "max_minor": self.max_minor})
        return asked_minor


class CertificateBatch(Base):
    """Physical certificates printed together, numbered, inactive until each is sold."""

    __tablename__ = "gift_certificate_batches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("gift_certificate_types.id"))
    count: Mapped[int]
    face_value_minor: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(BigInteger)


class GiftCertificate(Base):
    """One certificate: its code's digest and last letters, state, balance and expiry."""

    __tablename__ = "gift_certificates"
    __table_args__ = (
        UniqueConstraint("sold_receipt_id", "sold_line_no"),
        Index("ix_gift_certificates_type_store_state", "type_id", "store_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("gift_certificate_types.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("gift_certificate_batches.id"))
    # Printed on a physical certificate beside the hidden code: "B12-000034". Not a secret.
    serial: Mapped[str | None] = mapped_column(String(32), unique=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    last4: Mapped[str] = mapped_column(String(4))
    seed: Mapped[bytes] = mapped_column(LargeBinary(16))
    state: Mapped[str] = mapped_column(String(12), default=INACTIVE)
    face_minor: Mapped[int] = mapped_column(BigInteger)
    balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    store_id: Mapped[int | None] = mapped_column(BigInteger)
    sold_receipt_id: Mapped[int | None] = mapped_column(BigInteger)
    sold_line_no: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def status_at(self, now: datetime) -> str:
        """Return what the till is told: inactive, active, used, expired or cancelled."""
        return status_of(self.state, self.balance_minor, self.expires_at, now)


def status_of(state: str, balance_minor: int, expires_at: datetime | None, now: datetime
              ) -> str:
    """Return a certificate's status for the till from its state, balance and expiry."""
    if state == ACTIVE:
        if expires_at is not None and expires_at <= now:
            return "expired"
        return "active" if balance_minor > 0 else "used"
    return state


class LedgerEntry(Base):
    """One change to a certificate's balance; the balance always equals their sum."""

    __tablename__ = "gift_certificate_ledger"
    __table_args__ = (Index("ix_gift_certificate_ledger_receipt", "receipt_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("gift_certificates.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # signed: + adds to the balance
    receipt_id: Mapped[int | None] = mapped_column(BigInteger)
    payment_seq: Mapped[int | None]
    store_id: Mapped[int | None] = mapped_column(BigInteger)
    shift_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(200), default="")
