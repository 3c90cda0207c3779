"""Dramatiq's RabbitMQ broker with crossdock's additions.

* :meth:`CrossdockRabbitmqBroker.publish_dead_letter`: put a message on ``<queue>.XQ`` with the reason,
  through this thread's confirmed channel, reconnecting like ``enqueue`` does.
* A consumer that dead-letters bytes which are not a Dramatiq message (or name an actor this worker
  does not know) with a clear reason, and keeps consuming. Dramatiq's own consumer rejects them
  without saying why.
* Quorum queues on request (``queue_type="quorum"``): every lane, its delay queue and its dead-letter
  queue are declared ``x-queue-type: quorum`` (replicated on a RabbitMQ cluster), lanes with a
  delivery limit (a message redelivered that often, e.g. because it kills its worker each time, goes
  to ``<queue>.XQ``) and at-least-once dead-lettering. A queue's type is fixed when it is declared:
  switch an existing vhost only once it is drained (docs/deploy.md).
"""

from __future__ import annotations

import logging
from typing import Any

import pika
import pika.exceptions
from dramatiq.brokers.rabbitmq import DEAD_MESSAGE_TTL, RabbitmqBroker, _RabbitmqConsumer, _RabbitmqMessage
from dramatiq.common import q_name, xq_name
from dramatiq.errors import ConnectionClosed, DecodeError
from dramatiq.message import Message

from crossdock.broker.deadletter import QUEUE_HEADER, REASON_HEADER
from crossdock.broker.lanes import canonical_queue, dead_letter_queue

logger = logging.getLogger(__name__)

PUBLISH_ATTEMPTS = 6
_QUORUM_ARGUMENTS = {
    "x-queue-type": "quorum",
    # a message RabbitMQ dead-letters (rejected, or over its delivery limit) is kept until <queue>.XQ
    # confirmed it, instead of at most once; this strategy needs reject-publish overflow
    "x-dead-letter-strategy": "at-least-once",
    "x-overflow": "reject-publish",
}
_AMQP_ERRORS = (pika.exceptions.AMQPConnectionError, pika.exceptions.AMQPChannelError)


QUEUE_TYPES = ("classic", "quorum")


class CrossdockRabbitmqBroker(RabbitmqBroker):
    def __init__(self, *args: Any, queue_type: str = "classic", delivery_limit: int = 20, **kwargs: Any) -> None:
        if queue_type not in QUEUE_TYPES:
            raise ValueError(f"queue_type must be one of {', '.join(QUEUE_TYPES)}, not {queue_type!r}")
        if delivery_limit < 1:
            raise ValueError("delivery_limit must be at least 1")
        self.queue_type = queue_type
        self.delivery_limit = delivery_limit
        super().__init__(*args, **kwargs)

    def _build_queue_arguments(self, queue_name: str) -> dict[str, Any]:
        arguments: dict[str, Any] = super()._build_queue_arguments(queue_name)  # type: ignore[no-untyped-call]
        if self.queue_type == "quorum":
            arguments.update(_QUORUM_ARGUMENTS)
            arguments["x-delivery-limit"] = self.delivery_limit
        return arguments

    def _declare_xq_queue(self, queue_name: str) -> Any:
        if self.queue_type != "quorum":
            return super()._declare_xq_queue(queue_name)  # type: ignore[no-untyped-call]
        return self.channel.queue_declare(
            queue=xq_name(queue_name),
            durable=True,
            arguments={"x-queue-type": "quorum", "x-message-ttl": DEAD_MESSAGE_TTL},
        )

    @property
    def consumer_class(self) -> type[_RabbitmqConsumer]:
        return _CrossdockConsumer

    def publish_dead_letter(
        self, queue: str, body: bytes, *, reason: str, headers: dict[str, Any] | None = None
    ) -> None:
        canonical = canonical_queue(queue)
        self.declare_queue(canonical, ensure=True)
        all_headers = {**(headers or {}), REASON_HEADER: reason[:1000], QUEUE_HEADER: canonical}
        properties = pika.BasicProperties(delivery_mode=2, headers=all_headers)
        for attempt in range(1, PUBLISH_ATTEMPTS + 1):
            try:
                self.channel.basic_publish(
                    exchange="",
                    routing_key=dead_letter_queue(canonical),
                    body=body,
                    properties=properties,
                    mandatory=self.confirm_delivery,
                )
                return
            except _AMQP_ERRORS as exc:
                del self.connection
                if attempt == PUBLISH_ATTEMPTS:
                    raise ConnectionClosed(exc) from None  # type: ignore[no-untyped-call]


_FIELD_TYPES = {"actor_name": str, "message_id": str, "kwargs": dict, "options": dict, "message_timestamp": int}


def _wrong_field(message: Message[Any]) -> str | None:
    """Dramatiq decodes any JSON object with the right keys; a field of the wrong type would make the
    worker's hooks fail after the step and the message be acknowledged, lost. Name the first one."""
    for name, kind in _FIELD_TYPES.items():
        value = getattr(message, name)
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"{name} is a {type(value).__name__}, not a {kind.__name__}"
    return None


class _CrossdockConsumer(_RabbitmqConsumer):
    def __next__(self) -> _RabbitmqMessage | None:
        """The next message, or ``None``; garbage is dead-lettered with its reason on the way."""
        try:
            method, _properties, body = next(self.iterator)
            if method is None:
                return None
        except (AssertionError, *_AMQP_ERRORS) as exc:
            if getattr(exc, "reply_code", None) == 404:
                self.broker.queues_pending.add(q_name(self.queue_name))
            raise ConnectionClosed(exc) from None  # type: ignore[no-untyped-call]

        try:
            message = Message.decode(body)
        except DecodeError as exc:
            self._dead_letter_garbage(method.delivery_tag, body, f"not a Dramatiq message: {exc.error!r}")
            return None
        wrong = _wrong_field(message)
        if wrong is not None:
            self._dead_letter_garbage(method.delivery_tag, body, f"not a Dramatiq message: {wrong}")
            return None
        if message.actor_name not in self.broker.actors:
            self._dead_letter_garbage(
                method.delivery_tag, body, f"message for actor {message.actor_name!r}, which this worker does not know"
            )
            return None
        proxy = _RabbitmqMessage(method.redelivered, method.delivery_tag, message)  # type: ignore[no-untyped-call]
        self.known_tags.add(method.delivery_tag)
        return proxy

    def _dead_letter_garbage(self, tag: int, body: bytes, reason: str) -> None:
        logger.error("Dead-lettering undecodable message from queue %s: %s", self.queue_name, reason)
        try:
            self.broker.publish_dead_letter(self.queue_name, body, reason=reason)
        except Exception:
            logger.exception(
                "Could not publish the dead letter; rejecting it to %s.XQ without a reason", self.queue_name
            )
            self.channel.basic_nack(tag, requeue=False)
            return
        self.channel.basic_ack(tag)
