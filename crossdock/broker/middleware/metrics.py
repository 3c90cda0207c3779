"""Prometheus metrics per actor and queue: messages by outcome, latency, retries and dead letters.

Each broker gets its own registry (no process-global state). With ``metrics_port`` set, every worker
process serves it on 127.0.0.1: the first free port of ``port``, ``port+1``, ... (one per process).
"""

from __future__ import annotations

import logging
from typing import Any

from dramatiq.broker import Broker, MessageProxy
from dramatiq.middleware import Middleware
from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

from crossdock.broker import hop as hops
from crossdock.broker.ports import HopStatus

logger = logging.getLogger(__name__)

PORT_SEARCH = 32
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics(Middleware):
    def __init__(self, *, port: int | None = None, registry: CollectorRegistry | None = None) -> None:
        self.port = port
        self.bound_port: int | None = None
        self._server: Any = None
        self.registry = registry or CollectorRegistry(auto_describe=True)
        labels = ("actor", "queue")
        self.messages = Counter(
            "crossdock_messages", "Messages processed, by outcome.", (*labels, "outcome"), registry=self.registry
        )
        self.latency = Histogram(
            "crossdock_message_duration_seconds",
            "Time to process one message.",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.retries = Counter(
            "crossdock_message_retries", "Messages scheduled for a retry.", labels, registry=self.registry
        )
        self.dead_letters = Counter(
            "crossdock_dead_letters", "Messages moved to the dead-letter queue.", labels, registry=self.registry
        )
        self.enqueued = Counter("crossdock_messages_enqueued", "Messages enqueued.", labels, registry=self.registry)
        self._counted: dict[tuple[str, str, str], Any] = {}
        self._timed: dict[tuple[str, str], Any] = {}

    def after_worker_boot(self, broker: Broker, worker: Any) -> None:
        if self.port is None:
            return
        for port in range(self.port, self.port + PORT_SEARCH):
            try:
                self._server = start_http_server(port, addr="127.0.0.1", registry=self.registry)
            except OSError:
                continue
            self.bound_port = port
            logger.info("Prometheus metrics on http://127.0.0.1:%d/metrics", port)
            return
        logger.error("No free metrics port in %d..%d", self.port, self.port + PORT_SEARCH - 1)

    def before_worker_shutdown(self, broker: Broker, worker: Any) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving metrics (worker shutdown)."""
        server, self._server = self._server, None
        if server is not None:
            server[0].shutdown()
            server[0].server_close()

    def after_enqueue(self, broker: Broker, message: Any, delay: int | None) -> None:
        if delay is None:
            self.enqueued.labels(message.actor_name, message.queue_name).inc()

    def after_process_message(
        self, broker: Broker, message: MessageProxy, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        hop = hops.peek_hop(message)
        outcome = (hop.outcome if hop else None) or (HopStatus.SUCCEEDED if exception is None else HopStatus.FAILED)
        if message.failed or message.options.get("dead_letter"):
            outcome = HopStatus.DEAD_LETTERED
        self._observe(message, outcome, hop)

    def after_skip_message(self, broker: Broker, message: MessageProxy) -> None:
        self._observe(message, HopStatus.DUPLICATE, hops.peek_hop(message))

    def _observe(self, message: MessageProxy, outcome: HopStatus, hop: hops.Hop | None) -> None:
        labels = (message.actor_name, message.queue_name)
        key = (*labels, outcome.value)
        counter = self._counted.get(key)
        if counter is None:  # labels() validates and locks on every call: look each child up once
            counter = self._counted[key] = self.messages.labels(*key)
        counter.inc()
        if hop is not None:
            histogram = self._timed.get(labels)
            if histogram is None:
                histogram = self._timed[labels] = self.latency.labels(*labels)
            histogram.observe(hop.elapsed())
        if outcome is HopStatus.RETRIED:
            self.retries.labels(*labels).inc()
        elif outcome is HopStatus.DEAD_LETTERED:
            self.dead_letters.labels(*labels).inc()
