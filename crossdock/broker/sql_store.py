"""The middleware's :class:`~crossdock.broker.ports.MessageStore` over crossdock's SQL store.

Two ways to commit a hop:

* :meth:`SqlMessageStore.claim` (the default, for steps with database effects): one transaction per
  successful hop. :meth:`IdempotencyKeys.once` inserts the key ``done`` (insert-or-ignore) in a write
  transaction that stays open while the step runs; the step's effects, the raw payload of a first hop
  and the journal row join it; the middleware commits it after the step.
* :meth:`SqlMessageStore.claim_batched` (steps declared ``group_commit=True``, which have no database
  effects of their own): a batched read skips keys already processed, and after the step the mark and
  the journal row are committed with other hops' in one transaction by the process's
  :class:`~crossdock.broker.group_commit.GroupCommitter`, before the message is acknowledged.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, suppress
from typing import NoReturn

from sqlalchemy.orm import Session

from crossdock.broker.group_commit import GroupCommitter, Pending
from crossdock.broker.journal_rows import channel_of, journal_event, raw_payload
from crossdock.broker.ports import DeadLetterRecord, HopRecord, HopStatus
from crossdock.errors import ConfigError, Owner
from crossdock.store import NewDeadLetter, Once, Store
from crossdock.store.hop_batch import record_hop
from crossdock.store.idempotency import Mark


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


class GroupCommitEffectError(ConfigError):
    """A ``group_commit=True`` step tried to write database effects through its claim."""


class BatchedClaim:
    """A claim whose mark and journal row are committed in a batch after the step; it has no
    transaction for the step's own effects (``connection`` refuses, so a wrongly declared step fails
    loudly instead of losing exactly-once)."""

    def __init__(self, committer: GroupCommitter, step: str, key: str, message_id: str) -> None:
        self._committer = committer
        self._mark = Mark(step, key, message_id)
        self._record: HopRecord | None = None
        self.duplicate = False
        """Set by :meth:`commit` when another delivery marked the key first."""

    @property
    def connection(self) -> NoReturn:
        raise GroupCommitEffectError(
            f"step {self._mark.step} is declared group_commit=True, which gives it no transaction for "
            "database effects; declare it without group_commit to write through its claim"
        )

    def record(self, hop: HopRecord) -> None:
        self._record = hop

    def commit(self) -> None:
        self.duplicate = not self._committer.commit(self._mark, self._record)

    def commit_later(self) -> Pending:
        """Queue the mark and journal row for the next batch without waiting: for a broker whose
        consumer acknowledges the message from :meth:`Pending.then`, once the batch committed."""
        return self._committer.submit(self._mark, self._record)

    def rollback(self) -> None:
        self._record = None


class SqlMessageStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db
        self.committer = GroupCommitter(store)

    def claim(self, step: str, key: str, message_id: str) -> SqlClaim | None:
        scope = self.store.idempotency.once(step, key, message_id=message_id)
        once = scope.__enter__()
        if not once.should_run:
            scope.__exit__(None, None, None)
            return None
        return SqlClaim(self, scope, once)

    def claim_batched(self, step: str, key: str, message_id: str, *, marked: bool | None = None) -> BatchedClaim | None:
        """``marked``: the answer of an earlier check of this key (the consumer's prefetch check), so
        the worker thread does not ask again; ``None`` to check now."""
        if marked is None:
            marked = self.committer.is_marked(step, key)
        if marked:
            return None
        return BatchedClaim(self.committer, step, key, message_id)

    def marked_many(self, pairs: list[tuple[str, str]], *, timeout_s: float | None = None) -> set[tuple[str, str]]:
        """Which (step, key) pairs were processed already: one read for many (group-commit steps)."""
        return self.committer.marked_many(pairs, timeout_s=timeout_s)

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

    def close(self) -> None:
        """Commit the hops still waiting and stop the group committer (worker shutdown)."""
        self.committer.close()
