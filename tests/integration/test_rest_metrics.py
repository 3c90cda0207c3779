"""The receiver's metrics over loopback: the simulator fires signed (and forged) webhooks at a real
receiver, and Prometheus' text format is scraped from the metrics port."""

from __future__ import annotations

import socket

import httpx
import pytest

from crossdock.bridges.rest.guard import ReceiverLimits
from crossdock.bridges.rest.metrics import ReceiverMetrics, serve_metrics
from crossdock.bridges.rest.receiver import create_receiver
from crossdock.bridges.rest.serving import ServerThread
from crossdock.bridges.rest.sink import InMemorySink
from tests.fixtures.marketplace import WEBHOOK_SECRET, RunningSim

pytestmark = pytest.mark.integration


def test_refused_and_accepted_webhooks_are_scraped_from_the_metrics_port(marketplace_sim: RunningSim) -> None:
    metrics = ReceiverMetrics()
    app = create_receiver(InMemorySink(), WEBHOOK_SECRET.encode(), metrics=metrics)
    server, port = serve_metrics(metrics.registry, "127.0.0.1", 0)
    try:
        with ServerThread(app) as receiver:
            url = receiver.url + "/webhooks/shopify"
            for shot in ({"count": 2}, {"count": 1, "tamper": True}, {"count": 1, "age_s": 3600}):
                body = {"url": url, "secret": WEBHOOK_SECRET, **shot}
                marketplace_sim.control.post("/_sim/webhooks", json=body).raise_for_status()
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    finally:
        server.shutdown()
        server.server_close()
    assert 'crossdock_webhooks_refused_total{reason="bad_signature",status="401"} 1.0' in text
    assert 'crossdock_webhooks_refused_total{reason="stale",status="401"} 1.0' in text
    assert 'crossdock_webhooks_total{outcome="accepted"} 2.0' in text


def test_connections_the_guard_closes_are_counted_by_reason() -> None:
    # Given a guarded receiver with a short header deadline
    metrics = ReceiverMetrics()
    app = create_receiver(InMemorySink(), WEBHOOK_SECRET.encode(), metrics=metrics)
    limits = ReceiverLimits(header_timeout_s=0.3)
    with ServerThread(app, limits=limits, on_close=metrics.close_connection) as receiver:
        # When a client opens a connection and never finishes its headers
        host, port = receiver.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as slow:
            slow.sendall(b"POST /webhooks/shopify HTTP/1.1\r\nHost: x\r\n")
            # Then the guard closes it, and counts it
            assert slow.recv(1024) == b""
    assert metrics.registry.get_sample_value("crossdock_connections_closed_total", {"reason": "header_timeout"}) == 1
