"""``group_commit=True`` through the real middleware on Dramatiq's StubBroker and the SQL store on SQLite."""

from __future__ import annotations

from collections.abc import Iterator

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from sqlalchemy.orm import Session

from crossdock.broker import hop as hops
from crossdock.broker.setup import build_broker
from crossdock.broker.sql_store import SqlMessageStore
from crossdock.settings import load_settings
from crossdock.store import HopStatus, Store
from tests.unit.broker.conftest import wire


@pytest.fixture
def wired(sqlite_store: Store) -> Iterator[tuple[StubBroker, SqlMessageStore]]:
    settings = load_settings(environ={"CROSSDOCK_MAX_RETRIES": "1", "CROSSDOCK_MIN_BACKOFF_MS": "10"})
    adapter = SqlMessageStore(sqlite_store)
    broker = build_broker(settings, store=adapter, metrics=False)
    assert isinstance(broker, StubBroker)
    worker = dramatiq.Worker(broker, worker_threads=4, worker_timeout=50)
    worker.start()
    yield broker, adapter
    worker.stop()
    broker.close()
    adapter.close()


def drain(broker: StubBroker) -> None:
    broker.join("inventory", timeout=10_000, fail_fast=False)


def statuses(store: Store, step: str) -> list[HopStatus]:
    return sorted(h.status for h in store.journal.recent(actor=step, limit=100))


def test_group_commit_steps_run_once_per_key_and_are_journaled(wired: tuple[StubBroker, SqlMessageStore]) -> None:
    broker, adapter = wired
    calls: list[str] = []
    actor = dramatiq.actor(
        calls.append, broker=broker, actor_name="inventory.noop", queue_name="inventory", group_commit=True
    )
    for key in ("k-1", "k-2", "k-3"):
        actor.send(wire(key))
    drain(broker)
    actor.send(wire("k-2"))  # a duplicate of a committed key
    drain(broker)

    assert len(calls) == 3
    assert statuses(adapter.store, "inventory.noop") == sorted([HopStatus.SUCCEEDED] * 3 + [HopStatus.DUPLICATE])
    assert adapter.committer.batches >= 1
    assert adapter.store.idempotency.get("inventory.noop", "k-3") is not None


def test_a_group_commit_step_that_writes_effects_is_dead_lettered_unrecorded(
    wired: tuple[StubBroker, SqlMessageStore],
) -> None:
    broker, adapter = wired

    def writes(payload: str) -> None:
        hops.current_hop().claim.connection  # type: ignore[union-attr]  # noqa: B018

    actor = dramatiq.actor(
        writes, broker=broker, actor_name="inventory.wrong", queue_name="inventory", group_commit=True
    )
    actor.send(wire("k-9"))
    drain(broker)

    [dead] = broker.dead_letters
    assert "GroupCommitEffectError" in dead.options["dead_letter"]["error"]
    assert adapter.store.idempotency.get("inventory.wrong", "k-9") is None


def test_steps_without_the_option_keep_their_own_transaction(wired: tuple[StubBroker, SqlMessageStore]) -> None:
    broker, adapter = wired
    seen: list[object] = []

    def step(payload: str) -> None:
        seen.append(hops.current_hop().claim.connection)  # type: ignore[union-attr]

    actor = dramatiq.actor(step, broker=broker, actor_name="inventory.safe", queue_name="inventory")
    actor.send(wire("k-1"))
    drain(broker)

    assert len(seen) == 1 and isinstance(seen[0], Session)
    assert statuses(adapter.store, "inventory.safe") == [HopStatus.SUCCEEDED]
