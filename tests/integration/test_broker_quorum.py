"""``CROSSDOCK_QUEUE_TYPE=quorum``: every lane, delay and dead-letter queue is a quorum queue, and the
reliability guarantees hold on it (a single RabbitMQ node runs quorum queues)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from crossdock.broker.setup import build_broker
from crossdock.settings import load_settings
from tests.fixtures.rabbitmq import AUTH, MANAGEMENT, ProbeRun, Vhost, wait_for

pytestmark = pytest.mark.integration

QUORUM = {"CROSSDOCK_QUEUE_TYPE": "quorum"}


@pytest.fixture
def quorum_run(probe_run: ProbeRun) -> ProbeRun:
    probe_run.env.update(QUORUM)
    return probe_run


def queue_types(vhost: Vhost) -> dict[str, str]:
    from tests.conftest import port_open, service_unavailable

    if not port_open("127.0.0.1", 15672):
        service_unavailable("RabbitMQ management API not reachable on 127.0.0.1:15672")
    with httpx.Client(base_url=MANAGEMENT, auth=AUTH, timeout=10) as api:
        response = api.get(f"/api/queues/{quote(vhost.name, safe='')}")
        response.raise_for_status()
        return {q["name"]: q["type"] for q in response.json()}


def test_quorum_lanes_redeliver_after_kill9_and_dead_letter_poison(quorum_run: ProbeRun) -> None:
    # Given quorum lanes with a message that crashes its worker mid-way and one that always fails
    quorum_run.send("SKU-CRASH", "slow")
    quorum_run.send("SKU-POISON", "poison")
    first = quorum_run.start_worker(threads=1)
    marker = quorum_run.markers / "slow-SKU-CRASH"
    wait_for(marker.exists, 60, message="the slow message to start")

    # Then every queue crossdock declared is a quorum queue, dead-letter queues included
    types = queue_types(quorum_run.vhost)
    assert types["orders"] == "quorum" and types["orders.XQ"] == "quorum" and types["orders.DQ"] == "quorum"
    assert set(types.values()) == {"quorum"}

    # When the worker process is killed with SIGKILL in the middle of the message
    os.kill(int(marker.read_text()), signal.SIGKILL)
    first.wait(30)
    quorum_run.start_worker(threads=1)

    # Then the message is redelivered and takes effect once; the poison message is dead-lettered
    wait_for(lambda: "SKU-CRASH" in quorum_run.effects(), 60, message="the redelivered message")
    wait_for(lambda: quorum_run.vhost.queue_counts("orders.XQ")[0] == 1, 60, message="the poison dead letter")
    assert list(quorum_run.effects()) == ["SKU-CRASH"]
    assert quorum_run.journal().count("succeeded") == 1
    assert quorum_run.journal().count("dead_lettered") == 1


def test_a_message_over_the_delivery_limit_goes_to_the_dead_letter_queue(rabbitmq_vhost: Vhost) -> None:
    # Given a quorum lane with a delivery limit of 3, holding one message
    settings = load_settings(
        environ={"CROSSDOCK_BROKER_URL": rabbitmq_vhost.amqp_url, **QUORUM, "CROSSDOCK_QUORUM_DELIVERY_LIMIT": "3"}
    )
    broker = build_broker(settings, store=None, metrics=False)
    try:
        broker.declare_queue("orders", ensure=True)
    finally:
        broker.close()
    with contextlib.closing(rabbitmq_vhost.connection()) as conn:
        channel = conn.channel()
        channel.confirm_delivery()  # a quorum queue enqueues once its log commits: wait for that
        channel.basic_publish(exchange="", routing_key="orders", body=b"crashes its worker")

        # When it is delivered and given back again and again (a worker that dies on it each time)
        def next_delivery() -> Any:
            # a returned message is back in the queue once the queue's log has it: poll, bounded
            deadline = time.monotonic() + 3
            while True:
                method, _props, _body = channel.basic_get("orders")
                if method is not None or time.monotonic() > deadline:
                    return method
                time.sleep(0.05)

        deliveries = 0
        for _ in range(10):
            method = next_delivery()
            if method is None:
                break
            deliveries += 1
            channel.basic_nack(method.delivery_tag, requeue=True)

    # Then RabbitMQ stops redelivering it and keeps it in orders.XQ, not lost
    assert deliveries == 4  # the first delivery and three redeliveries
    wait_for(lambda: rabbitmq_vhost.queue_counts("orders.XQ")[0] == 1, 10, message="the message in orders.XQ")
    assert rabbitmq_vhost.queue_counts("orders")[0] == 0


def test_an_unknown_queue_type_is_a_configuration_error() -> None:
    from crossdock.errors import ConfigError

    with pytest.raises(ConfigError, match="queue_type"):
        load_settings(environ={"CROSSDOCK_QUEUE_TYPE": "stream"})
