"""Message journal: one append-only row per hop event of a message, plus the business keys each
message carries (indexed for ``trace``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.insert_ignore import insert_ignore_many
from crossdock.store.models import JournalRow, MessageKeyRow

MAX_ERROR_CHARS = 4000
_TABLE = JournalRow.__table__
assert isinstance(_TABLE, Table)
# Core statements on the table, not the mapped class: an ORM-enabled insert goes through the ORM's
# bulk persistence machinery, several times the CPU per row.
_INSERT = insert(_TABLE).returning(_TABLE.c.id)
BusinessKeys = Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]]
"""Kind → value(s), ``{"marketplace_order": "1001", "tracking_number": ["1Z1", "1Z2"]}``, or
(kind, value) pairs, ``[("tracking_number", "1Z1"), ("tracking_number", "1Z2")]``."""


class HopStatus(StrEnum):
    RECEIVED = "received"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RETRIED = "retried"
    DEAD_LETTERED = "dead_lettered"
    PARKED = "parked"
    """A business error: not retried; an exception work item was opened for a person."""
    DUPLICATE = "duplicate"
    REPLAYED = "replayed"
    IGNORED = "ignored"
    """Received and deliberately not processed (a Shopify webhook topic crossdock does not handle)."""


@dataclass(frozen=True, slots=True)
class JournalEvent:
    """What a middleware hook records. ``duration_ms`` is computed from ``started_at`` and
    ``finished_at`` when not given. ``raw_payload_id`` points into the raw store (first hop only)."""

    message_id: str
    correlation_id: str
    actor: str
    queue: str
    status: HopStatus
    causation_id: str | None = None
    idempotency_key: str | None = None
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None
    duration_ms: float | None = None
    payload_sha256: str | None = None
    error_class: str | None = None
    error_message: str | None = None
    retries: int = 0
    raw_payload_id: int | None = None
    business_keys: BusinessKeys = ()


@dataclass(frozen=True, slots=True)
class Hop:
    """One journal row as read back."""

    id: int
    message_id: str
    correlation_id: str
    causation_id: str | None
    idempotency_key: str | None
    actor: str
    queue: str
    status: HopStatus
    started_at: datetime
    finished_at: datetime | None
    duration_ms: float | None
    payload_sha256: str | None
    error_class: str | None
    error_message: str | None
    retries: int
    raw_payload_id: int | None


def _hop(row: JournalRow) -> Hop:
    return Hop(
        id=row.id,
        message_id=row.message_id,
        correlation_id=row.correlation_id,
        causation_id=row.causation_id,
        idempotency_key=row.idempotency_key,
        actor=row.actor,
        queue=row.queue,
        status=HopStatus(row.status),
        started_at=row.started_at,
        finished_at=row.finished_at,
        duration_ms=row.duration_ms,
        payload_sha256=row.payload_sha256,
        error_class=row.error_class,
        error_message=row.error_message,
        retries=row.retries,
        raw_payload_id=row.raw_payload_id,
    )


def event_values(event: JournalEvent) -> dict[str, object]:
    """The journal row of ``event``, column by column (``duration_ms`` computed, the error message cut)."""
    duration = event.duration_ms
    if duration is None and event.finished_at is not None:
        duration = (event.finished_at - event.started_at).total_seconds() * 1000
    message = event.error_message[:MAX_ERROR_CHARS] if event.error_message else event.error_message
    return {
        "message_id": event.message_id,
        "correlation_id": event.correlation_id,
        "causation_id": event.causation_id,
        "idempotency_key": event.idempotency_key,
        "actor": event.actor,
        "queue": event.queue,
        "status": HopStatus(event.status).value,
        "started_at": event.started_at,
        "finished_at": event.finished_at,
        "duration_ms": duration,
        "payload_sha256": event.payload_sha256,
        "error_class": event.error_class,
        "error_message": message,
        "retries": event.retries,
        "raw_payload_id": event.raw_payload_id,
    }


def key_pairs(keys: BusinessKeys) -> list[tuple[str, str]]:
    """Normalise business keys to distinct (kind, value) pairs; empty values are dropped."""
    pairs: list[tuple[str, str]] = []
    items = keys.items() if isinstance(keys, Mapping) else keys
    for kind, values in items:
        for value in [values] if isinstance(values, str) else values:
            if value:
                pairs.append((kind, str(value)))
    return list(dict.fromkeys(pairs))


class Journal:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, event: JournalEvent, *, session: Session | None = None) -> int:
        """Append one hop event (and its business keys); returns the row id."""
        with self._db.write(session) as s:
            row_id = s.execute(_INSERT, event_values(event)).scalar_one()
            self._add_keys(s, event.message_id, event.correlation_id, event.business_keys)
            return int(row_id)

    def add_keys(
        self, message_id: str, correlation_id: str, keys: BusinessKeys, *, session: Session | None = None
    ) -> None:
        """Attach business keys learned later (an ERP order number, a tracking number) to a message."""
        with self._db.write(session) as s:
            self._add_keys(s, message_id, correlation_id, keys)

    @staticmethod
    def _add_keys(s: Session, message_id: str, correlation_id: str, keys: BusinessKeys) -> None:
        rows = [
            {"message_id": message_id, "kind": kind, "value": value, "correlation_id": correlation_id}
            for kind, value in key_pairs(keys)
        ]
        insert_ignore_many(s, MessageKeyRow, rows)

    def hops(self, message_id: str) -> list[Hop]:
        """Every event of one message, oldest first."""
        with self._db.read() as s:
            query = select(JournalRow).where(JournalRow.message_id == message_id)
            rows = s.scalars(query.order_by(JournalRow.started_at, JournalRow.id))
            return [_hop(r) for r in rows]

    def for_correlations(self, correlation_ids: Iterable[str]) -> list[Hop]:
        """Every event of every message in these correlations, in time order."""
        ids = sorted(set(correlation_ids))
        if not ids:
            return []
        with self._db.read() as s:
            rows = s.scalars(
                select(JournalRow)
                .where(JournalRow.correlation_id.in_(ids))
                .order_by(JournalRow.started_at, JournalRow.id)
            )
            return [_hop(r) for r in rows]

    def recent(self, *, status: HopStatus | None = None, actor: str | None = None, limit: int = 50) -> list[Hop]:
        """The newest events, newest first, optionally of one status or actor."""
        query = select(JournalRow).order_by(JournalRow.id.desc()).limit(limit)
        if status is not None:
            query = query.where(JournalRow.status == HopStatus(status).value)
        if actor is not None:
            query = query.where(JournalRow.actor == actor)
        with self._db.read() as s:
            return [_hop(r) for r in s.scalars(query)]

    def keys(self, message_id: str) -> dict[str, list[str]]:
        """The business keys recorded for one message: kind → values."""
        with self._db.read() as s:
            rows = s.execute(
                select(MessageKeyRow.kind, MessageKeyRow.value)
                .where(MessageKeyRow.message_id == message_id)
                .order_by(MessageKeyRow.kind, MessageKeyRow.value)
            )
            found: dict[str, list[str]] = {}
            for kind, value in rows:
                found.setdefault(kind, []).append(value)
            return found
