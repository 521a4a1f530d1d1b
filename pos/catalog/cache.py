"""A worker's copy of the rows a sale reads: items with group and segments, prices, tills.

Also what other parts of the app keep under the same token (:meth:`Catalog.kept`): the
devices of a till.

A session reads the catalog's version token once (:class:`~pos.catalog.model.CatalogVersion`,
one tiny query) and then uses the worker's copy filled under that same token, reading only
what the copy lacks. Every write to items, prices, segments, their links, price groups,
stores, tills or till devices changes the token in its own transaction (database triggers,
migrations 0017 and 0018), so the very next request of every worker, on any process, sees
the change: a price is never served stale, there is no time-to-live to tune.

The copy lives per connection pool (one per app's engine, shared by its read and write
sessions), so two apps (two gunicorn workers, two ``create_app`` in a test) never share one;
each validates its own against the token.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from pos.catalog.model import CATALOG, Item, PriceGroup, Segment, item_segments
from pos.catalog.prices import current_prices
from pos.core import versions
from pos.core.direct import Direct
from pos.stores.model import Store, Till
from pos.stores.service import till_and_store

T = TypeVar("T")

# A copy keeps the prices of this many (store, price type, day) keys at most: yesterday's go.
MAX_PRICE_KEYS = 64


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """What a sale reads of an item: the line's fields and what the pricing engine looks at."""

    id: int
    sku: str
    name: str
    is_weighed: bool
    vat_rate: str
    is_active: bool
    is_discountable: bool
    price_group: str | None
    segments: frozenset[str]


PriceKey = tuple[int, int | None, date]


@dataclass
class _Copy:
    # The rows read under one token. Only added to, never changed: a new token gets a new copy.
    token: str | None
    by_sku: dict[str, CatalogItem] = field(default_factory=dict)
    by_id: dict[int, CatalogItem] = field(default_factory=dict)
    prices: dict[PriceKey, dict[int, int | None]] = field(default_factory=dict)
    tills: dict[int, tuple[Till, Store]] = field(default_factory=dict)
    stores: dict[int, Store] = field(default_factory=dict)
    kept: dict[Hashable, Any] = field(default_factory=dict)


class _Cache:
    # One engine's current copy; swapped whole when a session reads another token.
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.copy = _Copy(token=None)

    def copy_for(self, token: str | None) -> _Copy:
        copy = self.copy
        if copy.token != token:
            with self.lock:
                if self.copy.token != token:
                    self.copy = _Copy(token)
                copy = self.copy
        return copy


_CACHES: weakref.WeakKeyDictionary[Pool, _Cache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


class Catalog:
    """The catalog as one session sees it: the worker's copy under the token it read."""

    def __init__(self, session: Session, copy: _Copy) -> None:
        # The session keeps its catalog (in its ``info``): held weakly here, the two make no
        # reference cycle, and a finished session goes when its last user lets go of it, not
        # at the cycle collector's next pass (every upload left two so).
        self._session_ref = weakref.ref(session)
        self._copy = copy

    @property
    def _session(self) -> Session:
        session = self._session_ref()
        if session is None:
            raise RuntimeError("the catalog's session is gone: a catalog serves its session only")
        return session

    @property
    def token(self) -> str | None:
        """Return the catalog version this session read (None before any catalog write)."""
        return self._copy.token

    def items_by_sku(self, skus: Collection[str]) -> dict[str, CatalogItem]:
        """Return the items of the SKUs that exist (unknown SKUs are left out)."""
        by_sku = self._copy.by_sku
        missing = [sku for sku in skus if sku not in by_sku]
        if missing:
            self._load(_BY_SKU, {"skus": sorted(set(missing))})
        return {sku: by_sku[sku] for sku in skus if sku in by_sku}

    def items_by_id(self, item_ids: Collection[int]) -> dict[int, CatalogItem]:
        """Return the items of the ids that exist."""
        by_id = self._copy.by_id
        missing = [item_id for item_id in item_ids if item_id not in by_id]
        if missing:
            self._load(_BY_ID, {"ids": sorted(set(missing))})
        return {item_id: by_id[item_id] for item_id in item_ids if item_id in by_id}

    def prices(self, store: Store, item_ids: Collection[int], day: date) -> dict[int, int]:
        """Return the price of each item that has one in the store on the day."""
        prices = self._copy.prices
        key = (store.id, store.price_type_id, day)
        known = prices.get(key)
        if known is None:
            if len(prices) >= MAX_PRICE_KEYS:
                prices.clear()
            known = prices.setdefault(key, {})
        missing = [item_id for item_id in item_ids if item_id not in known]
        if missing:
            found = current_prices(self._session, store, missing, day)
            known.update({item_id: found.get(item_id) for item_id in missing})
        return {item_id: price for item_id in item_ids
                if (price := known[item_id]) is not None}

    def till_and_store(self, till_id: int) -> tuple[Till, Store]:
        """Return a till and its store, or raise ``till_not_found``.

        Kept detached from any session, for reading only: nothing changes them through here.
        """
        found = self._copy.tills.get(till_id)
        if found is None:
            found = till_and_store(self._session, till_id)
            for row in found:
                self._session.expunge(row)
            self._copy.tills[till_id] = found
        return found

    def store(self, store_id: int) -> Store | None:
        """Return a store, for reading only (never attached to a session), or None."""
        found = self._copy.stores.get(store_id)
        if found is None:
            row = _STORE.first(self._session.connection(), {"id": store_id})
            if row is None:
                return None
            found = self._copy.stores[store_id] = Store(**row._asdict())
        return found

    def kept(self, key: Hashable, load: Callable[[Session], T]) -> T:
        """Return what ``load`` reads for ``key``, read once under this catalog version.

        For what a sale reads of the tables the token covers (migrations 0017 and 0018), such
        as a till's devices; ``load`` must read nothing else, or its copy could go stale.
        """
        kept = self._copy.kept
        if key not in kept:
            kept[key] = load(self._session)
        return cast(T, kept[key])

    def _load(self, query: Direct, params: dict[str, Any]) -> None:
        # One row per item and segment: the columns before the segment are CatalogItem's own.
        fields: dict[int, tuple[Any, ...]] = {}
        segments: dict[int, set[str]] = {}
        for *row, segment in query.rows(self._session.connection(), params):
            if row[0] not in fields:
                fields[row[0]], segments[row[0]] = tuple(row), set()
            if segment is not None:
                segments[row[0]].add(segment)
        for item_id, row in fields.items():
            item = CatalogItem(*row, frozenset(segments[item_id]))
            self._copy.by_id[item.id] = self._copy.by_sku[item.sku] = item


def catalog(session: Session) -> Catalog:
    """Return the catalog as this session sees it (its token read once per session).

    Not for a transaction that has written catalog rows: on PostgreSQL the token changes at
    its commit (migration 0023), so the rows it would load into the worker's shared copy are
    its own uncommitted ones under the token still current. No use case does both.
    """
    found = session.info.get("catalog")
    if found is None:
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        cache = _CACHES.get(engine.pool)
        if cache is None:
            with _CACHES_LOCK:
                cache = _CACHES.setdefault(engine.pool, _Cache())
        found = session.info["catalog"] = Catalog(session, cache.copy_for(
            versions.token(session, CATALOG)))
    assert isinstance(found, Catalog)
    return found


def _items_where(condition: ColumnElement[bool]) -> Select[Any]:
    # Plain joins, which SQLite answers by index (a joined eager load of a secondary
    # relationship nests its join, and SQLite then materialises the whole link table).
    return (select(Item.id, Item.sku, Item.name, Item.is_weighed, Item.vat_rate, Item.is_active,
                   Item.is_discountable, PriceGroup.code.label("price_group"),
                   Segment.code.label("segment"))
            .outerjoin(PriceGroup, PriceGroup.id == Item.price_group_id)
            .outerjoin(item_segments, item_segments.c.item_id == Item.id)
            .outerjoin(Segment, Segment.id == item_segments.c.segment_id)
            .where(condition))


# Built once: the hot path only binds values.
_STORE = Direct(select(*Store.__table__.columns).where(Store.__table__.c.id == bindparam("id")))
_BY_SKU = Direct(_items_where(Item.sku.in_(bindparam("skus", expanding=True))))
_BY_ID = Direct(_items_where(Item.id.in_(bindparam("ids", expanding=True))))
