"""Exception work items: business errors waiting for a person (integration, warehouse or finance).

Lifecycle: ``open`` → ``resolved`` or ``ignored`` (→ ``open`` again with :meth:`reopen`). Every
resolution, dismissal, reopening and note is written to the audit log in the same transaction.

One open item per (step, idempotency key): a message of the same step and key that parks again (a
redelivery, a replay, a reprocess whose cause was not fixed) adds a ``parked`` attempt to the open
item's history instead of opening a second one. An item is resolved by a person
(:meth:`WorkItems.resolve`) or by the hop that succeeds for its step and key
(:func:`crossdock.store.work_item_history.resolve_succeeded`, in that hop's transaction): a replay
is a request, never a resolution.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from crossdock.errors import Owner
from crossdock.store.audit import AuditAction, AuditLog
from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.models import ExceptionItemRow, ExceptionNoteRow
from crossdock.store.work_item_history import Attempt, AttemptKind, add_attempt, attempts_of, last_request

MAX_ERROR_CHARS = 4000
SUCCESS_RESOLVER = "crossdock"
"""Who an item is resolved by when its step succeeded and no person asked for a replay."""


class ItemStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    IGNORED = "ignored"


class WorkItemNotFoundError(LookupError):
    def __init__(self, item_id: int) -> None:
        super().__init__(f"no exception item {item_id}")
        self.item_id = item_id


class WorkItemStateError(ValueError):
    """The item is already in the status asked for (resolving a resolved item needs ``force``)."""

    def __init__(self, item_id: int, status: str) -> None:
        super().__init__(f"exception item {item_id} is already {status} (use --force to record it again)")
        self.item_id = item_id
        self.status = status


@dataclass(frozen=True, slots=True)
class ItemFilter:
    """Which items a bulk command acts on; every field that is set must match."""

    status: ItemStatus | None = ItemStatus.OPEN
    owner: Owner | None = None
    code: str | None = None
    """The ERP fault code or the error class (``ITEM_NOT_FOUND``, ``MappingError``)."""
    step: str | None = None
    channel: str | None = None
    since: datetime | None = None
    """Created at or after."""
    business_key: str | None = None
    raw_payload_id: int | None = None
    correlation_id: str | None = None

    def apply(self, query: Select[ExceptionItemRow]) -> Select[ExceptionItemRow]:
        rows = ExceptionItemRow
        if self.status is not None:
            query = query.where(rows.status == ItemStatus(self.status).value)
        if self.owner is not None:
            query = query.where(rows.owner == Owner(self.owner).value)
        if self.code is not None:
            query = query.where((rows.code == self.code) | (rows.error_class == self.code))
        for column, value in ((rows.actor, self.step), (rows.channel, self.channel)):
            if value is not None:
                query = query.where(column == value)
        if self.since is not None:
            query = query.where(rows.created_at >= self.since)
        if self.business_key is not None:
            query = query.where(rows.business_key == self.business_key)
        if self.raw_payload_id is not None:
            query = query.where(rows.raw_payload_id == self.raw_payload_id)
        if self.correlation_id is not None:
            query = query.where(rows.correlation_id == self.correlation_id)
        return query


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
    idempotency_key: str | None = None
    code: str | None = None
    channel: str | None = None
    attempts: tuple[Attempt, ...] = ()
    """The item's history, oldest first: parked, replay, reprocess, succeeded."""


def _item(row: ExceptionItemRow, notes: tuple[Note, ...] = (), attempts: tuple[Attempt, ...] = ()) -> WorkItem:
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
        idempotency_key=row.idempotency_key,
        code=row.code,
        channel=row.channel,
        attempts=attempts,
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
        idempotency_key: str | None = None,
        code: str | None = None,
        channel: str | None = None,
        session: Session | None = None,
    ) -> int:
        """Open an item, or add a ``parked`` attempt to the open one for the same step and idempotency
        key (or, without a key, the same message and step); returns the item's id."""
        with self._db.write(session) as s:
            existing = self._open_for(s, actor, idempotency_key, message_id)
            if existing is not None:
                existing.error_class, existing.error_message = error_class, error_message[:MAX_ERROR_CHARS]
                existing.code = code or existing.code
                existing.message_id = message_id or existing.message_id
                existing.updated_at = utcnow()
                add_attempt(s, existing.id, AttemptKind.PARKED, message_id=message_id, detail=error_message)
                return existing.id
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
                idempotency_key=idempotency_key,
                code=code or error_class,
                channel=channel,
            )
            s.add(row)
            s.flush()
            add_attempt(s, row.id, AttemptKind.PARKED, message_id=message_id, detail=error_message)
            return row.id

    @staticmethod
    def _open_for(
        s: Session, actor: str | None, idempotency_key: str | None, message_id: str | None
    ) -> ExceptionItemRow | None:
        rows = ExceptionItemRow
        same_actor = rows.actor == actor if actor is not None else rows.actor.is_(None)
        if idempotency_key is not None:
            same = rows.idempotency_key == idempotency_key
        elif message_id is not None:
            same = rows.message_id == message_id
        else:
            return None
        query = select(rows).where(same, same_actor, rows.status == ItemStatus.OPEN.value).order_by(rows.id)
        return s.scalars(query.limit(1).with_for_update()).first()

    def get(self, item_id: int) -> WorkItem:
        with self._db.read() as s:
            row = s.get(ExceptionItemRow, item_id)
            if row is None:
                raise WorkItemNotFoundError(item_id)
            notes = s.scalars(
                select(ExceptionNoteRow).where(ExceptionNoteRow.item_id == item_id).order_by(ExceptionNoteRow.id)
            )
            return _item(row, tuple(Note(n.author, n.text, n.created_at) for n in notes), attempts_of(s, item_id))

    def find(self, where: ItemFilter, *, limit: int | None = None) -> list[WorkItem]:
        """The items matching ``where``, oldest first (bulk commands act in the order items came)."""
        query = where.apply(select(ExceptionItemRow).order_by(ExceptionItemRow.id))
        if limit is not None:
            query = query.limit(limit)
        with self._db.read() as s:
            return [_item(r) for r in s.scalars(query)]

    def record_attempt(
        self, item_id: int, kind: AttemptKind, who: str, *, message_id: str | None = None, detail: str | None = None
    ) -> None:
        """Add a replay or reprocess request (or its failure to be sent) to the item's history."""
        with self._db.write() as s:
            row = self._row(s, item_id)
            row.updated_at = utcnow()
            add_attempt(s, item_id, kind, who=who, message_id=message_id, detail=detail)

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

    def resolve_succeeded(self, step: str, idempotency_key: str, message_id: str, *, session: Session) -> list[int]:
        """In the transaction of a hop of ``step`` that succeeded for ``idempotency_key``: resolve the
        open items parked for that step and key (by whoever asked for the replay or reprocess, with
        their note), audited. Returns their ids (usually none: one indexed read)."""
        rows = ExceptionItemRow
        ids = list(
            session.scalars(
                select(rows.id).where(
                    rows.idempotency_key == idempotency_key, rows.actor == step, rows.status == ItemStatus.OPEN.value
                )
            )
        )
        for item_id in ids:
            row = self._row(session, item_id)
            if row.status != ItemStatus.OPEN.value:
                continue
            who, note = last_request(session, item_id)
            by, now = who or SUCCESS_RESOLVER, utcnow()
            row.status, row.updated_at, row.resolved_by, row.resolved_at = ItemStatus.RESOLVED.value, now, by, now
            add_attempt(session, item_id, AttemptKind.SUCCEEDED, message_id=message_id, detail=f"{step} succeeded")
            if note:
                session.add(ExceptionNoteRow(item_id=item_id, author=by, text=note, created_at=now))
            details = {
                "from": ItemStatus.OPEN.value,
                "to": ItemStatus.RESOLVED.value,
                "note": note,
                "business_key": row.business_key,
                "by": f"the hop of {step} that succeeded (message {message_id})",
            }
            self._audit.record(by, AuditAction.RESOLVE, f"exception:{item_id}", details, session=session)
        return ids

    def add_note(self, item_id: int, author: str, text: str) -> None:
        with self._db.write() as s:
            row = self._row(s, item_id)
            s.add(ExceptionNoteRow(item_id=item_id, author=author, text=text, created_at=utcnow()))
            row.updated_at = utcnow()
            self._audit.record(author, AuditAction.NOTE, f"exception:{item_id}", {"text": text}, session=s)

    def resolve(self, item_id: int, by: str, note: str | None = None, *, force: bool = False) -> WorkItem:
        """Raises :class:`WorkItemStateError` when the item is resolved already, unless ``force``."""
        return self._close(item_id, by, note, ItemStatus.RESOLVED, AuditAction.RESOLVE, force=force)

    def ignore(self, item_id: int, by: str, note: str | None = None, *, force: bool = False) -> WorkItem:
        return self._close(item_id, by, note, ItemStatus.IGNORED, AuditAction.IGNORE, force=force)

    def reopen(self, item_id: int, by: str, note: str | None = None) -> WorkItem:
        return self._close(item_id, by, note, ItemStatus.OPEN, AuditAction.REOPEN, force=True)

    def _close(
        self, item_id: int, by: str, note: str | None, status: ItemStatus, action: AuditAction, *, force: bool
    ) -> WorkItem:
        if not by:
            raise ValueError("say who is acting on the exception item")
        with self._db.write() as s:
            row = self._row(s, item_id)
            previous = row.status
            if previous == status.value and not force:
                raise WorkItemStateError(item_id, previous)
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
