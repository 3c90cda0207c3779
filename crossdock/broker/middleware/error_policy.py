"""Error policy: what happens to a message whose step raised, decided by crossdock's error classes only.

=====================  ==========================================================================
``BusinessError``      not retried; an exception work item for its owner role (integration,
                       warehouse, finance ...); the message is acknowledged: parked, not lost
``PermanentError``,    dead-lettered at once (``<queue>.XQ``) with the error
``ConfigError``,
``EdiError``
``UnavailableError``   (an open ERP circuit breaker) requeued after the breaker's ``retry_after``
                       without spending a retry, for up to its ``wait_limit_s`` in all (see
                       :mod:`~crossdock.broker.middleware.outage`); then as ``TransientError``
``TransientError`` and retried with exponential backoff and jitter (``min_backoff`` doubling up to
anything else          ``max_backoff``), at most ``max_retries`` times, then dead-lettered
=====================  ==========================================================================

This middleware replaces Dramatiq's ``Retries`` and owns the same actor options.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from dramatiq import Message
from dramatiq.broker import Broker, MessageProxy
from dramatiq.common import compute_backoff
from dramatiq.middleware import Middleware

from crossdock.broker import deadletter
from crossdock.broker import hop as hops
from crossdock.broker.dead_letter_journal import journal_dead_letter
from crossdock.broker.middleware import outage
from crossdock.broker.ports import HopRecord, HopStatus, MessageStore
from crossdock.errors import BusinessError, ConfigError, EdiError, PermanentError, UnavailableError

logger = logging.getLogger(__name__)

ERROR_TEXT_LIMIT = 2000


class Decision(StrEnum):
    RETRY = "retry"
    DEAD_LETTER = "dead_letter"
    PARK = "park"
    WAIT = "wait"


def decide(exception: BaseException, retries: int, max_retries: int, waited_s: float = 0.0) -> Decision:
    """Pure: ``retries`` is how many times the message was already retried, ``waited_s`` how long it
    has waited for a dependency that is down."""
    if isinstance(exception, BusinessError):
        return Decision.PARK
    if isinstance(exception, PermanentError | ConfigError | EdiError):
        return Decision.DEAD_LETTER
    if outage.may_wait(exception, waited_s):
        return Decision.WAIT
    return Decision.RETRY if retries < max_retries else Decision.DEAD_LETTER


def describe(exception: BaseException) -> str:
    text = f"{type(exception).__name__}: {exception}"
    return text if len(text) <= ERROR_TEXT_LIMIT else text[: ERROR_TEXT_LIMIT - 3] + "..."


DRAMATIQ_WORKER_LOG = "dramatiq.worker.WorkerThread"


class ExpectedFailures(logging.Filter):
    """Drops Dramatiq's "Failed to process message ... with unhandled exception" record (and its
    traceback) for a message that waits for an ERP outage to end, and for a business error parked for a
    person: this policy logs each in one line (a parked one with step, message id, owner, code and
    exception item id, never the error text, which may quote a partner's values). Tracebacks are for
    the unexpected."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], UnavailableError | BusinessError))


class MessagesByKey(logging.Filter):
    """Dramatiq logs a message as ``actor(args...)``: the whole payload, an order with its customer's
    name and address, in every "Failed to process message" line (and at DEBUG, in every "Received
    message"). This writes each message argument of a record as its actor and id instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, Message | MessageProxy) for a in record.args):
            record.args = tuple(
                f"{a.actor_name} message {a.message_id}" if isinstance(a, Message | MessageProxy) else a
                for a in record.args
            )
        return True


def quiet_expected_failures() -> None:
    """Install :class:`ExpectedFailures` and :class:`MessagesByKey` on Dramatiq's worker logger, once
    per process."""
    worker_log = logging.getLogger(DRAMATIQ_WORKER_LOG)
    if not any(isinstance(f, ExpectedFailures) for f in worker_log.filters):
        worker_log.addFilter(MessagesByKey())
        worker_log.addFilter(ExpectedFailures())


class ErrorPolicy(Middleware):
    def __init__(
        self,
        *,
        store: MessageStore | None = None,
        max_retries: int = 5,
        min_backoff: int = 1_000,
        max_backoff: int = 300_000,
    ) -> None:
        self.store = store
        self.max_retries = max_retries
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff

    def before_worker_boot(self, broker: Broker, worker: Any) -> None:
        quiet_expected_failures()

    @property
    def actor_options(self) -> set[str]:
        return {"max_retries", "min_backoff", "max_backoff"}

    def _option(self, broker: Broker, message: MessageProxy, name: str) -> int:
        actor = broker.get_actor(message.actor_name)
        return hops.count_option(message.options, name, int(actor.options.get(name, getattr(self, name))))

    def after_process_message(
        self, broker: Broker, message: MessageProxy, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        if exception is None:
            return
        hop = hops.peek_hop(message)
        if hop is not None:
            hop.abort()  # the step's effects and the idempotency mark are rolled back first
        retries = hops.count_option(message.options, "retries", 0)
        waited = outage.waited_s(message.options, time.time())
        decision = decide(exception, retries, self._option(broker, message, "max_retries"), waited)
        error = describe(exception)
        if hop is not None:
            hop.error = error
        if decision is Decision.PARK and not self._park(message, hop, exception, error):
            decision = Decision.DEAD_LETTER
        if decision is Decision.WAIT:
            assert isinstance(exception, UnavailableError)  # decide() waits for nothing else
            self._wait(broker, message, hop, exception, error)
        elif decision is Decision.RETRY:
            self._retry(broker, message, hop, retries, error)
        elif decision is Decision.DEAD_LETTER:
            self._dead_letter(broker, message, hop, retries, error, exception)

    def _wait(
        self, broker: Broker, message: MessageProxy, hop: hops.Hop | None, exception: UnavailableError, error: str
    ) -> None:
        """Requeue after the dependency's retry-after, the retry count untouched."""
        now = time.time()
        outage.start_waiting(message.options, now)
        message.options["last_error"] = error
        delay = outage.delay_ms(exception, outage.waited_s(message.options, now))
        try:
            broker.enqueue(message, delay=delay)
        except Exception:
            logger.exception("Could not re-enqueue waiting message %s; rejecting it instead", message.message_id)
            message.fail()  # RabbitMQ's dead-letter exchange keeps it in <queue>.XQ
            if hop is not None:
                hop.outcome = HopStatus.DEAD_LETTERED
            return
        logger.info("Message %s waits %d ms for the dependency to come back: %s", message.message_id, delay, error)
        if hop is not None:
            hop.outcome = HopStatus.RETRIED

    def _retry(self, broker: Broker, message: MessageProxy, hop: hops.Hop | None, retries: int, error: str) -> None:
        message.options["retries"] = retries + 1
        message.options["last_error"] = error
        _, delay = compute_backoff(
            retries,
            factor=self._option(broker, message, "min_backoff"),
            max_backoff=self._option(broker, message, "max_backoff"),
            jitter=True,
        )
        try:
            broker.enqueue(message, delay=delay)
        except Exception:
            logger.exception("Could not re-enqueue message %s for retry; rejecting it instead", message.message_id)
            message.fail()  # RabbitMQ's dead-letter exchange keeps it in <queue>.XQ
            if hop is not None:
                hop.outcome = HopStatus.DEAD_LETTERED
            return
        logger.info("Retrying message %s in %d ms (retry %d): %s", message.message_id, delay, retries + 1, error)
        if hop is not None:
            hop.outcome = HopStatus.RETRIED

    def _dead_letter(
        self,
        broker: Broker,
        message: MessageProxy,
        hop: hops.Hop | None,
        retries: int,
        error: str,
        exception: BaseException,
    ) -> None:
        reason = getattr(exception, "reason", None)  # crossdock's decode errors; other libraries' may not be text
        info = deadletter.DeadLetterInfo(
            reason=reason if isinstance(reason, str) and reason else error,
            error=error,
            error_type=type(exception).__name__,
            retries=retries,
            dead_lettered_at=datetime.now(UTC).isoformat(),
        )
        logger.warning("Dead-lettering message %s after %d retries: %s", message.message_id, retries, error)
        if self.store is not None:  # journaled first: the store's copy outlives the broker's (7-day TTL)
            journal_dead_letter(self.store, message, hop, info)
        deadletter.dead_letter(broker, message, info)
        if hop is not None:
            hop.outcome = HopStatus.DEAD_LETTERED

    def _park(self, message: MessageProxy, hop: hops.Hop | None, exception: BaseException, error: str) -> bool:
        if self.store is None or hop is None:
            return False
        owner = str(getattr(exception, "owner", "integration"))
        record = HopRecord(
            message_id=hop.message_id,
            step=hop.step,
            queue=hop.queue,
            status=HopStatus.PARKED,
            received_at=hop.received_at,
            finished_at=datetime.now(UTC),
            correlation_id=hop.envelope.correlation_id,
            causation_id=hop.envelope.causation_id,
            idempotency_key=hop.envelope.idempotency_key,
            document_type=hop.envelope.document_type,
            source=hop.envelope.source,
            payload_sha256=hop.payload_sha256,
            raw_payload=hop.payload,  # kept with the exception item, to replay after the fix
            retries=hops.count_option(message.options, "retries", 0),
            error=error,
            business_keys=hop.business_keys,
        )
        code = getattr(exception, "code", None) or type(exception).__name__
        try:
            item_id = self.store.open_exception(
                record,
                owner=owner,
                reason=str(exception),
                key=getattr(exception, "key", None),
                code=code,
            )
        except Exception:
            logger.exception("Could not open an exception item for message %s; dead-lettering it", hop.message_id)
            return False
        # One line, no traceback, no message text (it may quote a partner's values): the item has it all.
        logger.warning(
            "Parked message %s at step %s for %s: %s, exception item %s",
            hop.message_id, hop.step, owner, code, item_id if item_id is not None else "-",
        )  # fmt: skip
        hop.outcome = HopStatus.PARKED
        return True
