"""A crossdock broker on Dramatiq's in-memory StubBroker with an in-memory store (wiring, not reliability)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker

from crossdock.broker import codec
from crossdock.broker.setup import build_broker
from crossdock.canonical.envelope import Envelope
from crossdock.canonical.inventory import InventoryLevel
from crossdock.settings import load_settings
from tests.unit.broker.fakes import MemoryStore


def inventory(sku: str = "SKU-1") -> InventoryLevel:
    return InventoryLevel(
        sku=sku, location="WH1", on_hand=Decimal("5"), available=Decimal("4"), as_of=datetime(2026, 1, 2, tzinfo=UTC)
    )


def wire(key: str = "k-1", sku: str = "SKU-1", **envelope: Any) -> str:
    env = Envelope(idempotency_key=key, source="test", document_type="inventory_level", **envelope)
    return codec.encode(env, inventory(sku))


class Harness:
    def __init__(self, broker: StubBroker, store: MemoryStore) -> None:
        self.broker = broker
        self.store = store
        self.worker: dramatiq.Worker | None = None

    def actor(self, fn: Callable[..., Any], name: str, queue: str = "inventory", **options: Any) -> Any:
        return dramatiq.actor(fn, broker=self.broker, actor_name=name, queue_name=queue, **options)

    def run(self, *queues: str) -> None:
        if self.worker is None:
            self.worker = dramatiq.Worker(self.broker, worker_threads=2, worker_timeout=50)
            self.worker.start()
        for queue in queues or ("inventory",):
            self.broker.join(queue, timeout=10_000, fail_fast=False)
        self.worker.join()


@pytest.fixture
def harness() -> Iterator[Harness]:
    settings = load_settings(
        environ={
            "CROSSDOCK_MAX_RETRIES": "2",
            "CROSSDOCK_MIN_BACKOFF_MS": "10",
            "CROSSDOCK_MAX_BACKOFF_MS": "50",
            "CROSSDOCK_MAX_MESSAGE_BYTES": "4000",
        }
    )
    store = MemoryStore()
    broker = build_broker(settings, store=store)
    assert isinstance(broker, StubBroker)
    h = Harness(broker, store)
    yield h
    if h.worker is not None:
        h.worker.stop()
    broker.close()
