"""The shipped Prometheus alert rules and Grafana dashboard (deploy/) name only metrics crossdock
serves: the console's business gauges, the workers' technical metrics, and the webhook receiver's
and the pollers' metrics."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import yaml
from prometheus_client import CollectorRegistry, generate_latest

from crossdock.actors.inventory_metrics import InventoryCollector
from crossdock.bridges.rest.metrics import PollMetrics, ReceiverMetrics
from crossdock.broker.middleware.metrics import Metrics
from crossdock.console.metrics import registry_for
from crossdock.store import Store
from crossdock.store.sla import DEFAULT

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"\bcrossdock_[a-z_]+")


def served(store: Store) -> set[str]:
    text = generate_latest(registry_for(store, lambda: datetime.now(UTC), deadlines=DEFAULT)).decode()
    workers = Metrics()
    workers.registry.register(InventoryCollector(store))  # as the worker registers it with an inventory flow
    workers.latency.labels("orders.to_erp", "erp").observe(0.1)  # a histogram shows its buckets once used
    text += generate_latest(workers.registry).decode()
    receiver = ReceiverMetrics()
    receiver.refuse(401, "bad_signature")
    receiver.answer("accepted")
    text += generate_latest(receiver.registry).decode()
    pollers = PollMetrics()
    pollers.polled("amazon", handed=1, outcome="caught_up", watermark=datetime.now(UTC))
    registry = CollectorRegistry(auto_describe=False)
    registry.register(pollers)
    text += generate_latest(registry).decode()
    return set(NAME.findall(text))


def test_every_alert_and_panel_uses_a_metric_crossdock_serves(sqlite_store: Store) -> None:
    rules = yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.yml").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "crossdock-ops.json").read_text())
    exprs += [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    used = {name for expr in exprs for name in NAME.findall(expr)}
    names = served(sqlite_store)
    assert {"crossdock_open_exceptions", "crossdock_dead_letters_waiting", "crossdock_overdue_documents",
            "crossdock_inventory_push_lag_seconds", "crossdock_inventory_source_age_seconds"} <= used  # fmt: skip
    assert {"crossdock_webhooks_refused_total", "crossdock_poll_lag_seconds"} <= used
    assert used <= names, used - names


def test_the_check_can_fail(sqlite_store: Store) -> None:
    assert "crossdock_no_such_metric" not in served(sqlite_store)
