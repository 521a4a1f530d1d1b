"""Points lots and the ledger: where a card's points came from, and every change to them.

A *lot* is points credited at once (an earn, a restore, an adjustment): pending until its
``active_from``, then spendable until ``expires_at``; spends, expiry and reversals draw its
``remaining_cp`` down, oldest expiry first. The *ledger* is append-only: each entry moves a
card's balance (``delta_cp``), pending points (``pending_delta_cp``) or debt
(``debt_delta_cp``), and the card's columns always equal the ledger's sums
(``pos loyalty verify``). An entry that must happen once per document carries a unique
``once_key`` (``earn:<receipt>``, ``reverse:<return>``, ``refund:<return>:<seq>``), so a
receipt earns, and a return takes back, at most once whatever the retries. The key is unique
with the receipt and payment it names (which a keyed entry always carries).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pos.core.db import Base, BigId, UTCDateTime

PENDING, ACTIVE, SPENT = "pending", "active", "spent"
EARN, ACTIVATE, SPEND, EXPIRE, REVERSE, RESTORE, ADJUST, TRANSFER = (
    "earn", "activate", "spend", "expire", "reverse", "restore", "adjust", "transfer")


# Each sale writes a lot and an entry, and every index a row goes into is one more page for
# the commit to write (and for the checkpoint to copy). An entry's key names its receipt and
# payment, which the entry names too: one index on the three keeps the key unique and finds a
# receipt's entries (a spend has no key: NULL is never equal, so spends never clash). Lots are
# found by card only: the jobs, which look across cards for what is due, scan them once a
# night rather than have every sale write two more indexes; a shift's entries are found
# through its receipts (X and Z reports).
# (No partial index names a lot's state: SQLite prepares again, at every run, a statement
# whose parameter might match such an index's condition, and lots are read by state.)


class Lot(Base):
    """Points credited at once, drawn down oldest expiry first."""

    __tablename__ = "loyalty_lots"
    __table_args__ = (
        # Its id last: a card's lots come in the order they are drawn (expiry, then id) from
        # the index itself on PostgreSQL too, not sorted (SQLite's indexes end in the rowid).
        Index("ix_loyalty_lots_card_state", "card_id", "state", "expires_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("loyalty_cards.id"))
    source: Mapped[str] = mapped_column(String(12))
    receipt_id: Mapped[int | None] = mapped_column(BigInteger)  # a return finds it by entry
    amount_cp: Mapped[int] = mapped_column(BigInteger)
    remaining_cp: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(8))
    active_from: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Entry(Base):
    """One change of a card's points, with its receipt or reason; rows are only inserted."""

    __tablename__ = "loyalty_entries"
    __table_args__ = (
        Index("uq_loyalty_entries_receipt_key", "receipt_id", "payment_seq", "once_key",
              unique=True),
        Index("ix_loyalty_entries_card_id", "card_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("loyalty_cards.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(12))
    delta_cp: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_delta_cp: Mapped[int] = mapped_column(BigInteger, default=0)
    debt_delta_cp: Mapped[int] = mapped_column(BigInteger, default=0)
    receipt_id: Mapped[int | None] = mapped_column(BigInteger)
    payment_seq: Mapped[int | None] = mapped_column(Integer)
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)  # a payment's money value
    shift_id: Mapped[int | None] = mapped_column(BigInteger)
    lot_id: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(String(200))
    once_key: Mapped[str | None] = mapped_column(String(64))


class Earning(Base):
    """Points one receipt line earned, and how much of it returns have taken back."""

    __tablename__ = "loyalty_earnings"

    receipt_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    line_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("loyalty_cards.id"), index=True)
    lot_id: Mapped[int | None] = mapped_column(BigInteger)
    earned_cp: Mapped[int] = mapped_column(BigInteger)
    sold_milli: Mapped[int] = mapped_column(BigInteger)
    returned_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    reversed_cp: Mapped[int] = mapped_column(BigInteger, default=0)
