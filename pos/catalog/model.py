"""Tables of the catalog: items, barcodes, segments, price groups, price types and prices."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.core import versions
from pos.core.db import Base, BigId, UTCDateTime

UNITS = ("pcs", "kg", "g", "l", "m", "pack")
VAT_RATES = ("vat20", "vat10", "vat0", "none", "vat20_120", "vat10_110")

item_segments = Table(
    "item_segments",
    Base.metadata,
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("segment_id", ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_item_segments_segment_id", "segment_id"),
)


class PriceGroup(Base):
    """A group of items that share discount refinements (e.g. "Dairy", "Tobacco")."""

    __tablename__ = "price_groups"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Segment(Base):
    """A named set of items that discounts and campaigns target (e.g. "COFFEE")."""

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Item(Base):
    """A sellable item; weighed items are sold by the kilogram."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(8), default="pcs")
    is_weighed: Mapped[bool] = mapped_column(default=False)
    vat_rate: Mapped[str] = mapped_column(String(16), default="vat20")
    # The code a scale prints into weight barcodes (PLU); unique among weighed items.
    plu: Mapped[int | None] = mapped_column(unique=True)
    price_group_id: Mapped[int | None] = mapped_column(ForeignKey("price_groups.id"), index=True)
    is_discountable: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    price_group: Mapped[PriceGroup | None] = relationship(lazy="joined")
    segments: Mapped[list[Segment]] = relationship(secondary=item_segments, lazy="selectin")
    # Loaded on demand (``selectinload``) by the views that show them: the till's lookup,
    # the hot path, never needs an item's other barcodes.
    barcodes: Mapped[list[Barcode]] = relationship(
        back_populates="item", cascade="all, delete-orphan"
    )


class Barcode(Base):
    """A code printed on an item's package: EAN-13, EAN-8, UPC-A or an internal code."""

    __tablename__ = "barcodes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)

    item: Mapped[Item] = relationship(back_populates="barcodes")


class PriceType(Base):
    """A kind of price (retail, promo...) with the step prices of this type are rounded to."""

    __tablename__ = "price_types"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    rounding_step_minor: Mapped[int] = mapped_column(default=1)


class Price(Base):
    """An item's price in a store, valid from a date (and optionally until one)."""

    __tablename__ = "prices"
    __table_args__ = (Index("ix_prices_store_item_from", "store_id", "item_id", "valid_from"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    price_type_id: Mapped[int] = mapped_column(ForeignKey("price_types.id"))
    price_minor: Mapped[int] = mapped_column(BigInteger)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class CatalogVersion(Base):
    """A single row whose token changes with every write to the catalog, a store or a till.

    Database triggers (migration 0017) change it in the writing transaction, whoever writes
    (the API, the importer, a script); a worker's copy of the catalog (``pos.catalog.cache``)
    is used only under the token it was filled under. A random token, not a counter: a restored
    backup or an emptied table never brings back a value a worker's copy would take for its own.
    """

    __tablename__ = "catalog_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


CATALOG = "catalog"
versions.register(CATALOG, CatalogVersion.__table__)
