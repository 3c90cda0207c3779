"""Send crossdock messages again, by hand: a parked message after its business error was fixed
(``crossdock exceptions replay``), a stored payload's first message (``crossdock reprocess``), a dead
letter from the store (``crossdock dlq replay``).

Each is published as a Dramatiq message to the step's queue with publisher confirms, over one
connection per command; the step's idempotency check still applies, so a message that was in fact
processed is skipped as a duplicate.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel

from crossdock.broker import codec
from crossdock.broker.lanes import canonical_queue


def message_body(*, queue: str, actor: str, payload: str, options: dict[str, Any] | None = None) -> tuple[str, bytes]:
    """(message id, Dramatiq message bytes) for ``payload`` (envelope+document JSON) to ``actor``."""
    envelope = codec.decode_envelope(payload)
    body = json.dumps(
        {
            "queue_name": queue,
            "actor_name": actor,
            "args": [payload],
            "kwargs": {},
            "options": {"replayed_at": datetime.now(UTC).isoformat(), **(options or {})},
            "message_id": envelope.message_id,
            "message_timestamp": int(time.time() * 1000),
        },
        separators=(",", ":"),
    ).encode()
    return envelope.message_id, body


class Republisher:
    """One AMQP connection with publisher confirms; :meth:`publish` returns once RabbitMQ confirmed."""

    def __init__(self, channel: BlockingChannel) -> None:
        self._channel = channel

    def publish(self, queue: str, body: bytes) -> None:
        properties = pika.BasicProperties(delivery_mode=2)
        self._channel.basic_publish("", canonical_queue(queue), body, properties, mandatory=True)

    def send(self, *, queue: str, actor: str, payload: str, options: dict[str, Any] | None = None) -> str:
        message_id, body = message_body(queue=queue, actor=actor, payload=payload, options=options)
        self.publish(queue, body)
        return message_id


@contextlib.contextmanager
def republisher(amqp_url: str, *, timeout_s: float = 30.0) -> Iterator[Republisher]:
    parameters = pika.URLParameters(amqp_url)
    parameters.socket_timeout = timeout_s
    parameters.stack_timeout = timeout_s
    parameters.blocked_connection_timeout = timeout_s
    connection = pika.BlockingConnection(parameters)
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        yield Republisher(channel)
    finally:
        with contextlib.suppress(pika.exceptions.AMQPError):
            connection.close()


def republish(amqp_url: str, *, queue: str, actor: str, payload: str, timeout_s: float = 30.0) -> str:
    """Publish ``payload`` (envelope+document JSON) for ``actor`` on ``queue``; returns the message id."""
    with republisher(amqp_url, timeout_s=timeout_s) as publisher:
        return publisher.send(queue=queue, actor=actor, payload=payload)
