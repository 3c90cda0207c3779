"""Queue depths for operators: ready, unacked, consumers and dead letters of every crossdock queue.

From RabbitMQ's management HTTP API when it is configured and answers; otherwise from AMQP passive
``queue_declare`` (ready and consumers only: AMQP cannot tell unacked messages, reported as ``None``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx
import pika
import pika.exceptions

from crossdock.broker.lanes import dead_letter_queue, delay_queue


@dataclass(frozen=True, slots=True)
class QueueStats:
    queue: str
    ready: int | None
    unacked: int | None
    consumers: int | None
    delayed: int | None
    dead_letters: int | None
    exists: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class QueueReport:
    source: str
    """``management`` or ``amqp``."""
    queues: tuple[QueueStats, ...]
    note: str | None = None


def _vhost_and_auth(amqp_url: str) -> tuple[str, tuple[str, str]]:
    parts = urlsplit(amqp_url)
    vhost = unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
    return vhost, (unquote(parts.username or "guest"), unquote(parts.password or "guest"))


def from_management(management_url: str, amqp_url: str, queues: Iterable[str], *, timeout_s: float) -> QueueReport:
    vhost, auth = _vhost_and_auth(amqp_url)
    with httpx.Client(base_url=management_url, auth=auth, timeout=timeout_s) as api:
        response = api.get(
            f"/api/queues/{quote(vhost, safe='')}",
            params={"columns": "name,messages_ready,messages_unacknowledged,consumers"},
        )
        response.raise_for_status()
    found = {q["name"]: q for q in response.json()}

    def count(name: str, field: str) -> int | None:
        return int(found[name].get(field) or 0) if name in found else None

    stats = []
    for queue in queues:
        stats.append(
            QueueStats(
                queue=queue,
                ready=count(queue, "messages_ready"),
                unacked=count(queue, "messages_unacknowledged"),
                consumers=count(queue, "consumers"),
                delayed=count(delay_queue(queue), "messages_ready"),
                dead_letters=count(dead_letter_queue(queue), "messages_ready"),
                exists=queue in found,
            )
        )
    return QueueReport("management", tuple(stats))


def from_amqp(amqp_url: str, queues: Iterable[str], *, timeout_s: float) -> QueueReport:
    parameters = pika.URLParameters(amqp_url)
    parameters.socket_timeout = timeout_s
    parameters.stack_timeout = timeout_s
    connection = pika.BlockingConnection(parameters)
    try:

        def declare(name: str) -> tuple[int, int] | None:
            channel = connection.channel()
            try:
                ok = channel.queue_declare(name, passive=True)
            except pika.exceptions.ChannelClosedByBroker:
                return None
            channel.close()
            return int(ok.method.message_count), int(ok.method.consumer_count)

        stats = []
        for queue in queues:
            main, delayed, dead = declare(queue), declare(delay_queue(queue)), declare(dead_letter_queue(queue))
            stats.append(
                QueueStats(
                    queue=queue,
                    ready=main[0] if main else None,
                    unacked=None,
                    consumers=main[1] if main else None,
                    delayed=delayed[0] if delayed else None,
                    dead_letters=dead[0] if dead else None,
                    exists=main is not None,
                )
            )
    finally:
        with contextlib.suppress(pika.exceptions.AMQPError):
            connection.close()
    return QueueReport("amqp", tuple(stats), note="unacked is unknown over AMQP (no management API)")


def queue_report(amqp_url: str, queues: Iterable[str], *, management_url: str | None, timeout_s: float) -> QueueReport:
    names = list(queues)
    if management_url:
        try:
            return from_management(management_url, amqp_url, names, timeout_s=timeout_s)
        except (httpx.HTTPError, ValueError) as exc:
            report = from_amqp(amqp_url, names, timeout_s=timeout_s)
            return QueueReport(report.source, report.queues, f"management API unavailable ({exc}); {report.note}")
    return from_amqp(amqp_url, names, timeout_s=timeout_s)
