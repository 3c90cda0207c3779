"""Prometheus gauges for the inventory flow, read from the store when scraped:

* ``crossdock_inventory_lag_seconds``: how long the oldest quantity owed to a channel has waited for
  its push (0 when every channel was told its latest quantity);
* ``crossdock_inventory_owed{channel}``: SKUs whose latest quantity the channel was not told yet.

Registered on the worker's metrics registry (``CROSSDOCK_METRICS_PORT``) when the inventory flow is
configured. A scrape while the database is unreachable leaves the gauges out rather than failing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from dramatiq.broker import Broker
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from crossdock.broker.middleware.metrics import Metrics
from crossdock.errors import CrossdockError
from crossdock.store import Store

log = logging.getLogger(__name__)


class InventoryCollector(Collector):
    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        try:
            lag = self.store.inventory.lag_seconds()
            owed = self.store.inventory.owed_counts()
        except (SQLAlchemyError, CrossdockError) as exc:
            log.warning("inventory gauges skipped: %s", type(exc).__name__)
            return
        gauge = GaugeMetricFamily(
            "crossdock_inventory_lag_seconds", "Age of the oldest quantity owed to a channel (0: none owed)."
        )
        gauge.add_metric([], lag)
        yield gauge
        per_channel = GaugeMetricFamily(
            "crossdock_inventory_owed", "SKUs whose latest quantity the channel was not told yet.", labels=["channel"]
        )
        for channel, count in sorted(owed.items()):
            per_channel.add_metric([channel], count)
        yield per_channel


def register_inventory_gauges(broker: Broker, store: Store) -> InventoryCollector | None:
    """Add the inventory gauges to ``broker``'s metrics registry (none without the metrics middleware)."""
    for middleware in broker.middleware:
        if isinstance(middleware, Metrics):
            collector = InventoryCollector(store)
            middleware.registry.register(collector)
            return collector
    return None
