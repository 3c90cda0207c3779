"""Lanes: a settlement backlog never delays inventory updates (real RabbitMQ, a real worker process)."""

from __future__ import annotations

import time

import pytest

from tests.fixtures.rabbitmq import ProbeRun, wait_for

pytestmark = pytest.mark.integration

BACKLOG = 200


@pytest.fixture
def db_backend() -> str:
    # PostgreSQL: on SQLite a step holds the database's one write lock while it runs (the idempotency
    # claim), and a thread waiting for it can starve behind a stream of settlement steps; that tests
    # SQLite's lock, not the lanes
    return "postgresql"


def test_settlement_backlog_does_not_delay_inventory(probe_run: ProbeRun) -> None:
    # Given a backlog of slow settlement messages being worked off by a worker with two threads
    for n in range(BACKLOG):
        probe_run.send(f"SETTLE-{n}", actor="probe.settle")
    probe_run.start_worker(threads=2, env={"PROBE_SETTLE_DELAY_S": "0.05"})
    wait_for(lambda: len(probe_run.effects()) >= 5, 60, message="settlements to start")
    wait_for(lambda: probe_run.vhost.queue_counts("inventory")[1] >= 1, 60, message="the inventory lane's consumer")

    # When inventory updates arrive
    sent_at = time.time()
    for n in range(5):
        probe_run.send(f"STOCK-{n}", actor="probe.stock")
    wait_for(lambda: sum(k.startswith("STOCK-") for k in probe_run.effects()) == 5, 60, message="inventory processed")

    # Then they were processed while most of the settlement backlog was still waiting
    effects = probe_run.effects()
    settled_when_stock_done = sum(
        1
        for key, (_, _, at) in effects.items()
        if key.startswith("SETTLE-") and at <= max(at for k, (_, _, at) in effects.items() if k.startswith("STOCK-"))
    )
    assert settled_when_stock_done < BACKLOG // 2
    assert all(at >= sent_at for k, (_, _, at) in effects.items() if k.startswith("STOCK-"))
    ready_settlements, _ = probe_run.vhost.queue_counts("settlements")
    assert ready_settlements > 0
