"""Audit log: who replayed, purged, resolved or ignored what, and when. Append-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.models import AuditRow


class AuditAction(StrEnum):
    """Actions crossdock itself records; callers may use other strings too."""

    REPLAY = "replay"
    REPROCESS = "reprocess"
    PURGE = "purge"
    RESOLVE = "resolve"
    IGNORE = "ignore"
    REOPEN = "reopen"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    who: str
    action: str
    target: str
    details: dict[str, Any]


class AuditLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(
        self,
        who: str,
        action: str,
        target: str,
        details: dict[str, Any] | None = None,
        *,
        session: Session | None = None,
    ) -> int:
        """Append one entry. ``target`` names what was acted on (``dlq:<message id>``,
        ``exception:42``, ``queue:crossdock.orders.DQ``); ``details`` must be JSON-serialisable."""
        if not who:
            raise ValueError("an audit entry needs who did it")
        row = AuditRow(at=utcnow(), who=who, action=str(action), target=target, details=details or {})
        with self._db.write(session) as s:
            s.add(row)
            s.flush()
            return row.id

    def entries(self, *, action: str | None = None, target: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """Newest first."""
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if action is not None:
            query = query.where(AuditRow.action == str(action))
        if target is not None:
            query = query.where(AuditRow.target == target)
        with self._db.read() as s:
            return [AuditEntry(r.id, r.at, r.who, r.action, r.target, dict(r.details or {})) for r in s.scalars(query)]
