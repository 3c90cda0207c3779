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

:func:`decide` is pure; :func:`retry`, :func:`wait` and :func:`dead_letter` act on the broker and
return the hop's outcome. The hop lifecycle (:mod:`.lifecycle`), which replaces Dramatiq's ``Retries``,
calls them after it rolled the hop's transaction back; parking needs the store and is done there.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, cast

from dramatiq.broker import Broker, MessageProxy
from dramatiq.common import compute_backoff
from dramatiq.message import Message

from crossdock.broker import deadletter
from crossdock.broker.middleware import outage
from crossdock.broker.ports import HopStatus
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
    person: the hop lifecycle logs each in one line (a parked one with step, message id, owner, code and
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


def _requeue(broker: Broker, message: MessageProxy, delay: int, what: str) -> bool:
    try:
        # the proxy stands for its message, as in Dramatiq's own Retries middleware
        broker.enqueue(cast("Message[Any]", message), delay=delay)
    except Exception:
        logger.exception("Could not re-enqueue message %s for %s; rejecting it instead", message.message_id, what)
        message.fail()  # RabbitMQ's dead-letter exchange keeps it in <queue>.XQ
        return False
    return True


def wait(broker: Broker, message: MessageProxy, exception: UnavailableError, error: str) -> HopStatus:
    """Requeue after the dependency's retry-after, the retry count untouched."""
    now = time.time()
    outage.start_waiting(message.options, now)
    message.options["last_error"] = error
    delay = outage.delay_ms(exception, outage.waited_s(message.options, now))
    if not _requeue(broker, message, delay, "its wait"):
        return HopStatus.DEAD_LETTERED
    logger.info("Message %s waits %d ms for the dependency to come back: %s", message.message_id, delay, error)
    return HopStatus.RETRIED


def retry(
    broker: Broker, message: MessageProxy, retries: int, error: str, *, min_backoff: int, max_backoff: int
) -> HopStatus:
    """Requeue with exponential backoff and jitter, one retry spent."""
    message.options["retries"] = retries + 1
    message.options["last_error"] = error
    _, delay = compute_backoff(retries, factor=min_backoff, max_backoff=max_backoff, jitter=True)
    if not _requeue(broker, message, delay, "retry"):
        return HopStatus.DEAD_LETTERED
    logger.info("Retrying message %s in %d ms (retry %d): %s", message.message_id, delay, retries + 1, error)
    return HopStatus.RETRIED


def dead_letter_info(exception: BaseException, error: str, retries: int) -> deadletter.DeadLetterInfo:
    reason = getattr(exception, "reason", None)  # crossdock's decode errors; other libraries' may not be text
    return deadletter.DeadLetterInfo(
        reason=reason if isinstance(reason, str) and reason else error,
        error=error,
        error_type=type(exception).__name__,
        retries=retries,
        dead_lettered_at=datetime.now(UTC).isoformat(),
    )


def dead_letter(broker: Broker, message: MessageProxy, info: deadletter.DeadLetterInfo) -> HopStatus:
    logger.warning("Dead-lettering message %s after %d retries: %s", message.message_id, info.retries, info.error)
    deadletter.dead_letter(broker, message, info)
    return HopStatus.DEAD_LETTERED
