"""Batched hops on PostgreSQL in ONE statement: idempotency marks, first-hop raw payloads, journal rows
and business keys, written by the group committer (see :mod:`crossdock.broker.group_commit`).

The hops travel as one JSON parameter (``json_to_recordset``: one C-speed ``json.dumps`` here, one
parse there) into a statement of data-modifying CTEs: the marks go in with ``ON CONFLICT DO NOTHING``
and ``RETURNING`` their token, and only a hop whose mark went in keeps its raw payload; the others are
journaled ``duplicate``. On a connection in autocommit mode the statement is its own transaction, so
a batch costs one round trip, and PostgreSQL prepares the statement once (its text never changes).

Each thread that writes or checks keeps its own :class:`HopConnection`: no pool checkout, ping or ORM
session per batch. SQLite keeps the repositories' own bulk methods (one writer at a time anyway).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.idempotency import KeyState, Mark
from crossdock.store.journal import HopStatus, JournalEvent, event_values, key_pairs
from crossdock.store.raw import NewPayload, sha256_hex

_WRITE = """
WITH u AS (
    SELECT * FROM json_to_recordset(%(hops)s::json) AS u(
        n int, step text, key text, token text, mark_message_id text, journaled bool,
        message_id text, correlation_id text, causation_id text, idempotency_key text, actor text, queue text,
        status text, started_at timestamptz, finished_at timestamptz, duration_ms float8, payload_sha256 text,
        error_class text, error_message text, retries int,
        content text, size bigint, source text, raw_name text, content_type text, raw_sha256 text)
), m AS (
    INSERT INTO idempotency_keys (step, key, state, token, message_id, attempts, claimed_at, finished_at)
    SELECT step, key, %(done)s, token, mark_message_id, 1, %(now)s, %(now)s FROM u
    ORDER BY step, key  -- one lock order: concurrent batches cannot deadlock
    ON CONFLICT DO NOTHING RETURNING token
), firsts AS (
    SELECT u.n, u.raw_sha256, u.source, u.raw_name, u.size, u.content, u.content_type,
           row_number() OVER (ORDER BY u.n) AS i
    FROM u JOIN m USING (token) WHERE u.journaled AND u.content IS NOT NULL
), r AS (
    INSERT INTO raw_payloads (sha256, source, name, size, content, content_type, received_at)
    SELECT raw_sha256, source, raw_name, size, decode(content, 'hex'), content_type, %(now)s FROM firsts
    ORDER BY i  -- ids come from the sequence in this order
    RETURNING id
), raw_ids AS (
    SELECT firsts.n, r.id FROM (SELECT id, row_number() OVER (ORDER BY id) AS i FROM r) AS r JOIN firsts USING (i)
), j AS (
    INSERT INTO journal (message_id, correlation_id, causation_id, idempotency_key, actor, queue, status,
                         started_at, finished_at, duration_ms, payload_sha256, error_class, error_message,
                         retries, raw_payload_id)
    SELECT u.message_id, u.correlation_id, u.causation_id, u.idempotency_key, u.actor, u.queue,
           CASE WHEN m.token IS NULL THEN %(duplicate)s ELSE u.status END,
           u.started_at, u.finished_at, u.duration_ms, u.payload_sha256, u.error_class, u.error_message,
           u.retries, raw_ids.id
    FROM u LEFT JOIN m USING (token) LEFT JOIN raw_ids USING (n) WHERE u.journaled ORDER BY u.n
), k AS (
    INSERT INTO message_keys (message_id, kind, value, correlation_id)
    SELECT DISTINCT ON (message_id, kind, value) message_id, kind, value, correlation_id
    FROM json_to_recordset(%(keys)s::json) AS k(message_id text, kind text, value text, correlation_id text)
    ON CONFLICT DO NOTHING
)
SELECT token FROM m
"""
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
SELECT 1
"""
_MARKED = (
    "SELECT k.step, k.key FROM idempotency_keys AS k "
    "JOIN unnest(%(steps)s::text[], %(keys)s::text[]) AS q(step, key) ON k.step = q.step AND k.key = q.key"
)


@dataclass(frozen=True, slots=True)
class BatchedHop:
    """One hop for :meth:`HopConnection.write`: its mark, its journal event (``None``: mark only) and,
    for a first hop, its raw payload. If another delivery marked the key first, the event is written
    with status ``duplicate`` and the payload is not kept."""

    mark: Mark
    event: JournalEvent | None = None
    payload: NewPayload | None = None


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot put a {type(value).__name__} into a hop batch")


def _dumps(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, default=_json_default)


def record_hop(session: Session, event: JournalEvent, payload: NewPayload | None) -> None:
    """One hop's raw payload (if given), journal row and business keys in ONE statement, inside
    ``session``'s transaction (PostgreSQL; the per-hop path joins its claim's transaction)."""
    keys: list[dict[str, Any]] = []
    row = _row(event, payload, keys)
    session.connection().exec_driver_sql(_RECORD, {"hops": _dumps([row]), "keys": _dumps(keys), "now": utcnow()})


def _row(event: JournalEvent | None, payload: NewPayload | None, keys: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON row of one hop's journal event and raw payload; its business keys go to ``keys``."""
    row: dict[str, Any]
    if event is None:
        row = {"journaled": False}
    else:
        row = {**event_values(event), "journaled": True}
        row["started_at"] = row["started_at"].isoformat()  # not through json's default hook: per hop
        if row["finished_at"] is not None:
            row["finished_at"] = row["finished_at"].isoformat()
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


def _hop_rows(hops: Sequence[BatchedHop]) -> tuple[list[str], str, str]:
    """(tokens, hops JSON, business keys JSON) for :data:`_WRITE`."""
    tokens: list[str] = []
    rows: list[dict[str, Any]] = []
    keys: list[dict[str, Any]] = []
    for n, hop in enumerate(hops):
        token = os.urandom(16).hex()
        tokens.append(token)
        row = _row(hop.event, hop.payload, keys)
        row.update(n=n, step=hop.mark.step, key=hop.mark.key, token=token, mark_message_id=hop.mark.message_id)
        rows.append(row)
    return tokens, _dumps(rows), _dumps(keys)


class HopConnection:
    """One thread's own PostgreSQL connection (autocommit) for batched hops. Connects on first use and
    again after a failure; call :meth:`close` when the thread stops."""

    def __init__(self, db: Database) -> None:
        if db.backend != "postgresql":
            raise ValueError("HopConnection is for PostgreSQL; SQLite uses the repositories' bulk methods")
        self._db = db
        self._pooled: Any = None

    @property
    def connection(self) -> Any:
        """The psycopg connection (autocommit), connected on first use."""
        if self._pooled is None:
            pooled = self._db.engine.raw_connection()
            conn: Any = pooled.driver_connection
            conn.autocommit = True
            self._pooled = pooled
        return self._pooled.driver_connection

    @contextmanager
    def _using(self) -> Iterator[Any]:
        conn = self.connection
        try:
            yield conn
        except Exception:
            if conn.closed or conn.broken:
                self._discard()
            raise

    def write(self, hops: Sequence[BatchedHop]) -> list[bool]:
        """Write the hops in one statement (one transaction, unless the caller opened one with
        ``connection.transaction()``); per hop, whether its mark went in (``False``: a duplicate)."""
        if not hops:
            return []
        tokens, rows, keys = _hop_rows(hops)
        params = {
            "hops": rows,
            "keys": keys,
            "now": utcnow(),
            "done": KeyState.DONE.value,
            "duplicate": HopStatus.DUPLICATE.value,
        }
        with self._using() as conn:
            won = {token for (token,) in conn.execute(_WRITE, params).fetchall()}
        return [token in won for token in tokens]

    def marked(self, pairs: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (step, key) pairs have a mark (done or in progress): one read."""
        if not pairs:
            return set()
        unique = list(dict.fromkeys(pairs))
        params = {"steps": [s for s, _ in unique], "keys": [k for _, k in unique]}
        with self._using() as conn:
            return {(step, key) for step, key in conn.execute(_MARKED, params).fetchall()}

    def close(self) -> None:
        pooled, self._pooled = self._pooled, None
        if pooled is not None:
            try:
                pooled.driver_connection.autocommit = False
            except Exception:  # a broken connection: the pool replaces it
                pooled.invalidate()
            pooled.close()

    def _discard(self) -> None:
        pooled, self._pooled = self._pooled, None
        if pooled is not None:
            pooled.invalidate()
            pooled.close()
