"""Dead letters with a reason.

A dead letter is the Dramatiq message as it was, plus ``options["dead_letter"]`` saying why, put on
``<queue>.XQ``. On RabbitMQ it is published there with publisher confirms *before* the original is
acknowledged, so it is never lost. (A plain ``nack`` would move the original body through the
dead-letter exchange without any reason.) On the in-memory broker it is rejected into the stub's
dead-letter list with the same options.

Bytes that are not a Dramatiq message at all are dead-lettered by the RabbitMQ consumer
(:mod:`crossdock.broker.rabbitmq`) with the reason in the ``x-crossdock-reason`` header.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from dramatiq.broker import Broker, MessageProxy

logger = logging.getLogger(__name__)

REASON_HEADER = "x-crossdock-reason"
QUEUE_HEADER = "x-crossdock-queue"


@dataclass(frozen=True, slots=True)
class DeadLetterInfo:
    reason: str
    error: str
    error_type: str
    retries: int
    dead_lettered_at: str

    def as_option(self) -> dict[str, Any]:
        return asdict(self)


def dead_letter(broker: Broker, message: MessageProxy, info: DeadLetterInfo) -> None:
    message.options["dead_letter"] = info.as_option()
    publish = getattr(broker, "publish_dead_letter", None)
    if publish is None:
        message.fail()
        return
    try:
        publish(message.queue_name, message.encode(), reason=info.reason)
    except Exception:
        logger.exception("Could not publish dead letter %s; rejecting it instead", message.message_id)
        message.fail()
