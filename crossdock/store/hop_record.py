"""A hop's database work on PostgreSQL in as few round trips as it can take, in ONE transaction:

1. ``BEGIN`` and the idempotency mark (insert-or-ignore) go out together in one pipeline
   (:meth:`HopTransactions.begin`), on a connection of the hop path's own pool, which skips the
   pre-ping (a broken connection fails the hop's claim, which is retried, and is replaced);
2. the step's own effects, through the transaction's session;
3. the first hop's raw payload, the journal row, the business keys, and whether an exception item is
   open for the hop's step and key, in ONE statement (:func:`record_hop`): the row travels as one JSON
   parameter (``json_to_recordset``) into data-modifying CTEs, prepared once (its text never changes);
4. ``COMMIT``.

Four round trips instead of seven (pre-ping, ``BEGIN``, mark, effect, rows, item check, ``COMMIT``).
SQLite keeps the repositories (one writer at a time anyway).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy.orm import Session, sessionmaker

from crossdock.store.base import utcnow
from crossdock.store.engine import Database, StoreUnavailableError, translate_errors
from crossdock.store.journal import JournalEvent, event_values, key_pairs
from crossdock.store.raw import NewPayload, sha256_hex

# One hop's raw payload (first hop only), journal row and business keys, in the caller's transaction:
# the one-transaction-per-hop path, whose mark went in when its claim was opened.
_RECORD = """
WITH u AS (
    SELECT * FROM json_to_recordset(%(hops)s::json) AS u(
        message_id text, correlation_id text, causation_id text, idempotency_key text, actor text, queue text,
        status text, started_at timestamptz, finished_at timestamptz, duration_ms float8, payload_sha256 text,
        error_class text, error_message text, retries int,
        content text, size bigint, source text, raw_name text, content_type text, raw_sha256 text)
), r AS (
    INSERT INTO raw_payloads (sha256, source, name, size, content, content_type, received_at)
    SELECT raw_sha256, source, raw_name, size, decode(content, 'hex'), content_type, %(now)s FROM u
    WHERE content IS NOT NULL
    RETURNING id
), j AS (
    INSERT INTO journal (message_id, correlation_id, causation_id, idempotency_key, actor, queue, status,
                         started_at, finished_at, duration_ms, payload_sha256, error_class, error_message,
                         retries, raw_payload_id)
    SELECT message_id, correlation_id, causation_id, idempotency_key, actor, queue, status, started_at,
           finished_at, duration_ms, payload_sha256, error_class, error_message, retries, (SELECT id FROM r)
    FROM u
), k AS (
    INSERT INTO message_keys (message_id, kind, value, correlation_id)
    SELECT DISTINCT ON (message_id, kind, value) message_id, kind, value, correlation_id
    FROM json_to_recordset(%(keys)s::json) AS k(message_id text, kind text, value text, correlation_id text)
    ON CONFLICT DO NOTHING
)
SELECT EXISTS (
    SELECT 1 FROM exception_items
    WHERE idempotency_key = %(resolve_key)s AND actor = %(resolve_step)s AND status = 'open'
)
"""
_MARK = (
    "INSERT INTO idempotency_keys (step, key, state, token, message_id, attempts, claimed_at, finished_at) "
    "VALUES (%(step)s, %(key)s, 'done', %(token)s, %(message_id)s, 1, %(now)s, %(now)s) "
    "ON CONFLICT DO NOTHING RETURNING 1"
)


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot put a {type(value).__name__} into a hop's journal row")


def _dumps(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, default=_json_default)


def record_hop(
    session: Session, event: JournalEvent, payload: NewPayload | None, *, resolves: tuple[str, str] | None = None
) -> bool:
    """One hop's raw payload (if given), journal row and business keys in ONE statement, inside
    ``session``'s transaction (PostgreSQL). ``resolves``: the (step, idempotency key) of a hop that
    succeeded; returns whether an exception item is open for it (to resolve in the same transaction)."""
    keys: list[dict[str, Any]] = []
    row = _row(event, payload, keys)
    step, key = resolves or (None, None)
    params = {
        "hops": _dumps([row]),
        "keys": _dumps(keys),
        "now": utcnow(),
        "resolve_step": step,
        "resolve_key": key,
    }
    return bool(session.connection().exec_driver_sql(_RECORD, params).scalar())


def _row(event: JournalEvent, payload: NewPayload | None, keys: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON row of one hop's journal event and raw payload; its business keys go to ``keys``."""
    row: dict[str, Any] = event_values(event)
    if event.business_keys:
        ids = {"message_id": event.message_id, "correlation_id": event.correlation_id}
        keys += [{**ids, "kind": kind, "value": value} for kind, value in key_pairs(event.business_keys)]
    if payload is not None:
        row["content"] = payload.content.hex()
        row["size"] = len(payload.content)
        row["source"] = payload.source
        row["raw_name"] = payload.name
        row["content_type"] = payload.content_type
        row["raw_sha256"] = payload.sha256 or sha256_hex(payload.content)
    return row


class HopTransactions:
    """The write transactions of hops on PostgreSQL, from the database's hop pool (no pre-ping; see
    the module's doc and :meth:`Database.hop_engine`). Creating it connects to nothing."""

    def __init__(self, db: Database) -> None:
        if db.backend != "postgresql":
            raise ValueError("HopTransactions is for PostgreSQL; on SQLite use IdempotencyKeys.once")
        self._db = db
        self._sessions: sessionmaker[Session] | None = None

    @contextmanager
    def once(self, step: str, key: str, *, message_id: str | None = None) -> Iterator[Session | None]:
        """As :meth:`IdempotencyKeys.once`: the mark of (step, key) inserted ``done`` in a transaction
        committed when the block ends without an exception (rolled back otherwise); yields its session,
        or ``None`` (and commits nothing) when the key was processed already."""
        if self._sessions is None:
            self._sessions = sessionmaker(self._db.hop_engine(), expire_on_commit=False)
        with translate_errors(), self._sessions() as session, session.begin():
            if not self._mark(session, step, key, message_id):
                yield None
                return
            yield session

    @staticmethod
    def _mark(session: Session, step: str, key: str, message_id: str | None) -> bool:
        pooled = session.connection().connection
        conn: Any = pooled.driver_connection
        now = utcnow()
        params = {"step": step, "key": key, "token": uuid.uuid4().hex, "message_id": message_id, "now": now}
        try:
            with conn.pipeline():  # BEGIN and the insert in one round trip
                cursor = conn.execute(_MARK, params)
            return cursor.fetchone() is not None
        except psycopg.Error as exc:
            if conn.closed or conn.broken:
                pooled.invalidate()
            raise StoreUnavailableError(f"database unavailable: {exc}") from exc
