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
* Acknowledgement after the group commit: a hop of a ``group_commit=True`` step hands its mark and
  journal row to the group committer and its worker thread moves on; the consumer acknowledges the
  message only once that batch committed, and rejects it to ``<queue>.XQ`` if the commit failed. So
  no message is acknowledged before its rows are durable, and no worker thread waits for an fsync.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any

import pika
import pika.exceptions
from dramatiq.broker import Consumer, MessageProxy
from dramatiq.brokers.rabbitmq import DEAD_MESSAGE_TTL, RabbitmqBroker, _RabbitmqConsumer, _RabbitmqMessage
from dramatiq.common import q_name, xq_name
from dramatiq.errors import ConnectionClosed, DecodeError
from dramatiq.message import Message

from crossdock.broker import hop as hops
from crossdock.broker.deadletter import QUEUE_HEADER, REASON_HEADER
from crossdock.broker.lanes import canonical_queue, dead_letter_queue
from crossdock.broker.middleware.errors import MessageRejectedError
from crossdock.broker.middleware.idempotency import Idempotency
from crossdock.broker.ports import DeferredCommit

logger = logging.getLogger(__name__)

PUBLISH_ATTEMPTS = 6
GROUP_COMMIT_PREFETCH = 256
"""Prefetch of a queue with group-commit steps (at most this many messages of ``max_message_bytes`` held
per worker process and queue)."""
PREFETCH_CHECK_MAX = 500
"""At most this many received messages are checked together (bounded by the prefetch count anyway)."""
PREFETCH_CHECK_WAIT_S = 5.0
"""How long the consumer thread (which also keeps the connection's heartbeats) waits for that check;
past it, the worker threads check their keys themselves."""
DEFERRED_ACK_WAIT_S = 30.0
"""At consumer shutdown, how long to wait for the commits of hops not acknowledged yet."""
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
    acks_after_commit = True
    """Its consumer acknowledges a group-commit hop from the commit's callback (read by the idempotency
    middleware, which then does not make the worker thread wait for the commit)."""

    def __init__(self, *args: Any, queue_type: str = "classic", delivery_limit: int = 20, **kwargs: Any) -> None:
        if queue_type not in QUEUE_TYPES:
            raise ValueError(f"queue_type must be one of {', '.join(QUEUE_TYPES)}, not {queue_type!r}")
        if delivery_limit < 1:
            raise ValueError("delivery_limit must be at least 1")
        self.queue_type = queue_type
        self.delivery_limit = delivery_limit
        super().__init__(*args, **kwargs)

    def _build_queue_arguments(self, queue_name: str) -> dict[str, Any]:
        arguments: dict[str, Any] = super()._build_queue_arguments(queue_name)
        if self.queue_type == "quorum":
            arguments.update(_QUORUM_ARGUMENTS)
            arguments["x-delivery-limit"] = self.delivery_limit
        return arguments

    def _declare_xq_queue(self, queue_name: str) -> Any:
        if self.queue_type != "quorum":
            return super()._declare_xq_queue(queue_name)
        return self.channel.queue_declare(
            queue=xq_name(queue_name),
            durable=True,
            arguments={"x-queue-type": "quorum", "x-message-ttl": DEAD_MESSAGE_TTL},
        )

    @property
    def consumer_class(self) -> type[_RabbitmqConsumer]:
        return _CrossdockConsumer

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000) -> Consumer:
        """A queue with a group-commit step prefetches at least :data:`GROUP_COMMIT_PREFETCH`
        messages: its messages stay unacknowledged until their batch committed, and a batch can only
        be as large as the messages in flight (Dramatiq's default is twice the worker threads)."""
        if any(a.queue_name == queue_name and a.options.get("group_commit") for a in self.actors.values()):
            prefetch = max(prefetch, GROUP_COMMIT_PREFETCH)
        consumer: Consumer = super().consume(queue_name, prefetch, timeout)
        return consumer

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
                    raise ConnectionClosed(exc) from None


def _prefetch_checker(broker: RabbitmqBroker) -> Callable[..., set[tuple[str, str]]] | None:
    """The idempotency store's batch check, when the broker has one that group-commits."""
    for middleware in broker.middleware:
        if isinstance(middleware, Idempotency):
            checker: Callable[..., set[tuple[str, str]]] | None = getattr(middleware.store, "marked_many", None)
            return checker
    return None


_FIELD_TYPES = {"actor_name": str, "message_id": str, "kwargs": dict, "options": dict, "message_timestamp": int}


def _wrong_field(message: Message[Any]) -> str | None:
    """Dramatiq decodes any JSON object with the right keys; a field of the wrong type would make the
    worker's hooks fail after the step and the message be acknowledged, lost. Name the first one."""
    for name, kind in _FIELD_TYPES.items():
        value = getattr(message, name)
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"{name} is a {type(value).__name__}, not a {kind.__name__}"
    return None


class _CrossdockConsumer(_RabbitmqConsumer):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]
        self._deferred = 0
        self._deferred_settled = threading.Condition()
        self._settled: list[tuple[Any, MessageProxy, DeferredCommit]] = []
        self._ready: deque[_RabbitmqMessage] = deque()
        self._marked_many = _prefetch_checker(self.broker)

    def ack(self, message: MessageProxy) -> None:
        hop = hops.peek_hop(message)
        deferred = hop.deferred if hop is not None else None
        if deferred is None:
            super().ack(message)  # type: ignore[no-untyped-call]
            return
        # As Dramatiq's ack: forget the tag now (a reconnected consumer must not ack a stale tag); the
        # basic.ack goes out on this connection and channel once the hop's batch committed.
        self.known_tags.remove(message._tag)
        with self._deferred_settled:
            self._deferred += 1
        deferred.then(partial(self._settle, self.connection, self.channel, message))

    def _settle(self, connection: Any, channel: Any, message: MessageProxy, deferred: DeferredCommit) -> None:
        """In the committer thread: hand the hop's basic.ack (or, if its commit failed, its basic.nack
        to the dead-letter queue: nothing was recorded, `crossdock dlq replay` runs it again) to the
        consumer thread. One wake-up carries every hop settled until the consumer thread runs it."""
        try:
            with self._deferred_settled:
                self._settled.append((channel, message, deferred))
                wake = len(self._settled) == 1
            if wake:
                connection.add_callback_threadsafe(self._send_settled)
        except Exception as exc:  # the connection closed meanwhile: RabbitMQ redelivers the messages
            with self._deferred_settled:
                lost, self._settled = self._settled, []
            logger.warning(
                "%d messages were committed but cannot be acknowledged (%s); their redeliveries are skipped "
                "as duplicates",
                len(lost),
                exc,
            )
        finally:
            with self._deferred_settled:
                self._deferred -= 1
                self._deferred_settled.notify_all()

    def _send_settled(self) -> None:
        """In the consumer thread (a pika callback): the acks and rejections settled so far."""
        with self._deferred_settled:
            settled, self._settled = self._settled, []
        for channel, message, deferred in settled:
            try:
                if deferred.error is None:
                    channel.basic_ack(message._tag)
                    continue
                logger.error(
                    "Commit of step %s failed; dead-lettering message %s: %s",
                    message.actor_name,
                    message.message_id,
                    deferred.error,
                )
                channel.basic_nack(message._tag, requeue=False)
            except Exception as exc:  # the channel closed: RabbitMQ redelivers the message
                logger.warning("Could not settle message %s after its commit (%s)", message.message_id, exc)

    def close(self) -> None:
        with self._deferred_settled:
            if not self._deferred_settled.wait_for(lambda: self._deferred == 0, DEFERRED_ACK_WAIT_S):
                logger.warning(
                    "%d messages still wait for their group commit; RabbitMQ redelivers them", self._deferred
                )
        super().close()  # type: ignore[no-untyped-call]

    def __next__(self) -> _RabbitmqMessage | None:
        """The next message. With a group-commit store, every message already received is taken at
        once and the idempotency keys of those for group-commit steps are checked in one read, so
        their worker threads need not ask (see :meth:`_precheck`)."""
        if self._ready:
            return self._ready.popleft()
        first = self._receive()
        if first is None or self._marked_many is None:
            return first
        batch = [first]
        while len(batch) < PREFETCH_CHECK_MAX and self.channel.get_waiting_message_count() > 0:
            message = self._receive()
            if message is not None:
                batch.append(message)
        self._precheck(batch)
        self._ready.extend(batch[1:])
        return first

    def _precheck(self, batch: list[_RabbitmqMessage]) -> None:
        """Check the keys of the batch's group-commit hops in one read and note the answer on each
        hop. Only the first message of a key in the batch is checked (a second delivery of it is
        checked by its worker thread, as without this); garbage and failures are left to the worker
        threads, which reject or check as usual. The commit stays the authority: a key marked after
        this check is still journaled as a duplicate, never run to a second mark."""
        found: dict[tuple[str, str], hops.Hop] = {}
        for message in batch:
            actor = self.broker.actors.get(message.actor_name)
            if actor is None or not actor.options.get("group_commit", False):
                continue
            if not actor.options.get("idempotent", True):
                continue
            try:
                hop = hops.hop_for(message)
            except MessageRejectedError:
                continue
            found.setdefault((message.actor_name, hop.envelope.idempotency_key), hop)
        checker = self._marked_many
        if not found or checker is None:
            return
        try:
            marked = checker(list(found), timeout_s=PREFETCH_CHECK_WAIT_S)
        except Exception as exc:
            logger.warning("Prefetch check of %d keys failed (%s); worker threads check them", len(found), exc)
            return
        for pair, hop in found.items():
            hop.marked = pair in marked

    def _receive(self) -> _RabbitmqMessage | None:
        try:
            method, _properties, body = next(self.iterator)
            if method is None:
                return None
        except (AssertionError, *_AMQP_ERRORS) as exc:
            if getattr(exc, "reply_code", None) == 404:
                self.broker.queues_pending.add(q_name(self.queue_name))
            raise ConnectionClosed(exc) from None

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
        proxy = _RabbitmqMessage(method.redelivered, method.delivery_tag, message)
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
