"""The middleware's :class:`~crossdock.broker.ports.MessageStore` over crossdock's SQL store.

One transaction per successful hop: :meth:`IdempotencyKeys.once` inserts the key ``done``
(insert-or-ignore) in a write transaction that stays open while the step runs; the step's effects,
the raw payload of a first hop and the journal row join it; the middleware commits it after the step.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, suppress

from sqlalchemy.orm import Session

from crossdock.broker.ports import HopRecord, HopStatus
from crossdock.errors import Owner
from crossdock.store import HopStatus as StoredStatus
from crossdock.store import JournalEvent, Once, Store

_STATUS = {
    HopStatus.RECEIVED: StoredStatus.RECEIVED,
    HopStatus.SUCCEEDED: StoredStatus.SUCCEEDED,
    HopStatus.FAILED: StoredStatus.FAILED,
    HopStatus.RETRIED: StoredStatus.RETRIED,
    HopStatus.DEAD_LETTERED: StoredStatus.DEAD_LETTERED,
    HopStatus.PARKED: StoredStatus.FAILED,  # the store's journal has no "parked"; the work item says it
    HopStatus.DUPLICATE: StoredStatus.DUPLICATE,
}


class _RollbackError(Exception):
    """Thrown into the open transaction's context manager to roll it back."""


class SqlClaim:
    def __init__(self, store: SqlMessageStore, scope: AbstractContextManager[Once], once: Once) -> None:
        self._store = store
        self._scope: AbstractContextManager[Once] | None = scope
        self._once = once

    @property
    def connection(self) -> Session:
        return self._once.session

    @property
    def session(self) -> Session:
        return self._once.session

    def record(self, hop: HopRecord) -> None:
        self._store.write_record(hop, self._once.session)

    def commit(self) -> None:
        scope, self._scope = self._scope, None
        if scope is not None:
            scope.__exit__(None, None, None)

    def rollback(self) -> None:
        scope, self._scope = self._scope, None
        if scope is not None:
            with suppress(_RollbackError):
                scope.__exit__(_RollbackError, _RollbackError(), None)


class SqlMessageStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    def claim(self, step: str, key: str, message_id: str) -> SqlClaim | None:
        scope = self.store.idempotency.once(step, key, message_id=message_id)
        once = scope.__enter__()
        if not once.should_run:
            scope.__exit__(None, None, None)
            return None
        return SqlClaim(self, scope, once)

    def record(self, hop: HopRecord) -> None:
        with self.db.write() as session:
            self.write_record(hop, session)

    def write_record(self, hop: HopRecord, session: Session) -> None:
        self.store.journal.record(self._event(hop, self._raw(hop, session)), session=session)

    def _raw(self, hop: HopRecord, session: Session) -> int | None:
        if hop.raw_payload is None:
            return None
        return self.store.raw.put(
            hop.raw_payload,
            source=hop.source or "broker",
            name=hop.message_id,
            content_type="application/json",
            session=session,
        ).id

    def open_exception(self, hop: HopRecord, *, owner: str, reason: str, key: str | None) -> None:
        """The item keeps the message (raw store) so ``crossdock exceptions replay`` can run it again."""
        with self.db.write() as session:
            raw_id = self._raw(hop, session)
            self.store.exceptions.open(
                owner=Owner(owner),
                error_class=(hop.error or "BusinessError").split(":", 1)[0],
                error_message=reason,
                business_key=key,
                message_id=hop.message_id,
                correlation_id=hop.correlation_id,
                actor=hop.step,
                queue=hop.queue,
                raw_payload_id=raw_id,
                session=session,
            )
            self.store.journal.record(self._event(hop, raw_id), session=session)

    @staticmethod
    def _event(hop: HopRecord, raw_id: int | None) -> JournalEvent:
        error_class, _, error_message = (hop.error or "").partition(": ")
        if hop.status is HopStatus.PARKED:
            error_message = f"parked as an exception work item: {error_message}"
        return JournalEvent(
            message_id=hop.message_id,
            correlation_id=hop.correlation_id or hop.message_id,
            actor=hop.step,
            queue=hop.queue,
            status=_STATUS[hop.status],
            causation_id=hop.causation_id,
            idempotency_key=hop.idempotency_key,
            started_at=hop.received_at,
            finished_at=hop.finished_at,
            payload_sha256=hop.payload_sha256,
            error_class=error_class or None,
            error_message=error_message or None,
            retries=hop.retries,
            raw_payload_id=raw_id,
            business_keys=dict(hop.business_keys),
        )
