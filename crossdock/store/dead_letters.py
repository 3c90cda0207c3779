"""Dead letters journaled in the store: RabbitMQ's copy on ``<queue>.XQ`` expires (Dramatiq declares
it with a 7-day message TTL); this record does not.

The worker writes one row per dead-lettered message (keyed by its message id: a message replayed and
dead-lettered again updates its row) with the message body in the raw store, the step, the reason and
the error. ``crossdock dlq list|show|replay|purge`` read and act on these rows; a replay or purge
marks the row (``replayed`` / ``purged``) and the audit log says who did it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.models import DeadLetterRow, RawPayloadRow
from crossdock.store.raw import RawStore

MIN_PREFIX = 8


class LetterStatus(StrEnum):
    DEAD = "dead"
    REPLAYED = "replayed"
    PURGED = "purged"


@dataclass(frozen=True, slots=True)
class NewDeadLetter:
    message_id: str
    queue: str
    actor: str | None
    reason: str
    body: bytes
    """The Dramatiq message as it was dead-lettered."""
    error: str | None = None
    error_type: str | None = None
    retries: int = 0
    business_key: str | None = None
    idempotency_key: str | None = None
    correlation_id: str | None = None
    dead_lettered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoredDeadLetter:
    message_id: str
    status: LetterStatus
    queue: str
    actor: str | None
    reason: str
    error: str | None
    error_type: str | None
    retries: int
    business_key: str | None
    idempotency_key: str | None
    correlation_id: str | None
    raw_payload_id: int
    dead_lettered_at: datetime
    updated_at: datetime
    acted_by: str | None


class AmbiguousIdError(LookupError):
    """An id prefix that names several dead letters, or is too short to be a prefix."""


def _letter(row: DeadLetterRow) -> StoredDeadLetter:
    return StoredDeadLetter(
        message_id=row.message_id,
        status=LetterStatus(row.status),
        queue=row.queue,
        actor=row.actor,
        reason=row.reason,
        error=row.error,
        error_type=row.error_type,
        retries=row.retries,
        business_key=row.business_key,
        idempotency_key=row.idempotency_key,
        correlation_id=row.correlation_id,
        raw_payload_id=row.raw_payload_id,
        dead_lettered_at=row.dead_lettered_at,
        updated_at=row.updated_at,
        acted_by=row.acted_by,
    )


class DeadLetters:
    def __init__(self, db: Database, raw: RawStore) -> None:
        self._db = db
        self._raw = raw

    def record(self, letter: NewDeadLetter, *, session: Session | None = None) -> None:
        """Journal one dead letter (body in the raw store); a message dead-lettered again updates its row."""
        now = utcnow()
        with self._db.write(session) as s:
            ref = self._raw.put(
                letter.body, source=f"dlq:{letter.queue}", name=letter.message_id, content_type="application/json",
                session=s,
            )  # fmt: skip
            values = {
                "status": LetterStatus.DEAD.value,
                "queue": letter.queue,
                "actor": letter.actor,
                "reason": letter.reason,
                "error": letter.error,
                "error_type": letter.error_type,
                "retries": letter.retries,
                "business_key": letter.business_key,
                "idempotency_key": letter.idempotency_key,
                "correlation_id": letter.correlation_id,
                "raw_payload_id": ref.id,
                "dead_lettered_at": letter.dead_lettered_at or now,
                "updated_at": now,
                "acted_by": None,
            }
            row = s.scalars(
                select(DeadLetterRow).where(DeadLetterRow.message_id == letter.message_id).with_for_update()
            ).first()
            if row is None:
                s.add(DeadLetterRow(message_id=letter.message_id, **values))
            else:
                for name, value in values.items():
                    setattr(row, name, value)

    def letters(
        self, *, status: LetterStatus | None = LetterStatus.DEAD, limit: int = 10_000
    ) -> list[StoredDeadLetter]:
        """Oldest first; ``status=None``: every status."""
        query = select(DeadLetterRow).order_by(DeadLetterRow.id).limit(limit)
        if status is not None:
            query = query.where(DeadLetterRow.status == LetterStatus(status).value)
        with self._db.read() as s:
            return [_letter(r) for r in s.scalars(query)]

    def get(self, letter_id: str) -> StoredDeadLetter | None:
        """By message id, or by a unique prefix of at least :data:`MIN_PREFIX` characters."""
        with self._db.read() as s:
            row = s.scalars(select(DeadLetterRow).where(DeadLetterRow.message_id == letter_id)).first()
            if row is not None:
                return _letter(row)
            if len(letter_id) < MIN_PREFIX:
                return None
            query = select(DeadLetterRow).where(DeadLetterRow.message_id.startswith(letter_id, autoescape=True))
            rows = list(s.scalars(query.limit(2)))
        if len(rows) > 1:
            raise AmbiguousIdError(f"dead letter id prefix {letter_id!r} names several dead letters: give more of it")
        return _letter(rows[0]) if rows else None

    def body(self, letter: StoredDeadLetter) -> bytes | None:
        with self._db.read() as s:
            return s.scalars(select(RawPayloadRow.content).where(RawPayloadRow.id == letter.raw_payload_id)).first()

    def mark(self, message_id: str, status: LetterStatus, who: str, *, session: Session | None = None) -> None:
        with self._db.write(session) as s:
            row = s.scalars(select(DeadLetterRow).where(DeadLetterRow.message_id == message_id)).first()
            if row is not None:
                row.status, row.updated_at, row.acted_by = status.value, utcnow(), who
