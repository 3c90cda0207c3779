"""Send one crossdock message again, by hand: a parked message after its business error was fixed.

It is published as a Dramatiq message to the step's queue with publisher confirms; the step's
idempotency check still applies, so a message that was in fact processed is skipped as a duplicate.
"""

from __future__ import annotations

import contextlib
import json
import time
from datetime import UTC, datetime

import pika
import pika.exceptions

from crossdock.broker import codec


def republish(amqp_url: str, *, queue: str, actor: str, payload: str, timeout_s: float = 30.0) -> str:
    """Publish ``payload`` (envelope+document JSON) for ``actor`` on ``queue``; returns the message id."""
    envelope = codec.decode_envelope(payload)
    body = json.dumps(
        {
            "queue_name": queue,
            "actor_name": actor,
            "args": [payload],
            "kwargs": {},
            "options": {"replayed_at": datetime.now(UTC).isoformat()},
            "message_id": envelope.message_id,
            "message_timestamp": int(time.time() * 1000),
        },
        separators=(",", ":"),
    ).encode()
    parameters = pika.URLParameters(amqp_url)
    parameters.socket_timeout = timeout_s
    parameters.stack_timeout = timeout_s
    parameters.blocked_connection_timeout = timeout_s
    connection = pika.BlockingConnection(parameters)
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        channel.basic_publish("", queue, body, pika.BasicProperties(delivery_mode=2), mandatory=True)
    finally:
        with contextlib.suppress(pika.exceptions.AMQPError):
            connection.close()
    return envelope.message_id
