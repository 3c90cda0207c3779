"""The hop lifecycle's settle on Dramatiq's real in-memory broker: what happens when the journal row or
the commit fails after a successful step (the effect must never be acknowledged uncommitted)."""

from __future__ import annotations

from collections.abc import Iterator

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker

from crossdock.broker import hop as hops
from crossdock.broker.middleware.metrics import Metrics
from crossdock.broker.setup import build_broker
from crossdock.settings import load_settings
from tests.unit.broker.conftest import wire
from tests.unit.broker.fakes import FailingClaimStore


@pytest.fixture(params=["record", "commit"])
def failing(request: pytest.FixtureRequest) -> Iterator[tuple[StubBroker, FailingClaimStore]]:
    store = FailingClaimStore(fail_at=request.param)
    broker = build_broker(load_settings(environ={"CROSSDOCK_MAX_RETRIES": "0"}), store=store)
    assert isinstance(broker, StubBroker)
    yield broker, store
    broker.close()


def test_a_failed_record_or_commit_dead_letters_the_message_and_keeps_no_effect(
    failing: tuple[StubBroker, FailingClaimStore],
) -> None:
    broker, store = failing
    ran: list[str] = []

    def step(payload: str) -> None:
        hops.current_hop().claim.connection.append("effect")  # type: ignore[union-attr]
        ran.append(payload)

    dramatiq.actor(step, broker=broker, actor_name="inventory.apply", queue_name="inventory")
    broker.enqueue(broker.get_actor("inventory.apply").message(wire("k-1")))
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        broker.join("inventory", timeout=10_000, fail_fast=False)
        worker.join()
    finally:
        worker.stop()

    # Then the step ran once, its effect and mark are rolled back, and the message went to the
    # dead-letter queue instead of being acknowledged
    assert len(ran) == 1
    assert store.effects == [] and store.done == set() and store.in_flight == set()
    assert len(broker.dead_letters) == 1
    # And the dead letter is journaled in the store (it outlives the broker's copy)
    [letter] = store.dead_letters
    assert letter.reason == "commit of the step's transaction failed" and letter.actor == "inventory.apply"
    metrics = next(m for m in broker.middleware if isinstance(m, Metrics))
    labels = {"actor": "inventory.apply", "queue": "inventory"}
    assert metrics.registry.get_sample_value("crossdock_dead_letters_total", labels) == 1
