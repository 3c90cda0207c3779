"""Journal a dead letter in the store, beside the broker's copy on ``<queue>.XQ``.

Dramatiq declares the dead-letter queues with a 7-day message TTL: after that RabbitMQ drops the
message. The store's row (the message body, step, reason, error, retries) does not expire, so
``crossdock dlq list|show|replay`` still work. A failure to journal is logged and never stops the
dead-lettering itself: the broker's copy is still there.
"""

from __future__ import annotations

import logging
from datetime import datetime

from dramatiq.broker import MessageProxy

from crossdock.broker import codec
from crossdock.broker import hop as hops
from crossdock.broker.deadletter import DeadLetterInfo
from crossdock.broker.lanes import canonical_queue
from crossdock.broker.ports import DeadLetterRecord, MessageStore

logger = logging.getLogger(__name__)


def journal_dead_letter(store: MessageStore, message: MessageProxy, hop: hops.Hop | None, info: DeadLetterInfo) -> None:
    payload = message.args[0] if len(message.args) == 1 else None
    try:
        at = datetime.fromisoformat(info.dead_lettered_at)
        record = DeadLetterRecord(
            message_id=message.message_id,
            queue=canonical_queue(message.queue_name),
            actor=message.actor_name,
            reason=info.reason,
            body=message.encode(),
            error=info.error,
            error_type=info.error_type,
            retries=info.retries,
            business_key=codec.business_key(payload),
            idempotency_key=hop.envelope.idempotency_key if hop is not None else None,
            correlation_id=hop.envelope.correlation_id if hop is not None else None,
            dead_lettered_at=at,
        )
        store.record_dead_letter(record)
    except Exception:
        logger.exception(
            "Could not journal dead letter %s in the store (the broker's copy is kept)", message.message_id
        )
