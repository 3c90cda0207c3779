"""Prometheus metrics served over HTTP on 127.0.0.1 from a worker's metrics middleware."""

from __future__ import annotations

import httpx
import pytest
from dramatiq.brokers.stub import StubBroker

from crossdock.broker.middleware.metrics import Metrics
from tests.conftest import free_port

pytestmark = pytest.mark.integration


def test_metrics_are_served_on_loopback() -> None:
    port = free_port()
    metrics = Metrics(port=port)
    metrics.enqueued.labels("orders.ingest", "orders").inc()
    metrics.after_worker_boot(StubBroker(), worker=None)
    second = Metrics(port=port)
    try:
        assert metrics.bound_port == port
        response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
        assert response.status_code == 200
        assert 'crossdock_messages_enqueued_total{actor="orders.ingest",queue="orders"} 1.0' in response.text
        # a second worker process on the same host takes a later port
        second.after_worker_boot(StubBroker(), worker=None)
        assert (second.bound_port or 0) > port
    finally:
        metrics.close()
        second.close()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)
