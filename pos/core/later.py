"""Statements sent with the next one: a write whose answer can wait costs no round trip.

With sync workers, each round trip to PostgreSQL is time a worker serves nobody, and on a
shared machine it costs each side a wake-up. A use case that writes something whose answer it
needs only before its commit (a card sale's points, checked for a guard that rarely fails)
queues the statement on its connection (:meth:`pos.core.direct.Direct.later`); the next
statement :class:`~pos.core.direct.Direct` sends on that connection takes it along in one
psycopg pipeline, queued statements first, so what follows sees their writes. What is still
queued when anything else is about to run on the connection (a Core or ORM statement) or when
the transaction commits is sent then, alone; a rollback drops it. The use case reads the
queued statement's rows from its :class:`Later` before it commits (:func:`before_commit`).

Only psycopg pipelines, on an engine watched by :func:`watch` (which drops the queue at a
rollback), in a transaction begun: elsewhere (SQLite, or while statements are observed) a
statement is sent at once and its :class:`Later` comes back answered. ``exec_driver_sql``
fires no ``before_execute``: a caller that uses it on a connection with statements queued
sends them first (:func:`send_queued`). The hooks belong to the session's outermost
transaction: a savepoint's release runs none, its rollback drops none.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

_QUEUED = "pos.later"  # in a connection's info: [(sql, parameters, Later)]
_HOOKS = "pos.before_commit"  # in a session's info: what runs before it commits
_WATCHED: weakref.WeakSet[Any] = weakref.WeakSet()  # the pools of engines watch() watches


class Later:
    """A statement queued to go with the next one; its rows once it has gone."""

    __slots__ = ("read", "rows")

    def __init__(self, read: Callable[[Any], list[Any]] | None, rows: list[Any] | None = None
                 ) -> None:
        self.read = read  # (the cursor it ran on) -> its rows; None: answered when made
        self.rows = rows

    def answer(self, connection: Connection) -> list[Any]:
        """Return its rows, sending it (and what waits with it) now if it has not gone yet."""
        if self.rows is None:
            send_queued(connection)
        if self.rows is None:  # (its pipeline failed, and the failure was caught)
            raise RuntimeError("a queued statement was never answered: its transaction failed")
        return self.rows


def can_queue(connection: Connection) -> bool:
    """Tell whether statements may be queued on this connection now (see the module)."""
    return connection.engine.pool in _WATCHED and connection.in_transaction()


def queue(connection: Connection, sql: str, parameters: Any, later: Later) -> None:
    """Queue a statement to go with the next one sent on this connection."""
    connection.info.setdefault(_QUEUED, []).append((sql, parameters, later))


def is_queued(connection: Connection) -> bool:
    """Tell whether statements wait to go with the next one."""
    return bool(connection.info.get(_QUEUED))


def send_with(connection: Connection, call: Callable[[str, Any], Any] | None, sql: str,
              parameters: Any) -> None:
    """Send what waits on ``connection`` and then ``call(sql, parameters)``, in one pipeline."""
    queued = connection.info.pop(_QUEUED, None) or []
    driver = connection.connection.driver_connection
    assert driver is not None
    cursors = []
    try:
        with driver.pipeline():
            for queued_sql, queued_parameters, later in queued:
                cursor = driver.cursor()
                cursors.append((cursor, later))
                cursor.execute(queued_sql, queued_parameters)
            if call is not None:
                call(sql, parameters)
        for cursor, later in cursors:
            assert later.read is not None
            later.rows = later.read(cursor)
    except connection.dialect.loaded_dbapi.Error as error:
        # (which one failed is not told apart: it names the queued statements, then this one)
        named = "\n".join([*(queued_sql for queued_sql, _, _ in queued), sql])
        raise DBAPIError.instance(named, parameters, error,
                                  connection.dialect.loaded_dbapi.Error,
                                  dialect=connection.dialect) from error
    finally:
        for cursor, _ in cursors:
            cursor.close()


def send_queued(connection: Connection) -> None:
    """Send what waits on ``connection`` now (no statement to go with)."""
    if is_queued(connection):
        send_with(connection, None, "(queued statements)", None)


def before_commit(session: Session, hook: Callable[[], object]) -> None:
    """Have ``hook`` run when the session commits, before anything is committed."""
    session.info.setdefault(_HOOKS, []).append(hook)


def watch(engine: Engine) -> None:
    """Send what is queued before any other statement and at commit; drop it at rollback.

    Statements are queued only on the connections of engines watched so, and only where the
    driver pipelines (psycopg, with a libpq that can).
    """
    import psycopg

    if engine.dialect.driver != "psycopg" or not psycopg.Pipeline.is_supported():
        return
    _WATCHED.add(engine.pool)

    # (a connection whose link was lost has nothing queued: its DBAPI connection's info went
    # with it, and SQLAlchemy refuses to use it until rolled back)
    @event.listens_for(engine, "before_execute")
    def _before_execute(connection: Connection, *_args: Any) -> None:
        if not connection.invalidated and is_queued(connection):
            send_queued(connection)

    @event.listens_for(engine, "commit")
    def _on_commit(connection: Connection) -> None:
        if not connection.invalidated and is_queued(connection):
            try:
                send_queued(connection)
            except BaseException:
                # Outside SQLAlchemy's own handling here: the server's transaction is left
                # failed, and the pool, seeing no transaction, would hand it out so.
                connection.connection.dbapi_connection.rollback()  # type: ignore[union-attr]
                raise

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection: Connection) -> None:
        if not connection.invalidated:
            connection.info.pop(_QUEUED, None)

    @event.listens_for(engine, "reset")
    def _on_reset(_dbapi_connection: Any, record: Any, _state: Any) -> None:
        record.info.pop(_QUEUED, None)  # (a connection handed back to the pool unfinished)


@event.listens_for(Session, "before_commit")
def _run_hooks(session: Session) -> None:
    # Only the outermost transaction's commit (a savepoint's release fires this too); a hook
    # may queue or run statements of its own, and hooks added meanwhile run too.
    if session.in_nested_transaction():
        return
    hooks = session.info.get(_HOOKS)
    while hooks:
        hooks.pop(0)()


@event.listens_for(Session, "after_transaction_end")
def _drop_hooks(session: Session, transaction: Any) -> None:
    # The outermost transaction ended (committed, rolled back or closed): its hooks go.
    if transaction.parent is None:
        session.info.pop(_HOOKS, None)
