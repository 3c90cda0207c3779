"""Business gauges for Prometheus, read from the store at each scrape: open exception items by owner
(and the oldest one's age), dead letters waiting by lane, overdue documents by kind and partner or
channel (the deadlines of flows.yaml ``sla:``), the age of the newest on-hand figure per inventory
source and the push lag per channel, and the age of the oldest unfinished message per lane. Served
by ``crossdock console --metrics-port`` beside the workers' technical metrics; deploy/prometheus/alerts.yml
and deploy/grafana/ use them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from crossdock.broker.lanes import LANES
from crossdock.errors import Owner
from crossdock.store import Store, dashboard
from crossdock.store.sla import KINDS, Deadlines, overdue_documents


class BusinessMetrics(Collector):
    def __init__(self, store: Store, clock: Callable[[], datetime], *, deadlines: Deadlines) -> None:
        self._store = store
        self._clock = clock
        self._deadlines = deadlines

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self._clock()
        db = self._store.db
        open_items = GaugeMetricFamily("crossdock_open_exceptions", "Open exception work items.", labels=["owner"])
        oldest = GaugeMetricFamily(
            "crossdock_open_exception_oldest_age_seconds", "Age of the oldest open exception item.", labels=["owner"]
        )
        by_owner = {o.owner: o for o in dashboard.open_items_by_owner(db, now=now)}
        for owner in Owner:
            found = by_owner.get(owner.value)
            open_items.add_metric([owner.value], found.count if found else 0)
            oldest.add_metric([owner.value], (now - found.oldest).total_seconds() if found and found.oldest else 0)
        yield open_items
        yield oldest
        dead = GaugeMetricFamily(
            "crossdock_dead_letters_waiting", "Dead letters journaled and not replayed or purged.", labels=["queue"]
        )
        counts = dashboard.dead_letters_by_queue(db)
        for queue in sorted(set(LANES) | set(counts)):
            dead.add_metric([queue], counts.get(queue, 0))
        yield dead
        overdue = GaugeMetricFamily(
            "crossdock_overdue_documents",
            "Documents sent whose expected answer (997, 945, confirmation, invoice) is past its deadline.",
            labels=["kind", "party"],
        )
        late = Counter((o.kind.name, o.party) for o in overdue_documents(self._store, self._deadlines, now=now))
        for kind in KINDS:
            if not any(k == kind for k, _ in late):
                overdue.add_metric([kind, ""], 0)  # every kind is a series, 0 when nothing is late
        for (kind, party), n in sorted(late.items()):
            overdue.add_metric([kind, party], n)
        yield overdue
        fresh = GaugeMetricFamily(
            "crossdock_inventory_source_age_seconds",
            "Age (from its as-of) of the newest on-hand figure applied per inventory source.",
            labels=["source"],
        )
        for source in self._store.inventory.freshness():
            fresh.add_metric([source.source], max(0.0, (now - source.as_of).total_seconds()))
        yield fresh
        push = GaugeMetricFamily(
            "crossdock_inventory_push_lag_seconds",
            "How long the oldest quantity owed to the channel has waited for its push (0: none owed).",
            labels=["channel"],
        )
        for lag in self._store.inventory.push_lag():
            push.add_metric([lag.channel], max(0.0, (now - lag.oldest).total_seconds()) if lag.oldest else 0.0)
        yield push
        unfinished = GaugeMetricFamily(
            "crossdock_lane_oldest_unfinished_age_seconds",
            "Age of the oldest message that started on a lane and has not finished (journal).",
            labels=["queue"],
        )
        started = dashboard.oldest_unfinished(db, now=now)
        for queue in LANES:
            unfinished.add_metric([queue], (now - started[queue]).total_seconds() if queue in started else 0)
        yield unfinished


def registry_for(store: Store, clock: Callable[[], datetime], *, deadlines: Deadlines) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(BusinessMetrics(store, clock, deadlines=deadlines))
    return registry
