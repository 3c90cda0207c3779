"""Exception work items: business errors waiting for a person (integration, warehouse or finance).

Lifecycle: ``open`` → ``resolved`` or ``ignored`` (→ ``open`` again with :meth:`reopen`). Every
resolution, dismissal, reopening and note is written to the audit log in the same transaction.
Opening is idempotent per (message id, actor): a redelivered failing message does not open a
second item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossdock.errors import Owner
from crossdock.store.audit import AuditAction, AuditLog
from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.models import ExceptionItemRow, ExceptionNoteRow

MAX_ERROR_CHARS = 4000


class ItemStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    IGNORED = "ignored"


class WorkItemNotFoundError(LookupError):
    def __init__(self, item_id: int) -> None:
        super().__init__(f"no exception item {item_id}")
        self.item_id = item_id


@dataclass(frozen=True, slots=True)
class Note:
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class WorkItem:
    id: int
    status: ItemStatus
    owner: Owner
    business_key: str | None
    error_class: str
    error_message: str
    message_id: str | None
    correlation_id: str | None
    actor: str | None
    queue: str | None
    raw_payload_id: int | None
    created_at: datetime
    updated_at: datetime
    resolved_by: str | None
    resolved_at: datetime | None
    notes: tuple[Note, ...] = ()


def _item(row: ExceptionItemRow, notes: tuple[Note, ...] = ()) -> WorkItem:
    return WorkItem(
        id=row.id,
        status=ItemStatus(row.status),
        owner=Owner(row.owner),
        business_key=row.business_key,
        error_class=row.error_class,
        error_message=row.error_message,
        message_id=row.message_id,
        correlation_id=row.correlation_id,
        actor=row.actor,
        queue=row.queue,
        raw_payload_id=row.raw_payload_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
        notes=notes,
    )


class WorkItems:
    def __init__(self, db: Database, audit: AuditLog) -> None:
        self._db = db
        self._audit = audit

    def open(
        self,
        *,
        owner: Owner,
        error_class: str,
        error_message: str,
        business_key: str | None = None,
        message_id: str | None = None,
        correlation_id: str | None = None,
        actor: str | None = None,
        queue: str | None = None,
        raw_payload_id: int | None = None,
        session: Session | None = None,
    ) -> int:
        """Open an item (or return the id of the open one for the same message and actor)."""
        with self._db.write(session) as s:
            if message_id is not None:
                existing = s.scalars(
                    select(ExceptionItemRow.id).where(
                        ExceptionItemRow.message_id == message_id,
                        ExceptionItemRow.actor == actor if actor is not None else ExceptionItemRow.actor.is_(None),
                        ExceptionItemRow.status == ItemStatus.OPEN.value,
                    )
                ).first()
                if existing is not None:
                    return existing
            now = utcnow()
            row = ExceptionItemRow(
                status=ItemStatus.OPEN.value,
                owner=Owner(owner).value,
                business_key=business_key,
                error_class=error_class,
                error_message=error_message[:MAX_ERROR_CHARS],
                message_id=message_id,
                correlation_id=correlation_id,
                actor=actor,
                queue=queue,
                raw_payload_id=raw_payload_id,
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            s.flush()
            return row.id

    def get(self, item_id: int) -> WorkItem:
        with self._db.read() as s:
            row = s.get(ExceptionItemRow, item_id)
            if row is None:
                raise WorkItemNotFoundError(item_id)
            notes = s.scalars(
                select(ExceptionNoteRow).where(ExceptionNoteRow.item_id == item_id).order_by(ExceptionNoteRow.id)
            )
            return _item(row, tuple(Note(n.author, n.text, n.created_at) for n in notes))

    def items(
        self,
        *,
        status: ItemStatus | None = ItemStatus.OPEN,
        owner: Owner | None = None,
        business_key: str | None = None,
        limit: int = 100,
    ) -> list[WorkItem]:
        """Newest first; ``status=None`` lists every status."""
        query = select(ExceptionItemRow).order_by(ExceptionItemRow.id.desc()).limit(limit)
        if status is not None:
            query = query.where(ExceptionItemRow.status == ItemStatus(status).value)
        if owner is not None:
            query = query.where(ExceptionItemRow.owner == Owner(owner).value)
        if business_key is not None:
            query = query.where(ExceptionItemRow.business_key == business_key)
        with self._db.read() as s:
            return [_item(r) for r in s.scalars(query)]

    def add_note(self, item_id: int, author: str, text: str) -> None:
        with self._db.write() as s:
            row = self._row(s, item_id)
            s.add(ExceptionNoteRow(item_id=item_id, author=author, text=text, created_at=utcnow()))
            row.updated_at = utcnow()
            self._audit.record(author, AuditAction.NOTE, f"exception:{item_id}", {"text": text}, session=s)

    def resolve(self, item_id: int, by: str, note: str | None = None) -> WorkItem:
        return self._close(item_id, by, note, ItemStatus.RESOLVED, AuditAction.RESOLVE)

    def ignore(self, item_id: int, by: str, note: str | None = None) -> WorkItem:
        return self._close(item_id, by, note, ItemStatus.IGNORED, AuditAction.IGNORE)

    def reopen(self, item_id: int, by: str, note: str | None = None) -> WorkItem:
        return self._close(item_id, by, note, ItemStatus.OPEN, AuditAction.REOPEN)

    def _close(self, item_id: int, by: str, note: str | None, status: ItemStatus, action: AuditAction) -> WorkItem:
        if not by:
            raise ValueError("say who is acting on the exception item")
        with self._db.write() as s:
            row = self._row(s, item_id)
            previous = row.status
            now = utcnow()
            row.status, row.updated_at = status.value, now
            if status is ItemStatus.OPEN:
                row.resolved_by, row.resolved_at = None, None
            else:
                row.resolved_by, row.resolved_at = by, now
            if note:
                s.add(ExceptionNoteRow(item_id=item_id, author=by, text=note, created_at=now))
            details = {"from": previous, "to": status.value, "note": note, "business_key": row.business_key}
            self._audit.record(by, action, f"exception:{item_id}", details, session=s)
        return self.get(item_id)

    @staticmethod
    def _row(s: Session, item_id: int) -> ExceptionItemRow:
        row = s.get(ExceptionItemRow, item_id, with_for_update=True)
        if row is None:
            raise WorkItemNotFoundError(item_id)
        return row
