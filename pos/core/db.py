"""Persistence plumbing: the declarative base, column types, and one ``Database`` per app.

SQLite runs in WAL mode and every write transaction starts with ``BEGIN IMMEDIATE``, so two
concurrent writers queue instead of failing with "database is locked" when one of them upgrades
a read lock. Read-only work uses :meth:`Database.read`, which begins deferred and never blocks
writers.

Writers of a file database queue on an ``flock`` of a lock file beside it, taken just before
``BEGIN IMMEDIATE`` and dropped after ``COMMIT`` or ``ROLLBACK``, and handed to a waiting
writer at once (:mod:`pos.core.writer_lock`). SQLite's own busy handler polls with sleeps of
1, 2, 5 ... 100 ms, so two worker processes writing at once spent a third of their time
asleep. SQLite's busy timeout stays as the backstop for writers that do not take the lock
(the ``sqlite3`` shell).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from pos.core import later
from pos.core.checkpoint import BACKSTOP_PAGES, Checkpointer, checkpointer
from pos.core.writer_lock import WriterLock, is_busy

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 30_000
IDLE_PING_AFTER_S = 10.0

# SQLite only auto-increments an INTEGER PRIMARY KEY; BigInteger keys elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Base of every table, sharing one naming convention for constraints."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC and give them back aware, on both databases."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Normalise to UTC (naive for SQLite, which has no time zones)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Attach UTC to what SQLite returns naive."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def bind_processor(self, dialect: Any) -> Any:
        """Return the processor every column of this type shares on a dialect (see below)."""
        key = (type(self), dialect.name, dialect.driver)
        shared = _LAST_INSTANTS.get(key)
        if shared is None:
            shared = _LAST_INSTANTS.setdefault(key, _LastInstant(super().bind_processor(dialect)))
        return shared


class _LastInstant:
    """A datetime column's bind processor that remembers the last few instants it converted.

    A use case stamps its rows with its one ``now``: a sale sends that object in a dozen
    statements (receipt, journal, outbox, ledger entries, reply), and converting it (to UTC,
    then to SQLite's text) costs more than the statement's own work on the driver. Every
    column of :class:`UTCDateTime` converts alike, so one memory serves them all. It holds the
    last :data:`KEPT` instants, not one: a sale with a card sends ``now`` and its points' expiry
    turn about, and one would be converted again at each turn. The instants are held, so ``is``
    cannot match another object that reused an id; the memory is replaced whole, so threads
    never read half of it.
    """

    __slots__ = ("last", "process")
    KEPT = 4

    def __init__(self, process: Any) -> None:
        self.process = process
        self.last: tuple[tuple[Any, Any], ...] = ()

    def __call__(self, value: Any) -> Any:
        last = self.last
        for known, converted in last:
            if known is value:
                return converted
        converted = value if self.process is None else self.process(value)
        if value is not None:
            self.last = ((value, converted), *last[:self.KEPT - 1])
        return converted


_LAST_INSTANTS: dict[tuple[type, str, str], _LastInstant] = {}

# sqlite3 binds an int, a float or a str as it is, but looks every other value up in its
# adapters and then, finding none, asks the value's type for ``__adapt__`` and ``__conform__``
# (PEP 246): the first ask raises an AttributeError and clears it, a thousand instructions for
# each NULL sent. A receipt's rows send hundreds. Found in the registry at once, None stays
# None (``{}.get`` returns it) and a bool goes as its int, which is what sqlite3 binds anyway.
sqlite3.register_adapter(type(None), {}.get)
sqlite3.register_adapter(bool, int)


class LockingConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions queue on the database's writer lock.

    The lock (:class:`pos.core.writer_lock.WriterLock`) is the connection's own: ``flock``
    locks belong to an open file, so connections of one process (threads) exclude each other
    as processes do.
    """

    lock_path: str | None = None
    checkpointer: Checkpointer | None = None  # a file database's (see pos.core.checkpoint)
    _lock: WriterLock | None = None

    def lock_for_write(self) -> None:
        """Wait for the database's writer lock (no-op for an in-memory database).

        The wait is bounded like SQLite's busy timeout: a writer that never lets go gets
        "database is locked", answered 503.
        """
        if self.lock_path is None:
            return
        if self._lock is None:
            self._lock = WriterLock(self.lock_path)
        if not self._lock.acquire(SQLITE_BUSY_TIMEOUT_MS / 1000):
            # as SQLAlchemy wraps the driver's own, so it is answered 503 likewise
            raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError(
                "database is locked")) from None

    def _unlock(self) -> bool:
        # Let the next writer in; tell whether this connection held the lock.
        if self._lock is None or not self._lock.held:
            return False
        self._lock.release()
        return True

    def commit(self) -> None:
        """Commit, then let the next writer in (and have the WAL checkpointed soon)."""
        try:
            super().commit()
        finally:
            wrote = self._unlock()
        if wrote and self.checkpointer is not None:
            self.checkpointer.committed()

    def rollback(self) -> None:
        """Roll back, then let the next writer in."""
        try:
            super().rollback()
        finally:
            self._unlock()

    def close(self) -> None:
        """Close the connection and its lock's files."""
        try:
            super().close()
        finally:
            if self._lock is not None:
                self._lock.close()
                self._lock = None


def _writer_lock_path(engine: Engine) -> str | None:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return os.path.abspath(database) + "-writelock"


class JsonText(str):
    """JSON already written: a JSON column stores it as it is instead of serialising it again.

    For a document the same request also hashes or answers with: its text is written once.
    """


def _json_serializer(value: Any) -> str:
    # What every JSON column's bind goes through (SQLAlchemy's default is json.dumps). Most
    # values are empty (a line's discounts, a payment's details): no encoder for those.
    if isinstance(value, JsonText):
        return value
    if not value and type(value) in _EMPTY:
        return _EMPTY[type(value)]
    return json.dumps(value)


_EMPTY = {list: "[]", dict: "{}"}


def insert_for(dialect: str) -> Any:
    """Return the dialect's ``insert``, which has ``ON CONFLICT`` (both databases do)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create the engine for ``url`` with the per-dialect settings this service relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False,
                          "factory": LockingConnection},
            json_serializer=_json_serializer,
            # The connection used last comes first: its SQLite page cache is the warmest
            # (first-in-first-out hands out the one that has seen the fewest recent writes).
            pool_use_lifo=True,
        )
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, echo=echo, pool_size=10, max_overflow=10,
                           json_serializer=_json_serializer)
    _ping_when_idle(engine)
    later.watch(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before reuse only if it sat idle for a while.

    ``pool_pre_ping`` pings on every checkout: a round trip and a statement for the server on
    each of a request's transactions, a sixth of one-shot throughput on PostgreSQL. A connection
    in steady use cannot have gone stale unnoticed (a failing statement invalidates the pool and
    answers 503); one idle since before a database restart can, and is checked first.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["pos.checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("pos.checked_in_at")
        if since is None or time.monotonic() - since < IDLE_PING_AFTER_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure means "get another one"
            raise DisconnectionError("stale pooled connection") from error


def _configure_sqlite(engine: Engine) -> None:
    lock_path = _writer_lock_path(engine)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, emit BEGIN, so we choose IMMEDIATE or DEFERRED.
        dbapi_connection.isolation_level = None
        dbapi_connection.lock_path = lock_path
        cursor = dbapi_connection.cursor()
        if lock_path is not None:  # a file: its WAL is checkpointed by a thread, not commits
            dbapi_connection.checkpointer = checkpointer(os.path.abspath(engine.url.database))
            cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        dbapi_connection = connection.connection.dbapi_connection
        if mode == "IMMEDIATE":
            dbapi_connection.lock_for_write()
        try:
            connection.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            dbapi_connection.rollback()  # no transaction began: just let the next writer in
            raise


@dataclass(frozen=True)
class Phases:
    """A use case's read phase and its write phase, each entered once, read first.

    ``read()`` gives the session to resolve and price in; ``write()`` the one to write in,
    committed when its block ends (rolled back if it raises). See
    :meth:`Database.read_then_write`.
    """

    read: Callable[[], AbstractContextManager[Session]]
    write: Callable[[], AbstractContextManager[Session]]


@contextmanager
def _going_on(session: Session) -> Iterator[Session]:
    # The read phase of one transaction: it goes on into the write phase.
    yield session


@contextmanager
def _committed(session: Session) -> Iterator[Session]:
    # The write phase of one transaction: committed at its end, rolled back if it raises.
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()


class Database:
    """Own the engine and hand out sessions: one transaction per use case."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._read_engine = self.engine.execution_options(sqlite_begin="DEFERRED")
        self._reader = sessionmaker(self._read_engine, expire_on_commit=False)
        self._lock_path = _writer_lock_path(self.engine) if self.dialect == "sqlite" else None
        # psycopg answers a ROLLBACK by dropping every statement it prepared on the connection
        # (DEALLOCATE ALL, a round trip of its own): a read that wrote nothing commits instead,
        # so its connection keeps them. A read that raised still rolls back.
        self._reads_end_by_commit = self.dialect == "postgresql"

    def writer_busy(self) -> bool:
        """Tell whether a writer holds the database-wide writer lock at this moment.

        A hint for choosing how to write, not a lock: the answer may change at once. Only a
        SQLite file has such a lock (its writers queue on it); PostgreSQL writers lock rows,
        and an in-memory database has one connection: both answer False.
        """
        if self._lock_path is None:
            return False
        return is_busy(self._lock_path)

    @property
    def dialect(self) -> str:
        """Return the dialect name (``sqlite`` or ``postgresql``)."""
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Open a write transaction: commit on success, roll back on any exception."""
        with self._writer() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Open a read-only transaction that never takes the write lock."""
        # Closing (not rolling back) ends the transaction without expiring loaded objects,
        # so results stay readable after the block.
        with self._reader() as session:
            yield session
            if self._reads_end_by_commit:
                session.commit()

    @contextmanager
    def read_then_write(self) -> Iterator[Phases]:
        """Give a use case that prices before it writes its two phases (see :class:`Phases`).

        SQLite writers queue on one lock, so the read phase is a read transaction and the write
        phase a write transaction of its own: no writer waits for another's pricing. PostgreSQL
        writers lock only the rows they write, so there both phases are one write transaction
        on one pooled connection: no BEGIN and ROLLBACK round trips for a read transaction of
        its own, whose ROLLBACK would also make psycopg drop its prepared statements. A phase
        left early (a return or an exception in the read phase) writes nothing: leaving the
        block rolls back a transaction that was not committed.
        """
        if self.dialect == "sqlite":
            yield Phases(self.read, self.transaction)
            return
        with self._writer() as session:
            yield Phases(lambda: _going_on(session), lambda: _committed(session))

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """Open a read-only Core connection (no ORM session) for a hot single-query read."""
        with self._read_engine.connect() as connection:
            yield connection
            if self._reads_end_by_commit:
                connection.commit()

    def ping(self) -> bool:
        """Tell whether the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - health check reports any failure as "unreachable"
            return False

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
