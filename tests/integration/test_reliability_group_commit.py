"""kill -9 of a worker in the middle of a group commit: no message is acknowledged unrecorded."""

from __future__ import annotations

import os
import signal
from collections import Counter

import dramatiq
import pytest
from sqlalchemy import text

from crossdock.broker.send import send
from crossdock.broker.setup import build_broker
from crossdock.store import Store
from tests.fixtures.rabbitmq import ProbeRun, wait_for
from tests.reliability_app import probe_message

pytestmark = pytest.mark.integration

MESSAGES = 120


def journal_rows(db_url: str) -> list[tuple[str, str]]:
    store = Store.from_url(db_url)
    try:
        with store.db.engine.connect() as conn:
            rows = conn.execute(text("SELECT message_id, status FROM journal WHERE actor = 'probe.batched'")).all()
    finally:
        store.close()
    return [(r[0], r[1]) for r in rows]


def marks(db_url: str) -> int:
    store = Store.from_url(db_url)
    try:
        with store.db.engine.connect() as conn:
            return int(
                conn.execute(text("SELECT count(*) FROM idempotency_keys WHERE step = 'probe.batched'")).scalar_one()
            )
    finally:
        store.close()


def test_kill9_mid_batch_leaves_no_acked_but_unrecorded_message(probe_run: ProbeRun) -> None:
    # Given 120 messages for a group_commit step, and a worker whose batches stay open 0.3 s
    producer = build_broker(probe_run.settings(), store=None, metrics=False)
    dramatiq.actor(lambda payload: None, broker=producer, actor_name="probe.batched", queue_name="inventory")
    sent = set()
    for n in range(MESSAGES):
        envelope, document = probe_message(f"GC-{n}")
        sent.add(send(producer, "probe.batched", envelope, document).message_id)
    producer.close()
    first = probe_run.workers.start("tests.group_commit_app:boot", probe_run.env, threads=8)
    marker = probe_run.markers / "batch-open"
    wait_for(marker.exists, 60, message="a batch of several hops to be open")
    victim = int(marker.read_text())
    assert victim != first.pid  # the worker child process, not dramatiq's supervisor

    # When the worker process is killed with SIGKILL while that batch is written but not committed
    os.kill(victim, signal.SIGKILL)
    first.wait(30)
    recorded_before = {m for m, _ in journal_rows(probe_run.db_url)}
    assert len(recorded_before) < MESSAGES  # the open batch (at least) was not recorded

    # Then a new worker gets every unacknowledged message again, and in the end every message was
    # recorded as succeeded exactly once: none was acknowledged without its mark and journal row.
    probe_run.workers.start("tests.group_commit_app:boot", probe_run.env, threads=8)

    def all_recorded() -> bool:
        return {m for m, s in journal_rows(probe_run.db_url) if s == "succeeded"} == sent

    wait_for(all_recorded, 90, message="every message to be recorded")
    wait_for(lambda: probe_run.vhost.queue_counts("inventory")[0] == 0, 30, message="the queue to drain")
    succeeded = Counter(m for m, s in journal_rows(probe_run.db_url) if s == "succeeded")
    assert set(succeeded) == sent and max(succeeded.values()) == 1
    assert marks(probe_run.db_url) == MESSAGES
    assert probe_run.vhost.queue_counts("inventory.XQ")[0] == 0
