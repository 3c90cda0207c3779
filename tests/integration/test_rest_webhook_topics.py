"""Shopify webhook topics end to end on loopback: the simulator edits and cancels an order and fires
``orders/updated`` / ``orders/cancelled`` / ``app/uninstalled`` at the real receiver, which stores each
body with its topic in crossdock's store (SQLite); ``marketplace.inbound`` reads the topic from there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crossdock.actors import graph
from crossdock.actors.flows import call
from crossdock.actors.intake import StoreWebhookSink
from crossdock.bridges.rest.receiver import create_receiver
from crossdock.bridges.rest.serving import ServerThread
from crossdock.canonical import Envelope, Order
from crossdock.canonical.base import CanonicalModel
from crossdock.canonical.order import OrderPurpose
from crossdock.store import HopStatus, Store
from tests.fixtures.marketplace import WEBHOOK_SECRET, RunningSim
from tests.unit.flows.fakes import MemoryErp, flow_ports

pytestmark = pytest.mark.integration


@pytest.fixture
def db_backend() -> str:
    return "sqlite"


@pytest.fixture
def receiver_url(store: Store) -> Iterator[tuple[str, list[tuple[Envelope, CanonicalModel]]]]:
    """A real receiver over the store-backed sink; what it sends on is kept, not run."""
    sent: list[tuple[Envelope, CanonicalModel]] = []
    sink = StoreWebhookSink(store, lambda step, envelope, document: sent.append((envelope, document)))
    with ServerThread(create_receiver(sink, WEBHOOK_SECRET.encode())) as server:
        yield server.url + "/webhooks/shopify", sent


def fire(sim: RunningSim, url: str, topic: str, order_id: int) -> None:
    body = {"url": url, "secret": WEBHOOK_SECRET, "topic": topic, "order_id": order_id}
    response = sim.control.post("/_sim/webhooks", json=body)
    response.raise_for_status()
    assert [d["status"] for d in response.json()["deliveries"]] == [200]


def test_each_topic_reaches_the_mapping_and_other_topics_are_ignored(
    marketplace_sim: RunningSim, store: Store, receiver_url: tuple[str, list[Any]], tmp_path: Path
) -> None:
    url, sent = receiver_url
    order = next(o for o in marketplace_sim.state.shopify if len(o["line_items"]) >= 2)
    first_line = str(order["line_items"][0]["id"])
    # Given the order created, then edited (its first line removed), then cancelled, and the app uninstalled
    fire(marketplace_sim, url, "orders/create", order["id"])
    marketplace_sim.change("shopify", str(order["id"]), lines={first_line: 0})
    fire(marketplace_sim, url, "orders/updated", order["id"])
    marketplace_sim.change("shopify", str(order["id"]), cancel=True)
    fire(marketplace_sim, url, "orders/cancelled", order["id"])
    other = next(o for o in marketplace_sim.state.shopify if o["id"] != order["id"])
    fire(marketplace_sim, url, "app/uninstalled", other["id"])  # another body: the same one is a duplicate
    # When marketplace.inbound runs on each stored delivery
    ports = flow_ports(store, MemoryErp(), tmp_path / "out")
    results = [call(ports, graph.MARKETPLACE_INBOUND, envelope, document) for envelope, document in sent]
    # Then the first three are an order, a change and a cancellation, each as of its own time
    orders = [out.document for outs in results for out in outs]
    assert [out.step for outs in results for out in outs] == [graph.ORDERS_TO_ERP, graph.ORDERS_AMEND,
                                                              graph.ORDERS_AMEND]  # fmt: skip
    assert all(isinstance(o, Order) for o in orders)
    assert [o.purpose for o in orders] == [OrderPurpose.ORIGINAL, OrderPurpose.CHANGE, OrderPurpose.CANCELLATION]
    change = orders[1]
    assert (change.lines[0].line_number, change.lines[0].quantity) == (first_line, 0)
    assert all(line.quantity > 0 for line in change.lines[1:])
    assert orders[1].updated_at is not None and orders[2].updated_at is not None
    assert orders[1].updated_at < orders[2].updated_at
    assert len({out.idempotency_key for outs in results for out in outs}) == 3
    # And the uninstall went nowhere, journaled as ignored with its topic, nothing opened for a person
    assert results[3] == []
    [ignored] = [h for h in store.trace("app/uninstalled").hops if h.status is HopStatus.IGNORED]
    assert "app/uninstalled" in (ignored.error_message or "")
    assert store.exceptions.items() == []
