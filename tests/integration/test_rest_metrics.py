"""The receiver's metrics over loopback: the simulator fires signed (and forged) webhooks at a real
receiver, and Prometheus' text format is scraped from the metrics port."""

from __future__ import annotations

import httpx
import pytest

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
