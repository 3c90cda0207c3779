"""Correlation: the correlation id and causation id travel from the first hop to the last, and into logs.

The ids live in the canonical envelope (``Envelope.caused`` keeps the correlation id and makes this
message the cause of the next). This middleware reads them when a message arrives, publishes them
to a context variable for the logging filter, and stamps them onto any message the step enqueues
(``options["correlation_id"]`` / ``options["causation_id"]``) so even a non-envelope message carries them.
"""

from __future__ import annotations

import logging
from typing import Any

from dramatiq.broker import Broker, MessageProxy
from dramatiq.message import Message
from dramatiq.middleware import Middleware

from crossdock.broker import hop as hops


class Correlation(Middleware):
    """Decodes the envelope (garbage is rejected here, before any step runs) and sets the log context."""

    def before_process_message(self, broker: Broker, message: MessageProxy) -> None:
        hops.enter(hops.begin(message))

    def after_process_message(
        self, broker: Broker, message: MessageProxy, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        hops.leave()

    def after_skip_message(self, broker: Broker, message: MessageProxy) -> None:
        hops.leave()

    def before_enqueue(self, broker: Broker, message: Message[Any], delay: int | None) -> None:
        hop = hops.current_hop_or_none()
        if hop is None or message.message_id == hop.dramatiq_id:
            return  # not sent from inside a step, or a retry of the same message
        message.options.setdefault("correlation_id", hop.envelope.correlation_id)
        message.options.setdefault("causation_id", hop.message_id)


def _without_payload(arg: object) -> object:
    if isinstance(arg, Message | MessageProxy):
        return f"{arg.actor_name}[{arg.message_id}]"
    return arg


class CorrelationLogFilter(logging.Filter):
    """Adds ``correlation_id``, ``causation_id`` and ``message_id`` to every log record ("-" outside a
    step), and keeps message payloads (which may carry customer data) out of Dramatiq's own log lines
    by logging a message as ``actor[message id]``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(_without_payload(a) for a in record.args)
        hop = hops.current_hop_or_none()
        record.correlation_id = hop.envelope.correlation_id if hop else "-"
        record.causation_id = (hop.envelope.causation_id or "-") if hop else "-"
        record.message_id = hop.message_id if hop else "-"
        return True


LOG_FORMAT = (
    "[%(asctime)s] [PID %(process)d] [%(threadName)s] [%(name)s] [%(levelname)s] "
    "[corr=%(correlation_id)s cause=%(causation_id)s msg=%(message_id)s] %(message)s"
)


def install_log_filter(logger: logging.Logger | None = None, *, set_format: bool = True) -> None:
    """Attach the filter to every handler of ``logger`` (root by default), once."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, CorrelationLogFilter) for f in handler.filters):
            handler.addFilter(CorrelationLogFilter())
            if set_format:
                handler.setFormatter(logging.Formatter(LOG_FORMAT))
