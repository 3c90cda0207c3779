"""Business gauges for Prometheus, read from the store at each scrape: open exception items by owner
(and the oldest one's age), dead letters waiting by lane, overdue 997s by partner, and the age of
the oldest unfinished message per lane. Served by ``crossdock console --metrics-port`` beside the
workers' technical metrics; deploy/prometheus/alerts.yml and deploy/grafana/ use them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from crossdock.broker.lanes import LANES
from crossdock.errors import Owner
from crossdock.store import Store, dashboard
from crossdock.store.ack_watch import overdue_groups


class BusinessMetrics(Collector):
    def __init__(self, store: Store, clock: Callable[[], datetime], *, ack_overdue_hours: float) -> None:
        self._store = store
        self._clock = clock
        self._overdue_after = timedelta(hours=ack_overdue_hours)

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
            "crossdock_acks_overdue", "Groups sent that have no 997 after the partner's turnaround.", labels=["partner"]
        )
        late = Counter(g.partner for g in overdue_groups(self._store, now=now, after=self._overdue_after))
        for partner, n in sorted(late.items()):
            overdue.add_metric([partner], n)
        yield overdue
        unfinished = GaugeMetricFamily(
            "crossdock_lane_oldest_unfinished_age_seconds",
            "Age of the oldest message that started on a lane and has not finished (journal).",
            labels=["queue"],
        )
        started = dashboard.oldest_unfinished(db, now=now)
        for queue in LANES:
            unfinished.add_metric([queue], (now - started[queue]).total_seconds() if queue in started else 0)
        yield unfinished


def registry_for(store: Store, clock: Callable[[], datetime], *, ack_overdue_hours: float) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(BusinessMetrics(store, clock, ack_overdue_hours=ack_overdue_hours))
    return registry
