"""The hop lifecycle: what happens to one message at one step, in one place and in one order.

    claim → run → roll back or record → decide → commit

* **claim** (``before_process_message``): the idempotency mark of (step, ``envelope.idempotency_key``)
  goes in, insert-or-ignore, in a write transaction that stays open while the step runs
  (:meth:`MessageStore.claim`). Already there: the hop is journaled ``duplicate`` and skipped
  (:class:`DuplicateMessage`, a ``SkipMessage``: acknowledged, the step does not run). The store
  fails: :class:`StoreUnavailableError` (a ``MiddlewareError``, so Dramatiq does not run the step),
  retried like any transient error.
* **run**: the step writes its database effects through the claim's transaction (the step runner
  gives it to the handler as ``ctx.session``).
* **success → record → commit**: the journal row joins the claim's transaction, which commits the
  mark, the effects, the first hop's raw payload and the journal row together. A failed record or
  commit rejects the message to ``<queue>.XQ``: never acknowledged without its effect. Once committed,
  what the step asked to send after its commit (``hop.after_commit``: an outbox row's delivery) is
  sent; on any other outcome it is dropped with the rolled-back effects.
* **failure → roll back → decide**: the claim's transaction is rolled back (effects and mark go), then
  :func:`~crossdock.broker.middleware.error_policy.decide` picks park, wait, retry or dead letter by the
  error's class, and the hop is journaled with its outcome in a transaction of its own (a parked hop
  is journaled by the store with its exception item, and logged in one WARNING line without the
  error's text).

A worker killed anywhere in between leaves neither effect nor mark: RabbitMQ redelivers the message.
An actor declared ``idempotent=False`` runs without a claim; its success is journaled on its own.
Without a store (the in-memory demo broker) only the error policy applies. The outcome is left on the
hop (``hop.outcome``) for the metrics middleware, which runs after this one.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import UTC, datetime
from typing import Any

from dramatiq.broker import Broker, MessageProxy
from dramatiq.middleware import Middleware, SkipMessage

from crossdock.broker import hop as hops
from crossdock.broker.dead_letter_journal import journal_dead_letter
from crossdock.broker.deadletter import DeadLetterInfo
from crossdock.broker.middleware import error_policy, outage
from crossdock.broker.middleware.error_policy import Decision
from crossdock.broker.middleware.errors import StoreUnavailableError
from crossdock.broker.ports import Claim, HopRecord, HopStatus, MessageStore
from crossdock.errors import UnavailableError

logger = logging.getLogger(__name__)


class DuplicateMessage(SkipMessage):
    """The step already processed this idempotency key."""


class HopLifecycle(Middleware):
    """Idempotency, journal and error policy as one linear settle per hop (see the module's doc)."""

    def __init__(
        self,
        store: MessageStore | None,
        *,
        max_retries: int = 5,
        min_backoff: int = 1_000,
        max_backoff: int = 300_000,
    ) -> None:
        self.store = store
        self.defaults = {"max_retries": max_retries, "min_backoff": min_backoff, "max_backoff": max_backoff}

    @property
    def actor_options(self) -> set[str]:
        return {"idempotent", *self.defaults}

    def _option(self, broker: Broker, message: MessageProxy, name: str) -> int:
        actor_value = broker.get_actor(message.actor_name).options.get(name, self.defaults[name])
        return hops.count_option(message.options, name, int(actor_value))

    def before_worker_boot(self, broker: Broker, worker: Any) -> None:
        error_policy.quiet_expected_failures()

    # claim

    def before_process_message(self, broker: Broker, message: MessageProxy) -> None:
        if self.store is None or not broker.get_actor(message.actor_name).options.get("idempotent", True):
            return
        hop = hops.hop_for(message)
        key = hop.envelope.idempotency_key
        try:
            claim = self.store.claim(message.actor_name, key, hop.message_id)
        except Exception as exc:
            raise StoreUnavailableError(f"idempotency store failed for step {message.actor_name}: {exc}") from exc
        if claim is None:
            hop.outcome = HopStatus.DUPLICATE
            self._journal(hop.record(HopStatus.DUPLICATE, _retries(message)))
            raise DuplicateMessage(f"step {message.actor_name} already processed idempotency key {key}")
        hop.claim = claim

    # settle

    def after_process_message(
        self, broker: Broker, message: MessageProxy, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        hop = hops.peek_hop(message)
        claim: Claim | None = None
        if hop is not None:
            claim, hop.claim = hop.claim, None
        if exception is None and not message.failed:
            outcome = self._commit(message, hop, claim)
        else:
            if claim is not None:
                claim.rollback()  # the step's effects and the idempotency mark go first
            outcome = self._fail(broker, message, hop, exception)
        if hop is not None:
            hop.outcome = outcome
            if outcome is HopStatus.SUCCEEDED:
                hops.run_after_commit(hop)  # what the step sends once its effects are committed
            else:
                hop.after_commit.clear()

    def _commit(self, message: MessageProxy, hop: hops.Hop | None, claim: Claim | None) -> HopStatus:
        if hop is None:  # not a crossdock message, yet run: nothing of ours to record
            return HopStatus.SUCCEEDED
        record = hop.record(HopStatus.SUCCEEDED, _retries(message))
        if claim is None:
            self._journal(record)
            return HopStatus.SUCCEEDED
        try:
            claim.record(record)
            claim.commit()
        except Exception:
            # The effect is not committed, so acknowledging would lose it: reject to the dead-letter
            # queue instead (RabbitMQ keeps it; `crossdock dlq replay` runs it again).
            logger.exception("Commit of step %s failed; dead-lettering message %s", hop.step, hop.message_id)
            claim.rollback()
            message.fail()
            self._journal_rejected(message, hop, "commit of the step's transaction failed", "CommitFailed")
            return HopStatus.DEAD_LETTERED
        return HopStatus.SUCCEEDED

    def _fail(
        self, broker: Broker, message: MessageProxy, hop: hops.Hop | None, exception: BaseException | None
    ) -> HopStatus:
        retries = _retries(message)
        if exception is None:  # another middleware failed it before the step ran (max_age)
            status, error = HopStatus.DEAD_LETTERED, "the message failed before its step ran"
            self._journal_rejected(message, hop, error, "FailedBeforeStep")
        else:
            error = error_policy.describe(exception)
            status = self._decide(broker, message, hop, exception, error, retries)
        if status is not HopStatus.PARKED:
            self._journal(
                hop.record(status, _retries(message), error) if hop is not None else _rejected(message, status)
            )
        return status

    def _decide(
        self,
        broker: Broker,
        message: MessageProxy,
        hop: hops.Hop | None,
        exception: BaseException,
        error: str,
        retries: int,
    ) -> HopStatus:
        waited = outage.waited_s(message.options, time.time())
        decision = error_policy.decide(exception, retries, self._option(broker, message, "max_retries"), waited)
        if decision is Decision.PARK:
            if self._park(message, hop, exception, error, retries):
                return HopStatus.PARKED
            decision = Decision.DEAD_LETTER
        if decision is Decision.WAIT:
            assert isinstance(exception, UnavailableError)  # decide() waits for nothing else
            return error_policy.wait(broker, message, exception, error)
        if decision is Decision.RETRY:
            return error_policy.retry(
                broker,
                message,
                retries,
                error,
                min_backoff=self._option(broker, message, "min_backoff"),
                max_backoff=self._option(broker, message, "max_backoff"),
            )
        info = error_policy.dead_letter_info(exception, error, retries)
        if self.store is not None:  # journaled first: the store's copy outlives the broker's (7-day TTL)
            journal_dead_letter(self.store, message, hop, info)
        return error_policy.dead_letter(broker, message, info)

    def _park(
        self, message: MessageProxy, hop: hops.Hop | None, exception: BaseException, error: str, retries: int
    ) -> bool:
        """An exception work item for the error's owner; ``False`` when none could be opened."""
        if self.store is None or hop is None:
            return False
        record = hop.record(HopStatus.PARKED, retries, error, raw=True)  # the payload, to replay after the fix
        owner = str(getattr(exception, "owner", "integration"))
        code = getattr(exception, "code", None) or type(exception).__name__
        try:
            item_id = self.store.open_exception(
                record, owner=owner, reason=str(exception), key=getattr(exception, "key", None), code=code
            )
        except Exception:
            logger.exception("Could not open an exception item for message %s; dead-lettering it", hop.message_id)
            return False
        # One line, no traceback, no message text (it may quote a partner's values): the item has it all.
        logger.warning(
            "Parked message %s at step %s for %s: %s, exception item %s",
            hop.message_id, hop.step, owner, code, item_id if item_id is not None else "-",
        )  # fmt: skip
        return True

    def _journal_rejected(self, message: MessageProxy, hop: hops.Hop | None, error: str, error_type: str) -> None:
        """A message rejected to ``<queue>.XQ`` outside the error policy is journaled as a dead letter
        too (best effort: the store may be what failed), so it outlives the broker's copy."""
        if self.store is None:
            return
        info = DeadLetterInfo(reason=error, error=error, error_type=error_type, retries=_retries(message),
                              dead_lettered_at=datetime.now(UTC).isoformat())  # fmt: skip
        journal_dead_letter(self.store, message, hop, info)

    def _journal(self, record: HopRecord) -> None:
        """A journal row in its own transaction; a failure is logged, never stops the message."""
        if self.store is None:
            return
        try:
            self.store.record(record)
        except Exception:
            logger.exception("Journal write failed for message %s (%s)", record.message_id, record.status)


def _retries(message: MessageProxy) -> int:
    return hops.count_option(message.options, "retries", 0)


def _rejected(message: MessageProxy, status: HopStatus) -> HopRecord:
    """The journal row of a message rejected before its envelope could be read."""
    finished = datetime.now(UTC)
    raw = message.args[0] if message.args and isinstance(message.args[0], str) else repr(message.args)
    return HopRecord(
        message_id=message.message_id,
        step=message.actor_name,
        queue=message.queue_name,
        status=status,
        received_at=finished,
        finished_at=finished,
        correlation_id=message.options.get("correlation_id"),
        payload_sha256=hashlib.sha256(raw.encode()).hexdigest(),
        raw_payload=raw.encode(),
        retries=_retries(message),
        error=(message.options.get("dead_letter") or {}).get("error"),
    )
