"""One hop's journal work on PostgreSQL in ONE statement: the first hop's raw payload, the journal row
and the business keys, inside the hop's own transaction (the one its idempotency mark went in with).

The row travels as one JSON parameter (``json_to_recordset``) into a statement of data-modifying
CTEs, so PostgreSQL prepares it once (its text never changes) and the hop costs one round trip for all
three tables. SQLite uses the repositories (one writer at a time anyway).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crossdock.store.base import utcnow
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
SELECT 1
"""


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot put a {type(value).__name__} into a hop's journal row")


def _dumps(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, default=_json_default)


def record_hop(session: Session, event: JournalEvent, payload: NewPayload | None) -> None:
    """One hop's raw payload (if given), journal row and business keys in ONE statement, inside
    ``session``'s transaction (PostgreSQL; the hop's claim transaction)."""
    keys: list[dict[str, Any]] = []
    row = _row(event, payload, keys)
    session.connection().exec_driver_sql(_RECORD, {"hops": _dumps([row]), "keys": _dumps(keys), "now": utcnow()})


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
