"""The journal table: one append-only row per fiscal document, chained per till."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pos.core.db import Base, BigId, UTCDateTime


class JournalEntry(Base):
    """A closed fiscal document's canonical JSON, the previous entry's hash and its own."""

    __tablename__ = "journal_entries"
    __table_args__ = (UniqueConstraint("till_id", "number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    number: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    document_id: Mapped[int] = mapped_column(BigInteger)
    document: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
