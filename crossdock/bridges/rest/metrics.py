"""Prometheus metrics of the REST edges, each process its own registry (no process-global state):

* the webhook receiver (``crossdock rest serve --metrics-port``):
  ``crossdock_webhooks_refused_total{status, reason}`` (every refusal the receiver logs: 401
  ``bad_signature``, 413 ``too_large``, 503 ``busy`` ...) and ``crossdock_webhooks_total{outcome}``
  (``accepted``, ``duplicate``), and ``crossdock_connections_closed_total{reason}``: connections the
  guard closed (``header_timeout``, ``evicted`` for a new connection, ``busy``: 503 at the connection
  cap). No label comes from a request header: a sender cannot make new series.
* an order poller (``crossdock rest poll --metrics-port``), read when scraped:
  ``crossdock_poll_lag_seconds{channel}`` (seconds since the last poll that caught up, or since the
  poller started when none has yet), ``crossdock_poll_last_success_timestamp_seconds{channel}``,
  ``crossdock_poll_watermark_age_seconds{channel}`` (how old the newest order version handed over is:
  the cursor's age), ``crossdock_polls_total{channel, outcome}`` (``caught_up``, ``failed``,
  ``stopped``) and ``crossdock_poll_orders_total{channel}`` (orders handed over).

:func:`serve_metrics` serves a registry on its own port (not on the receiver's public port).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from crossdock.errors import ConfigError

REFUSED = "crossdock_webhooks_refused"
WEBHOOKS = "crossdock_webhooks"


class ReceiverMetrics:
    """The receiver's counters, on ``registry`` (a new one unless given)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self.refused = Counter(REFUSED, "Webhook requests refused, by HTTP status and reason.", ("status", "reason"),
                               registry=self.registry)  # fmt: skip
        self.answered = Counter(WEBHOOKS, "Webhooks answered 200, by outcome (accepted, duplicate).", ("outcome",),
                                registry=self.registry)  # fmt: skip
        self.closed = Counter("crossdock_connections_closed", "Connections the receiver's guard closed, by reason "
                              "(header_timeout, evicted, busy).", ("reason",), registry=self.registry)  # fmt: skip

    def refuse(self, status: int, reason: str) -> None:
        self.refused.labels(str(status), reason).inc()

    def answer(self, outcome: str) -> None:
        self.answered.labels(outcome).inc()

    def close_connection(self, reason: str) -> None:
        """A :data:`~crossdock.bridges.rest.guard.ConnectionCounter`: one connection closed for ``reason``."""
        self.closed.labels(reason).inc()


@dataclass
class _Channel:
    started: float
    last_success: float | None = None
    watermark: float | None = None
    polls: dict[str, int] = field(default_factory=lambda: {"caught_up": 0, "failed": 0, "stopped": 0})
    orders: int = 0


class PollMetrics(Collector):
    """What each channel's poller did, as gauges and counters computed when scraped."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._channels: dict[str, _Channel] = {}

    def started(self, channel: str, watermark: datetime | None = None) -> None:
        """The poller of ``channel`` started (its lag counts from now), at ``watermark`` when saved."""
        with self._lock:
            entry = self._channels.setdefault(channel, _Channel(self._clock()))
            if watermark is not None:
                entry.watermark = watermark.timestamp()

    def polled(self, channel: str, *, handed: int, outcome: str, watermark: datetime) -> None:
        """One poll ended: ``outcome`` ``caught_up``, ``failed`` or ``stopped``; ``handed`` orders."""
        with self._lock:
            entry = self._channels.setdefault(channel, _Channel(self._clock()))
            entry.polls[outcome] = entry.polls.get(outcome, 0) + 1
            entry.orders += handed
            entry.watermark = watermark.timestamp()
            if outcome == "caught_up":
                entry.last_success = self._clock()

    def collect(self) -> Iterator[Metric]:
        now = self._clock()
        with self._lock:
            channels = {name: (c.started, c.last_success, c.watermark, dict(c.polls), c.orders)
                        for name, c in sorted(self._channels.items())}  # fmt: skip
        lag = GaugeMetricFamily("crossdock_poll_lag_seconds", "Seconds since the channel's last poll that caught up "
                                "(since the poller started, when none has).", labels=["channel"])  # fmt: skip
        last = GaugeMetricFamily("crossdock_poll_last_success_timestamp_seconds",
                                 "When the channel's last poll caught up (Unix time; 0: none yet).",
                                 labels=["channel"])  # fmt: skip
        age = GaugeMetricFamily("crossdock_poll_watermark_age_seconds", "Age of the poll watermark: the last-update "
                                "time of the newest order version handed over.", labels=["channel"])  # fmt: skip
        polls = CounterMetricFamily("crossdock_polls", "Polls made, by outcome (caught_up, failed, stopped).",
                                    labels=["channel", "outcome"])  # fmt: skip
        orders = CounterMetricFamily("crossdock_poll_orders", "Order versions handed over.", labels=["channel"])
        for name, (started, success, watermark, outcomes, handed) in channels.items():
            lag.add_metric([name], now - (success if success is not None else started))
            last.add_metric([name], success or 0.0)
            if watermark is not None:
                age.add_metric([name], max(now - watermark, 0.0))
            for outcome, count in sorted(outcomes.items()):
                polls.add_metric([name, outcome], count)
            orders.add_metric([name], handed)
        yield from (lag, last, age, polls, orders)


def serve_metrics(registry: CollectorRegistry, host: str, port: int) -> tuple[Any, int]:
    """Serve ``registry`` at ``http://host:port/metrics`` from a daemon thread; returns the server (its
    ``shutdown()`` stops it) and the port bound (``port`` 0: any free one). A port that cannot be bound
    is a :class:`~crossdock.errors.ConfigError`."""
    try:
        server, _thread = start_http_server(port, addr=host, registry=registry)
    except OSError as exc:
        raise ConfigError(f"cannot serve metrics on {host}:{port}: {exc.strerror}") from exc
    return server, int(server.server_port)
