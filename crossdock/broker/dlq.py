"""Dead-letter queues on RabbitMQ (``<queue>.XQ``): list, show, replay, purge.

Browsing takes every message of a dead-letter queue with ``basic.get`` *without* acknowledging it;
closing the channel afterwards puts back everything not replayed or purged. A replay publishes the
message to its original queue with publisher confirms and only then acknowledges (removes) the dead
letter, so a crash in between leaves a duplicate, never a loss; the step's idempotency check makes
the duplicate harmless: replaying a message twice has one effect.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel

from crossdock.broker import codec
from crossdock.broker.deadletter import REASON_HEADER
from crossdock.broker.lanes import canonical_queue, dead_letter_queue

MAX_BROWSE = 10_000


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: str
    """The message id, or ``raw-<sha256 prefix>`` for bytes that are not a Dramatiq message."""
    queue: str
    actor: str | None
    reason: str
    error: str | None
    retries: int
    business_key: str | None
    idempotency_key: str | None
    dead_lettered_at: str | None
    replayable: bool
    body: bytes = field(repr=False)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "queue": self.queue,
            "actor": self.actor,
            "reason": self.reason,
            "error": self.error,
            "retries": self.retries,
            "business_key": self.business_key,
            "idempotency_key": self.idempotency_key,
            "dead_lettered_at": self.dead_lettered_at,
            "replayable": self.replayable,
        }

    def detail(self) -> dict[str, Any]:
        return {**self.summary(), "body": self.body.decode("utf-8", errors="replace")}


def _death_reason(headers: dict[str, Any]) -> str | None:
    deaths = headers.get("x-death") or []
    if deaths and isinstance(deaths[0], dict):
        reason = deaths[0].get("reason")
        if isinstance(reason, bytes):
            reason = reason.decode()
        return f"rejected by a worker ({reason}) without a recorded reason"
    return None


def parse(queue: str, body: bytes, headers: dict[str, Any] | None) -> DeadLetter:
    """Read one dead letter; never raises (garbage is reported as such)."""
    headers = headers or {}
    header_reason = headers.get(REASON_HEADER)
    if isinstance(header_reason, bytes):
        header_reason = header_reason.decode("utf-8", errors="replace")
    try:
        message = json.loads(body)
        if not isinstance(message, dict) or "actor_name" not in message or "message_id" not in message:
            raise ValueError("not a Dramatiq message")
        shapes: tuple[tuple[str, type, object], ...] = (
            ("actor_name", str, ""),
            ("options", dict, {}),
            ("kwargs", dict, {}),
            ("args", list, []),
        )
        if any(not isinstance(message.get(name) or empty, kind) for name, kind, empty in shapes):
            raise ValueError("not a Dramatiq message: a field of the wrong type")
    except ValueError:
        return DeadLetter(
            id="raw-" + hashlib.sha256(body).hexdigest()[:16],
            queue=queue,
            actor=None,
            reason=header_reason or _death_reason(headers) or "not a Dramatiq message",
            error=None,
            retries=0,
            business_key=None,
            idempotency_key=None,
            dead_lettered_at=None,
            replayable=False,
            body=body,
        )
    options = message.get("options") or {}
    dead_letter = options.get("dead_letter")
    info: dict[str, Any] = dead_letter if isinstance(dead_letter, dict) else {}
    retries = info.get("retries", options.get("retries", 0))
    args = message.get("args") or []
    payload = args[0] if len(args) == 1 else None
    idempotency_key = None
    with contextlib.suppress(codec.MessageDecodeError):
        idempotency_key = codec.decode_envelope(payload).idempotency_key
    return DeadLetter(
        id=str(message["message_id"]),
        queue=canonical_queue(str(message.get("queue_name") or queue)),
        actor=str(message["actor_name"]),
        reason=info.get("reason") or header_reason or _death_reason(headers) or "unknown",
        error=info.get("error") or options.get("last_error"),
        retries=retries if isinstance(retries, int) and not isinstance(retries, bool) else 0,
        business_key=codec.business_key(payload),
        idempotency_key=idempotency_key,
        dead_lettered_at=info.get("dead_lettered_at"),
        replayable=True,
        body=body,
    )


def replay_body(body: bytes) -> bytes:
    """The message as it goes back to its queue: retry count and dead-letter info cleared."""
    message = json.loads(body)
    options = message.get("options") or {}
    for key in ("dead_letter", "retries", "last_error", "traceback", "eta"):
        options.pop(key, None)
    options["replayed_at"] = datetime.now(UTC).isoformat()
    message["options"] = options
    message["queue_name"] = canonical_queue(message["queue_name"])
    return json.dumps(message, separators=(",", ":")).encode()


Selector = Callable[[DeadLetter], bool]


class DeadLetterQueues:
    """Operations on the dead-letter queues of ``queues`` (lane names) over AMQP."""

    def __init__(self, amqp_url: str, queues: Iterable[str], *, timeout_s: float = 30.0) -> None:
        self.parameters = pika.URLParameters(amqp_url)
        self.parameters.socket_timeout = timeout_s
        self.parameters.blocked_connection_timeout = timeout_s
        self.parameters.stack_timeout = timeout_s
        self.queues = [canonical_queue(q) for q in queues]

    @contextlib.contextmanager
    def _connection(self) -> Iterator[pika.BlockingConnection]:
        connection = pika.BlockingConnection(self.parameters)
        try:
            yield connection
        finally:
            with contextlib.suppress(pika.exceptions.AMQPError):
                connection.close()

    @staticmethod
    def _count(connection: pika.BlockingConnection, queue: str) -> int | None:
        channel = connection.channel()
        try:
            ok = channel.queue_declare(queue, passive=True)
        except pika.exceptions.ChannelClosedByBroker:
            return None  # no such queue
        count = int(ok.method.message_count)
        channel.close()
        return count

    def _browse(
        self, connection: pika.BlockingConnection, queue: str
    ) -> tuple[BlockingChannel | None, list[tuple[int, DeadLetter]]]:
        xq = dead_letter_queue(queue)
        count = self._count(connection, xq)
        if not count:
            return None, []
        channel = connection.channel()
        found: list[tuple[int, DeadLetter]] = []
        for _ in range(min(count, MAX_BROWSE)):
            method, properties, body = channel.basic_get(xq, auto_ack=False)
            if method is None:
                break
            found.append((method.delivery_tag, parse(queue, body, properties.headers)))
        return channel, found

    def letters(self) -> list[DeadLetter]:
        letters: list[DeadLetter] = []
        with self._connection() as connection:
            for queue in self.queues:
                channel, found = self._browse(connection, queue)
                letters += [letter for _, letter in found]
                if channel is not None:
                    channel.close()  # nothing acknowledged: everything goes back
        return letters

    def show(self, letter_id: str) -> DeadLetter | None:
        return next((letter for letter in self.letters() if letter.id == letter_id), None)

    def replay(self, select: Selector) -> list[DeadLetter]:
        """Publish the selected replayable dead letters to their queues, then remove them."""
        return self._take(select, replay=True)

    def purge(self, select: Selector) -> list[DeadLetter]:
        """Remove the selected dead letters for good."""
        return self._take(select, replay=False)

    def _take(self, select: Selector, *, replay: bool) -> list[DeadLetter]:
        taken: list[DeadLetter] = []
        with self._connection() as connection:
            publisher = connection.channel()
            publisher.confirm_delivery()
            for queue in self.queues:
                channel, found = self._browse(connection, queue)
                if channel is None:
                    continue
                for tag, letter in found:
                    if not select(letter) or (replay and not letter.replayable):
                        continue
                    if replay:
                        publisher.basic_publish(
                            exchange="",
                            routing_key=letter.queue,
                            body=replay_body(letter.body),
                            properties=pika.BasicProperties(delivery_mode=2),
                            mandatory=True,
                        )
                    channel.basic_ack(tag)
                    taken.append(letter)
                channel.close()
        return taken


def by_ids(ids: Iterable[str]) -> Selector:
    wanted = set(ids)
    return lambda letter: letter.id in wanted


def everything(letter: DeadLetter) -> bool:
    return True
