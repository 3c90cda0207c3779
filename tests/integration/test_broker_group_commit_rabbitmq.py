"""Group-commit steps on the real RabbitMQ with an in-process worker: the consumer checks the keys of
the messages it received in one read, and acknowledges each message only from its batch's commit."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import dramatiq
import pytest
from sqlalchemy import text

from crossdock.broker.send import send
from crossdock.broker.setup import build_broker, start_embedded_worker
from crossdock.broker.sql_store import SqlMessageStore
from crossdock.settings import load_settings
from crossdock.store import HopStatus, Store
from crossdock.store.idempotency import Mark
from tests.fixtures.rabbitmq import Vhost, wait_for
from tests.reliability_app import probe_message

pytestmark = pytest.mark.integration

ACTOR = "probe.grouped"
QUEUE = "inventory"


class Run:
    def __init__(self, vhost: Vhost, store: Store) -> None:
        self.vhost = vhost
        self.store = store
        self.adapter = SqlMessageStore(store)
        settings = load_settings(environ={"CROSSDOCK_BROKER_URL": vhost.amqp_url, "CROSSDOCK_MAX_RETRIES": "0"})
        self.broker = build_broker(settings, store=self.adapter, metrics=False)
        self.ran: list[str] = []
        lock = threading.Lock()

        def step(payload: str) -> None:
            with lock:
                self.ran.append(payload)

        dramatiq.actor(step, broker=self.broker, actor_name=ACTOR, queue_name=QUEUE, group_commit=True)
        self.worker: dramatiq.Worker | None = None

    def send(self, sku: str, *, key: str | None = None) -> tuple[str, str]:
        envelope, document = probe_message(sku, key=key)
        message = send(self.broker, ACTOR, envelope, document)
        return message.message_id, message.args[0]

    def start(self) -> None:
        self.worker = start_embedded_worker(self.broker, threads=4)

    def hops(self) -> dict[str, list[HopStatus]]:
        return {
            h.message_id: [x.status for x in self.store.journal.hops(h.message_id)]
            for h in self.store.journal.recent(actor=ACTOR, limit=1000)
        }

    def stop(self) -> None:
        """Stop the worker: its consumers wait for the commits still open; unacknowledged messages
        go back to the queue."""
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    def close(self) -> None:
        self.stop()
        self.broker.close()
        self.adapter.close()


@pytest.fixture
def run(rabbitmq_vhost: Vhost, store: Store) -> Iterator[Run]:
    built = Run(rabbitmq_vhost, store)
    yield built
    built.close()


def test_hops_are_recorded_with_their_own_payload_and_a_marked_key_is_skipped_unrun(run: Run) -> None:
    # Given a key the step already processed, and 30 new messages queued before the worker starts
    run.store.idempotency.mark_done_many([Mark(ACTOR, "done-before", "earlier")])
    sent = dict(run.send(f"SKU-{n}") for n in range(30))
    duplicate_id, duplicate_payload = run.send("SKU-dup", key="done-before")

    # When the worker drains the queue (the consumer receives them together)
    run.start()
    wait_for(lambda: len(run.hops()) == 31, 60, message="31 journaled hops")
    run.stop()

    # Then each new message ran once and was recorded succeeded with its own raw payload, and the
    # already-processed key was skipped before its step ran and journaled as a duplicate.
    hops = run.hops()
    assert hops.pop(duplicate_id) == [HopStatus.DUPLICATE]
    assert hops == {m: [HopStatus.SUCCEEDED] for m in sent}
    assert sorted(run.ran) == sorted(sent.values()) and duplicate_payload not in run.ran
    for message_id, payload in sent.items():
        [hop] = run.store.journal.hops(message_id)
        assert hop.raw_payload_id is not None
        assert run.store.raw.get(hop.raw_payload_id).content == payload.encode()  # type: ignore[union-attr]
    # Every message was acknowledged: none went back to the queue or to the dead-letter queue.
    assert run.vhost.queue_counts(QUEUE)[0] == 0 and run.vhost.queue_counts(f"{QUEUE}.XQ")[0] == 0


@pytest.mark.parametrize("db_backend", ["postgresql"])  # SQLite does not enforce the key's length
def test_a_hop_whose_commit_fails_is_dead_lettered_not_acknowledged(run: Run, db_backend: str) -> None:
    # Given a message whose mark cannot be written (its key is longer than the column), among good ones
    bad_id, _ = run.send("SKU-bad", key="k" * 300)
    good = dict(run.send(f"SKU-{n}") for n in range(5))

    # When the worker runs them
    run.start()
    wait_for(lambda: run.vhost.queue_counts(f"{QUEUE}.XQ")[0] == 1, 60, message="the bad message in the XQ")
    wait_for(lambda: len(run.hops()) == 5, 30, message="5 journaled hops")

    # Then the good ones were committed and acknowledged, and the bad one went to the dead-letter
    # queue (not acknowledged, nothing recorded for it: `dlq replay` can run it after a fix)
    assert run.hops() == {m: [HopStatus.SUCCEEDED] for m in good}
    with run.store.db.engine.connect() as conn:
        marks = conn.execute(text("SELECT count(*) FROM idempotency_keys WHERE message_id = :m"), {"m": bad_id})
        assert marks.scalar_one() == 0
    run.stop()
    assert run.vhost.queue_counts(QUEUE)[0] == 0
