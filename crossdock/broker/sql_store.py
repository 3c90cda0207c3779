"""The middleware's :class:`~crossdock.broker.ports.MessageStore` over crossdock's SQL store.

One transaction per successful hop: :meth:`SqlMessageStore.claim` inserts the key ``done``
(insert-or-ignore) in a write transaction that stays open while the step runs; the step's effects, the
raw payload of a first hop and the journal row join it; the hop lifecycle commits it after the step.
On PostgreSQL the hop takes four round trips (:mod:`crossdock.store.hop_record`); on SQLite the
repositories do the work (:meth:`IdempotencyKeys.once`).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, suppress
from typing import Any

from sqlalchemy.orm import Session

from crossdock.broker.journal_rows import channel_of, journal_event, raw_payload
from crossdock.broker.ports import DeadLetterRecord, HopRecord, HopStatus
from crossdock.errors import Owner
from crossdock.store import NewDeadLetter, Store
from crossdock.store.hop_record import HopTransactions, record_hop


class _RollbackError(Exception):
    """Thrown into the open transaction's context manager to roll it back."""


class SqlClaim:
    """The open transaction of one claimed hop: ``scope`` is the entered context manager that commits
    it (exit without an exception) or rolls it back."""

    def __init__(self, store: SqlMessageStore, scope: AbstractContextManager[Any], session: Session) -> None:
        self._store = store
        self._scope: AbstractContextManager[Any] | None = scope
        self._session = session

    @property
    def connection(self) -> Session:
        return self._session

    @property
    def session(self) -> Session:
        return self._session

    def record(self, hop: HopRecord) -> None:
        resolves = None
        if hop.status is HopStatus.SUCCEEDED and hop.idempotency_key is not None:
            resolves = (hop.step, hop.idempotency_key)
        if self._store.write_record(hop, self._session, resolves=resolves) and resolves is not None:
            # A replayed or reprocessed hop that succeeds resolves the item parked for its step and key,
            # in the transaction that commits its effect: resolved exactly when the effect happened.
            self._store.store.exceptions.resolve_succeeded(*resolves, hop.message_id, session=self._session)

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
        self._hops = HopTransactions(store.db) if store.db.backend == "postgresql" else None

    def claim(self, step: str, key: str, message_id: str) -> SqlClaim | None:
        if self._hops is not None:
            hop_scope = self._hops.once(step, key, message_id=message_id)
            session = hop_scope.__enter__()
            if session is None:
                hop_scope.__exit__(None, None, None)
                return None
            return SqlClaim(self, hop_scope, session)
        scope = self.store.idempotency.once(step, key, message_id=message_id)
        once = scope.__enter__()
        if not once.should_run:
            scope.__exit__(None, None, None)
            return None
        return SqlClaim(self, scope, once.session)

    def record(self, hop: HopRecord) -> None:
        with self.db.write() as session:
            self.write_record(hop, session)

    def write_record(self, hop: HopRecord, session: Session, *, resolves: tuple[str, str] | None = None) -> bool:
        """The hop's journal row (and first-hop raw payload) in ``session``; whether an exception item
        may be open for ``resolves`` (step, key): on PostgreSQL the same statement answers, on SQLite
        the caller's resolve looks."""
        if self.db.backend == "postgresql":  # raw payload, journal row, keys and the item check in one statement
            return record_hop(session, journal_event(hop, None), raw_payload(hop), resolves=resolves)
        self.store.journal.record(journal_event(hop, self._raw(hop, session)), session=session)
        return resolves is not None

    def _raw(self, hop: HopRecord, session: Session) -> int | None:
        payload = raw_payload(hop)
        if payload is None:
            return None
        return self.store.raw.keep_many([payload], session=session)[0]

    def open_exception(
        self, hop: HopRecord, *, owner: str, reason: str, key: str | None, code: str | None = None
    ) -> int | None:
        """The item keeps the message (raw store) so ``crossdock exceptions replay`` can run it again; a
        hop of the same step and key that parks again adds an attempt to the open item."""
        with self.db.write() as session:
            raw_id = self._raw(hop, session)
            item_id = self.store.exceptions.open(
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
        return item_id

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

