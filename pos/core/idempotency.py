"""Idempotency keys for effectful POSTs: a retry gets the first response, never a second effect.

The first request with a key records it ``in_flight``; when it finishes, its status and body are
stored and any retry with the same key and request replays them: the same method, path, query
and JSON document (whitespace and key order aside). The same key with another request is
refused (422 ``idempotency_key_reused``); a retry while the first is still running gets 409
``idempotency_in_flight``. A record left ``in_flight`` by a crashed worker is taken over after
:data:`STALE_AFTER`, and the use case itself must then be safe to re-run (receipts carry a client
UUID for exactly that). Records are kept at least the configured number of days.

A hot use case can instead record its key *in its own write transaction* (:class:`Claim`): the
key's primary key then guards the effect itself, so a keyed request costs no transaction of its
own, not even a read, and there is no ``in_flight`` state to go stale. A retry or a concurrent
twin fails on the key when it writes and replays the stored response (a use case that finds its
effect already done, as a receipt finds its client UUID, replays it without writing). Such a use
case does not store refusals: a refused request wrote nothing, so its retry simply runs again.

Expired records are deleted by ``pos idempotency purge`` (:func:`purge_expired`, in batches)
and, lazily, by keyed requests themselves (:func:`purge_now_and_then`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, String, delete, select, tuple_, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from pos.core.db import Base, Database, UTCDateTime, insert_for
from pos.core.direct import Direct
from pos.core.errors import ConflictError, ValidationError

STALE_AFTER = timedelta(minutes=2)
MAX_KEY_LENGTH = 200
PURGE_BATCH = 1000
# The lazy purge: every LAZY_PURGE_EVERY-th key a process records, it deletes at most twice
# that many expired ones. Deleting up to two keys per key recorded drains any backlog and
# keeps the table at what the TTL holds, at whatever rate keys come; the work is bounded (one
# indexed delete of a few hundred rows, a few ms) and paid by one keyed request in a hundred,
# never by every request; a quiet store records no keys and needs no purge.
LAZY_PURGE_EVERY = 100

log = logging.getLogger(__name__)


class IdempotencyRecord(Base):
    """A remembered request: its body's hash and, once done, its response."""

    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12))
    response_status: Mapped[int | None]
    response_body: Mapped[Any] = mapped_column(JSON, nullable=True)
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


@dataclass(frozen=True)
class StoredResponse:
    """The first response to a key, to be replayed."""

    status: int
    body: Any


def request_fingerprint(method: str, target: str, body: bytes) -> str:
    """Hash what makes two requests "the same": method, target and canonical JSON body.

    ``target`` is the path, with ``?`` and the query when there is one. A body that is no
    JSON is hashed as its text; an empty one as ``null``.
    """
    try:
        document = json.loads(body or b"null")
    except ValueError:
        return _fingerprint(method, target, body.decode("utf-8", "replace"))
    return document_fingerprint(method, target, document)


def document_fingerprint(method: str, target: str, document: Any) -> str:
    """Hash a request whose JSON body is already parsed, as :func:`request_fingerprint` does.

    Bodies that differ only in whitespace or key order are the same document.
    """
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return _fingerprint(method, target, canonical)


def _fingerprint(method: str, target: str, canonical: str) -> str:
    return hashlib.sha256(f"{method} {target}\n{canonical}".encode()).hexdigest()


def check_key(key: str) -> None:
    """Refuse keys that are empty or too long to store."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationError(
            "Idempotency-Key must be 1-200 printable characters",
            code="invalid_idempotency_key", field="Idempotency-Key",
        )


def begin(
    db: Database, scope: str, key: str, fingerprint: str, now: datetime, ttl: timedelta
) -> StoredResponse | None:
    """Claim ``key`` for a new request, or return the stored response to replay."""
    check_key(key)
    table = IdempotencyRecord.__table__
    # Core on a bare connection, not the ORM: this runs on every keyed request. A new key
    # costs one INSERT ... ON CONFLICT DO NOTHING; only a retry reads the stored record.
    try:
        with db.engine.begin() as connection:
            claim = insert_for(connection.dialect.name)(table).values(
                scope=scope, key=key, request_hash=fingerprint, state="in_flight",
                locked_at=now, expires_at=now + ttl,
            ).on_conflict_do_nothing().returning(table.c.scope)
            if connection.execute(claim).first() is not None:  # not rowcount: -1 on psycopg
                return None
            record = connection.execute(
                select(table.c.request_hash, table.c.state, table.c.response_status,
                       table.c.response_body, table.c.locked_at)
                .where(table.c.scope == scope, table.c.key == key)
            ).one_or_none()
            if record is None:  # released between our insert and read: the first one failed
                raise _in_flight()
            if record.request_hash != fingerprint:
                raise ValidationError(
                    "This Idempotency-Key was used with a different request",
                    code="idempotency_key_reused", field="Idempotency-Key",
                )
            if record.state == "done":
                return StoredResponse(record.response_status or 200, record.response_body)
            if now - _aware(record.locked_at) < STALE_AFTER:
                raise _in_flight()
            # the first attempt died; this one takes over
            connection.execute(update(table).where(table.c.scope == scope, table.c.key == key)
                               .values(locked_at=now))
            return None
    except IntegrityError:
        raise _in_flight() from None


_RECORD = Direct(IdempotencyRecord.__table__.insert())


@dataclass(frozen=True)
class Claim:
    """A keyed request whose record is written in the same transaction as its effect."""

    scope: str
    key: str
    fingerprint: str
    now: datetime
    ttl: timedelta

    def record(self, session: Session, status: int, body: Any) -> None:
        """Store the response in the caller's write transaction (conflicts with a twin)."""
        _RECORD.count(session.connection(), dict(
            scope=self.scope, key=self.key, request_hash=self.fingerprint, state="done",
            response_status=status, response_body=body, locked_at=self.now,
            expires_at=self.now + self.ttl))

    def stored(self, db: Database) -> StoredResponse | None:
        """Return the response stored for this key, if its request already ran."""
        return stored_response(db, self.scope, self.key, self.fingerprint)


def stored_response(db: Database, scope: str, key: str, fingerprint: str
                    ) -> StoredResponse | None:
    """Return the stored response to replay for ``key``, if its request already ran.

    Read-only: it neither claims the key nor waits for anyone.
    """
    check_key(key)
    table = IdempotencyRecord.__table__
    with db.read_connection() as connection:
        record = connection.execute(
            select(table.c.request_hash, table.c.state, table.c.response_status,
                   table.c.response_body)
            .where(table.c.scope == scope, table.c.key == key)).one_or_none()
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise ValidationError(
            "This Idempotency-Key was used with a different request",
            code="idempotency_key_reused", field="Idempotency-Key",
        )
    if record.state != "done":
        raise _in_flight()
    return StoredResponse(record.response_status or 200, record.response_body)


def finish(db: Database, scope: str, key: str, status: int, body: Any) -> None:
    """Store the response of a finished request for replays."""
    table = IdempotencyRecord.__table__
    with db.engine.begin() as connection:
        connection.execute(update(table).where(table.c.scope == scope, table.c.key == key)
                           .values(state="done", response_status=status, response_body=body))


def release(db: Database, scope: str, key: str) -> None:
    """Forget a key whose request failed in a way worth retrying (server error, conflict)."""
    table = IdempotencyRecord.__table__
    with db.engine.begin() as connection:
        connection.execute(delete(table).where(table.c.scope == scope, table.c.key == key))


def purge_expired(db: Database, now: datetime, *, batch_size: int = PURGE_BATCH,
                  max_batches: int | None = None) -> int:
    """Delete records whose ``expires_at`` has passed, a batch per transaction; return how many.

    Short transactions keep tills writing meanwhile; on PostgreSQL rows another purge holds
    are skipped (``SKIP LOCKED``), so two purges never wait for or deadlock on each other.
    """
    table = IdempotencyRecord.__table__
    # Chosen once, as a materialised CTE: as an IN subquery PostgreSQL may run it again for
    # each outer row, and each run skips the rows this statement already deleted, so a batch
    # could take far more than its size.
    expired = (select(table.c.scope, table.c.key).where(table.c.expires_at < now)
               .limit(batch_size).with_for_update(skip_locked=True)
               .cte("expired").prefix_with("MATERIALIZED", dialect="postgresql"))
    batch = delete(table).where(tuple_(table.c.scope, table.c.key).in_(
        select(expired.c.scope, expired.c.key))).returning(table.c.scope)
    total = batches = 0
    while max_batches is None or batches < max_batches:
        with db.engine.begin() as connection:
            # Counted from what it returns: SQLite's driver has no row count for a WITH.
            deleted = len(connection.execute(batch).all())
        total, batches = total + deleted, batches + 1
        if deleted < batch_size:
            break
    return total


class PurgeSchedule:
    """Count the keys one app records, to purge expired ones now and then (thread-safe)."""

    def __init__(self, every: int = LAZY_PURGE_EVERY) -> None:
        self.every = every
        self._recorded = 0
        self._lock = threading.Lock()

    def is_due(self) -> bool:
        """Count a recorded key; tell whether this one should purge."""
        with self._lock:
            self._recorded += 1
            return self._recorded % self.every == 0


def purge_now_and_then(db: Database, now: datetime, schedule: PurgeSchedule) -> int:
    """Count a recorded key; every so often delete one bounded batch of expired keys.

    Runs in its own transaction, never in a use case's; a failure is logged, never raised:
    the request it rides on has done its work.
    """
    if not schedule.is_due():
        return 0
    try:
        return purge_expired(db, now, batch_size=2 * schedule.every, max_batches=1)
    except SQLAlchemyError as error:
        log.warning("lazy purge of idempotency keys failed: %s", type(error).__name__)
        return 0


def _aware(moment: datetime) -> datetime:
    # UTCDateTime gives aware values back; a bare Core select of the column does too, but
    # be explicit in case a driver hands back a naive UTC value.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _in_flight() -> ConflictError:
    return ConflictError(
        "A request with this Idempotency-Key is still being processed",
        code="idempotency_in_flight",
    )
