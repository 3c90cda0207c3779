"""The middleware's :class:`~crossdock.broker.ports.MessageStore` over crossdock's SQL store.

One transaction per successful hop: :meth:`SqlMessageStore.claim` inserts the key ``done``
(insert-or-ignore, :meth:`IdempotencyKeys.once`) in a write transaction that stays open while the step
runs; the step's effects, the raw payload of a first hop and the journal row join it; the middleware
commits it after the step.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, suppress

from sqlalchemy.orm import Session

from crossdock.broker.journal_rows import channel_of, journal_event, raw_payload
from crossdock.broker.ports import DeadLetterRecord, HopRecord, HopStatus
from crossdock.errors import Owner
from crossdock.store import NewDeadLetter, Once, Store
from crossdock.store.hop_record import record_hop


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
        if hop.status is HopStatus.SUCCEEDED and hop.idempotency_key is not None:
            # A replayed or reprocessed hop that succeeds resolves the item parked for its step and key,
            # in the transaction that commits its effect: resolved exactly when the effect happened.
            self._store.store.exceptions.resolve_succeeded(
                hop.step, hop.idempotency_key, hop.message_id, session=self._once.session
            )

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
        if self.db.backend == "postgresql":  # raw payload, journal row and keys in one statement
            record_hop(session, journal_event(hop, None), raw_payload(hop))
            return
        self.store.journal.record(journal_event(hop, self._raw(hop, session)), session=session)

    def _raw(self, hop: HopRecord, session: Session) -> int | None:
        payload = raw_payload(hop)
        if payload is None:
            return None
        return self.store.raw.keep_many([payload], session=session)[0]

    def open_exception(
        self, hop: HopRecord, *, owner: str, reason: str, key: str | None, code: str | None = None
    ) -> None:
        """The item keeps the message (raw store) so ``crossdock exceptions replay`` can run it again; a
        hop of the same step and key that parks again adds an attempt to the open item."""
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
                idempotency_key=hop.idempotency_key,
                code=code,
                channel=channel_of(hop.raw_payload),
                session=session,
            )
            self.store.journal.record(journal_event(hop, raw_id), session=session)

    def record_dead_letter(self, letter: DeadLetterRecord) -> None:
        self.store.dead_letters.record(
            NewDeadLetter(
                message_id=letter.message_id,
                queue=letter.queue,
                actor=letter.actor,
                reason=letter.reason,
                body=letter.body,
                error=letter.error,
                error_type=letter.error_type,
                retries=letter.retries,
                business_key=letter.business_key,
                idempotency_key=letter.idempotency_key,
                correlation_id=letter.correlation_id,
                dead_lettered_at=letter.dead_lettered_at,
            )
        )

