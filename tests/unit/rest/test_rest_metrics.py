"""The REST edges' Prometheus metrics: the receiver's refusals by status and reason, and the poller lag."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prometheus_client import CollectorRegistry

from crossdock.bridges.rest.metrics import PollMetrics, ReceiverMetrics
from crossdock.bridges.rest.poll_service import PollService
from crossdock.bridges.rest.poll_state_file import PollStateFile
from crossdock.bridges.rest.receiver import create_receiver
from crossdock.bridges.rest.sink import InMemorySink
from tests.unit.rest.test_poll_service import T0, PagedPoller
from tests.unit.rest.test_receiver import BODY, NOW, SECRET, AsgiClient, headers


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


def test_every_refusal_is_counted_by_status_and_reason_and_200s_by_outcome() -> None:
    metrics = ReceiverMetrics()
    client = AsgiClient(create_receiver(InMemorySink(), SECRET, clock=lambda: NOW, metrics=metrics))
    forged = headers() | {"X-Shopify-Hmac-Sha256": "AAAA"}
    assert client.post("/webhooks/shopify", content=BODY, headers=forged).status_code == 401
    assert client.post("/webhooks/shopify", content=BODY, headers=forged).status_code == 401
    stale = headers(at="2024-03-01T10:00:00Z")
    assert client.post("/webhooks/shopify", content=BODY, headers=stale).status_code == 401
    assert client.post("/webhooks/nowhere", content=BODY, headers=headers()).status_code == 404
    assert client.post("/webhooks/shopify", content=BODY, headers=headers()).status_code == 200
    assert client.post("/webhooks/shopify", content=BODY, headers=headers(webhook_id="again")).status_code == 200
    registry = metrics.registry
    assert sample(registry, "crossdock_webhooks_refused_total", status="401", reason="bad_signature") == 2
    assert sample(registry, "crossdock_webhooks_refused_total", status="401", reason="stale") == 1
    assert sample(registry, "crossdock_webhooks_refused_total", status="404", reason="not_found") == 1
    assert sample(registry, "crossdock_webhooks_total", outcome="accepted") == 1
    assert sample(registry, "crossdock_webhooks_total", outcome="duplicate") == 1


def test_the_lag_grows_from_the_last_poll_that_caught_up_and_a_failure_does_not_reset_it(tmp_path: Path) -> None:
    now = [T0.timestamp() + 3600]
    metrics = PollMetrics(clock=lambda: now[0])
    registry = CollectorRegistry(auto_describe=False)
    registry.register(metrics)
    poller = PagedPoller()
    polls = PollService("walmart", poller, InMemorySink(), PollStateFile(tmp_path / "poll.json", "walmart"), T0,
                        metrics=metrics)  # fmt: skip
    # Before any poll: nothing is known of the channel
    assert sample(registry, "crossdock_poll_lag_seconds", channel="walmart") is None
    # A poll that catches up: lag 0, the watermark's age is that of the newest order handed over
    assert polls.poll_once().caught_up
    assert sample(registry, "crossdock_poll_lag_seconds", channel="walmart") == 0
    assert sample(registry, "crossdock_poll_watermark_age_seconds", channel="walmart") == 3600 - 7 * 60
    assert sample(registry, "crossdock_poll_orders_total", channel="walmart") == 7
    # Ten minutes later a poll fails: the lag keeps growing from the last success
    now[0] += 600
    poller.fail_on_page = 0
    assert polls.poll_once().error is not None
    assert sample(registry, "crossdock_poll_lag_seconds", channel="walmart") == 600
    assert sample(registry, "crossdock_polls_total", channel="walmart", outcome="failed") == 1
    assert sample(registry, "crossdock_polls_total", channel="walmart", outcome="caught_up") == 1
    assert sample(registry, "crossdock_poll_last_success_timestamp_seconds", channel="walmart") == now[0] - 600


def test_a_poller_that_never_caught_up_lags_since_it_started() -> None:
    now = [1000.0]
    metrics = PollMetrics(clock=lambda: now[0])
    metrics.started("amazon", datetime(1970, 1, 1, 0, 10, tzinfo=UTC))
    now[0] = 1300.0
    registry = CollectorRegistry(auto_describe=False)
    registry.register(metrics)
    assert sample(registry, "crossdock_poll_lag_seconds", channel="amazon") == 300
    assert sample(registry, "crossdock_poll_last_success_timestamp_seconds", channel="amazon") == 0
    assert sample(registry, "crossdock_poll_watermark_age_seconds", channel="amazon") == 700
