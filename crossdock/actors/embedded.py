"""The business flows on the embedded broker: Dramatiq's in-memory ``StubBroker`` with an in-process
worker, for the demo and for tests. (With RabbitMQ, run ``crossdock worker`` processes instead.)"""

from __future__ import annotations

import time
from types import TracebackType

import dramatiq
from dramatiq.broker import Broker
from dramatiq.brokers.stub import StubBroker

from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.intake import StoreInboundSink, StoreWebhookSink
from crossdock.actors.wiring import build_flow_broker, sftp_sink, webhook_sink
from crossdock.broker.lanes import DEAD_LETTER_SUFFIX, DELAY_SUFFIX
from crossdock.broker.setup import start_embedded_worker
from crossdock.errors import ConfigError
from crossdock.settings import Settings

MAX_ROUNDS = 50


class EmbeddedFlows:
    """A started in-process worker over the flows' broker; :meth:`settle` waits until every message
    (and every message those caused) was processed."""

    def __init__(self, settings: Settings, ports: FlowPorts, *, threads: int = 2) -> None:
        if not settings.uses_embedded_broker:
            raise ConfigError("EmbeddedFlows runs on the in-memory broker: unset broker_url")
        self.ports = ports
        self.broker: Broker = build_flow_broker(settings, ports)
        self.worker: dramatiq.Worker = start_embedded_worker(self.broker, threads=threads)

    @property
    def sftp_sink(self) -> StoreInboundSink:
        return sftp_sink(self.broker, self.ports.store)

    @property
    def webhook_sink(self) -> StoreWebhookSink:
        return webhook_sink(self.broker, self.ports.store)

    def settle(self, timeout_s: float = 60.0) -> None:
        """Join every queue until all are empty (bounded by ``timeout_s``)."""
        broker = self.broker
        assert isinstance(broker, StubBroker)
        deadline = time.monotonic() + timeout_s
        for _ in range(MAX_ROUNDS):
            lanes = [q for q in list(broker.queues) if not q.endswith((DELAY_SUFFIX, DEAD_LETTER_SUFFIX))]
            for queue in lanes:
                left_ms = max(1, int((deadline - time.monotonic()) * 1000))
                broker.join(queue, timeout=left_ms, fail_fast=False)
            self.worker.join()
            waiting = [broker.queues[q] for q in broker.queues if not q.endswith(DEAD_LETTER_SUFFIX)]
            if all(q.qsize() == 0 and q.unfinished_tasks == 0 for q in waiting):
                return
            if time.monotonic() > deadline:
                break
        raise TimeoutError(f"the embedded flows did not settle within {timeout_s} s")

    def close(self) -> None:
        self.worker.stop()
        self.broker.close()

    def __enter__(self) -> EmbeddedFlows:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
