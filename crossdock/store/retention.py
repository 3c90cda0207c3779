"""Retention: delete old journal rows, their business keys, raw payloads nothing refers to any more
and (only when asked) old finished idempotency keys. Exception work items and the audit log are never
deleted. Every prune is written to the audit log.

Deleting an idempotency key means a message with that key would run again: only prune keys older
than any message could still be redelivered or replayed (dead letters included).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import CursorResult, delete, exists, select

from crossdock.store.audit import AuditAction, AuditLog
from crossdock.store.engine import Database
from crossdock.store.idempotency import KeyState
from crossdock.store.models import (
    DeadLetterRow,
    ExceptionItemRow,
    IdempotencyRow,
    JournalRow,
    MessageKeyRow,
    RawPayloadRow,
)


@dataclass(frozen=True, slots=True)
class PruneReport:
    journal: int
    message_keys: int
    raw_payloads: int
    idempotency_keys: int


def _count(result: object) -> int:
    assert isinstance(result, CursorResult)
    return max(int(result.rowcount), 0)


def prune(db: Database, audit: AuditLog, *, before: datetime, who: str, idempotency_keys: bool = False) -> PruneReport:
    """Delete what is older than ``before`` (see the module docstring) in one transaction."""
    if before.tzinfo is None:
        raise ValueError("before must be timezone-aware")
    with db.write() as s:
        journal = _count(s.execute(delete(JournalRow).where(JournalRow.started_at < before)))
        keys = _count(
            s.execute(
                delete(MessageKeyRow).where(
                    ~exists(select(JournalRow.id).where(JournalRow.message_id == MessageKeyRow.message_id))
                )
            )
        )
        raw = _count(
            s.execute(
                delete(RawPayloadRow).where(
                    RawPayloadRow.received_at < before,
                    ~exists(select(JournalRow.id).where(JournalRow.raw_payload_id == RawPayloadRow.id)),
                    ~exists(select(ExceptionItemRow.id).where(ExceptionItemRow.raw_payload_id == RawPayloadRow.id)),
                    ~exists(select(DeadLetterRow.id).where(DeadLetterRow.raw_payload_id == RawPayloadRow.id)),
                )
            )
        )
        marks = 0
        if idempotency_keys:
            marks = _count(
                s.execute(
                    delete(IdempotencyRow).where(
                        IdempotencyRow.state == KeyState.DONE.value, IdempotencyRow.finished_at < before
                    )
                )
            )
        report = PruneReport(journal, keys, raw, marks)
        details = {"before": before.isoformat(), **asdict(report)}
        audit.record(who, AuditAction.PURGE, "store:retention", details, session=s)
        return report
