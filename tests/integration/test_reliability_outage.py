"""Connection cuts while publishing 5,000 messages with confirms, then a RabbitMQ restart with messages
in durable queues: every confirmed message is processed, none is lost, everyone reconnects alone.

This is the one test that restarts RabbitMQ (``rabbitmqctl stop_app`` / ``start_app``); it is marked
``rabbitmq_restart`` so it can be deselected where other RabbitMQ users share the server.
"""

from __future__ import annotations

import subprocess
import threading
import time

import pytest
from dramatiq.errors import ConnectionClosed

from crossdock.broker.send import send
from tests.fault_proxy import FaultProxy
from tests.fixtures.rabbitmq import PORT, ProbeRun, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.rabbitmq_restart]

MESSAGES = 5_000
CUTS = 3
SETTLE_DELAY_S = 0.05  # each settlement probe takes this long, so a burst of them is still queued
QUEUED_BEFORE_RESTART = 200


@pytest.fixture
def db_backend() -> str:
    return "postgresql"


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)


def test_cuts_and_restart_lose_no_confirmed_message(probe_run: ProbeRun) -> None:
    proxy = FaultProxy(PORT).start()
    through_proxy = probe_run.vhost.url_via(proxy.port)
    probe_run.env["CROSSDOCK_BROKER_URL"] = through_proxy
    probe_run.env["PROBE_SETTLE_DELAY_S"] = str(SETTLE_DELAY_S)
    worker = probe_run.start_worker(threads=8)
    producer = probe_run.app.producer(probe_run.settings(), probe_run.markers)
    confirmed: list[str] = []
    published = threading.Event()

    def cut_now_and_then() -> None:
        for _ in range(CUTS):
            if published.wait(1.0):
                return
            proxy.cut()

    cutter = threading.Thread(target=cut_now_and_then, daemon=True)
    try:
        # Given a producer publishing with confirms while the network to RabbitMQ is cut repeatedly
        cutter.start()
        for n in range(MESSAGES):
            envelope, document = probe_run.app.probe_message(f"M-{n:05d}")
            for _attempt in range(3):
                try:
                    send(producer, "probe.effect", envelope, document)
                except ConnectionClosed:
                    time.sleep(0.5)
                    continue
                confirmed.append(document.sku)
                break
        published.set()
        cutter.join(10)
        assert proxy.cuts >= 1

        # And RabbitMQ restarted while messages wait in a durable queue: a burst of slow settlement
        # probes (the worker cannot drain them before the restart, however fast the machine)
        for n in range(QUEUED_BEFORE_RESTART):
            envelope, document = probe_run.app.probe_message(f"S-{n:04d}")
            send(producer, "probe.settle", envelope, document)
            confirmed.append(document.sku)
        waiting, _ = probe_run.vhost.queue_counts("settlements")
        rabbitmqctl("stop_app")
        try:
            time.sleep(1)
        finally:
            rabbitmqctl("start_app")
        wait_for(lambda: _amqp_up(probe_run), 30, message="RabbitMQ back")

        # And the producer keeps publishing after the restart without being rebuilt
        for n in range(10):
            envelope, document = probe_run.app.probe_message(f"AFTER-{n}")
            send(producer, "probe.effect", envelope, document)
            confirmed.append(document.sku)

        # Then the same worker process reconnects and processes every confirmed message
        wait_for(
            lambda: set(confirmed) <= set(probe_run.effects()), 90, interval=1.0, message="all confirmed processed"
        )
    except BaseException:
        print(probe_run.workers.logs()[-5000:])  # shown by pytest on failure
        raise
    finally:
        published.set()
        producer.close()
        proxy.stop()
    effects = probe_run.effects()
    assert len(confirmed) >= MESSAGES * 0.99, f"only {len(confirmed)} of {MESSAGES} confirmed"
    assert set(confirmed) <= set(effects)
    assert waiting > 0, "the restart should happen with messages still queued"
    assert worker.poll() is None
    assert probe_run.vhost.queue_counts("orders.XQ")[0] == 0


def _amqp_up(probe_run: ProbeRun) -> bool:
    try:
        probe_run.vhost.queue_counts("orders")
    except Exception:
        return False
    return True
