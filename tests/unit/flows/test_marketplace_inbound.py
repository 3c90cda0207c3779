"""``marketplace.inbound`` routes a Shopify webhook by the topic stored with its body, and gives an
amendment (change, cancellation) a key of its own per version."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crossdock.actors import graph
from crossdock.actors.flows import call
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.canonical import Envelope, Order
from crossdock.canonical.inbound import InboundPayload
from crossdock.canonical.order import OrderPurpose
from crossdock.errors import MappingError
from crossdock.store import HopStatus, Store
from tests.unit.flows.fakes import MemoryErp, flow_ports
from tests.unit.rest.samples import shopify_order


@pytest.fixture
def ports(sqlite_store: Store, tmp_path: Path) -> FlowPorts:
    return flow_ports(sqlite_store, MemoryErp(), tmp_path / "out")


def delivered(store: Store, body: dict[str, Any], topic: str | None, webhook_id: str) -> InboundPayload:
    """A webhook body stored as the receiver stores it: with its (lower-case) Shopify headers."""
    headers = {"x-shopify-webhook-id": webhook_id} | ({"x-shopify-topic": topic} if topic else {})
    data = json.dumps(body).encode()
    ref = store.raw.put_once(data, source="webhook:shopify", name=webhook_id, headers=headers)
    return InboundPayload(payload_id=ref.id, source="webhook:shopify", name=webhook_id, sha256=ref.sha256,
                          size=ref.size)  # fmt: skip


def run(ports: FlowPorts, payload: InboundPayload) -> list[Any]:
    return call(ports, graph.MARKETPLACE_INBOUND, Envelope(idempotency_key="k", source="test",
                                                           document_type="inbound_payload"), payload)  # fmt: skip


def order_of(outs: list[Any]) -> Order:
    [out] = outs
    assert isinstance(out.document, Order)
    # an original is booked; an amendment goes to the lifecycle's step
    assert out.step is (graph.ORDERS_TO_ERP if out.document.purpose is OrderPurpose.ORIGINAL else graph.ORDERS_AMEND)
    return out.document


@pytest.mark.parametrize(
    ("topic", "purpose"),
    [
        ("orders/create", OrderPurpose.ORIGINAL),
        ("orders/paid", OrderPurpose.ORIGINAL),
        (None, OrderPurpose.ORIGINAL),  # stored before topics were kept: an order, as it was then
        ("orders/updated", OrderPurpose.CHANGE),
        ("orders/cancelled", OrderPurpose.CANCELLATION),
    ],
)
def test_the_stored_topic_tells_the_purpose(ports: FlowPorts, topic: str | None, purpose: OrderPurpose) -> None:
    body = shopify_order() | ({"cancelled_at": "2008-01-10T11:05:00-05:00"} if topic == "orders/cancelled" else {})
    order = order_of(run(ports, delivered(ports.store, body, topic, "wh-1")))
    assert order.purpose is purpose
    assert order.updated_at == datetime(2008, 1, 10, 16, 5, tzinfo=UTC)


def test_the_body_does_not_tell_the_topic_but_must_carry_a_cancellation(ports: FlowPorts) -> None:
    # A body that names another topic is mapped by the stored one
    body = shopify_order() | {"topic": "orders/updated"}
    assert order_of(run(ports, delivered(ports.store, body, "orders/create", "wh-1"))).purpose is \
        OrderPurpose.ORIGINAL  # fmt: skip
    # The topic header is not signed: an order without cancelled_at under orders/cancelled (a captured
    # body replayed under another topic) cancels nothing and is parked with the field named
    with pytest.raises(MappingError, match="cancelled_at"):
        run(ports, delivered(ports.store, shopify_order(), "orders/cancelled", "wh-2"))


@pytest.mark.parametrize("topic", ["app/uninstalled", "refunds/create", "customers/create", "orders/fulfilled"])
def test_a_topic_crossdock_does_not_handle_is_journaled_as_ignored_not_parked(ports: FlowPorts, topic: str) -> None:
    # Given a webhook of a topic that is no order (its body need not even be an order)
    payload = delivered(ports.store, {"id": 1, "domain": "shop.example"}, topic, "wh-ignored")
    # When the step runs: nothing is sent on and nothing is opened for a person
    assert run(ports, payload) == []
    assert ports.store.exceptions.items() == []
    # Then the journal says it was ignored, with the topic, and trace finds it by its delivery id
    [hop] = [h for h in ports.store.trace("wh-ignored").hops if h.status is HopStatus.IGNORED]
    assert topic in (hop.error_message or "") and hop.raw_payload_id == payload.payload_id
    assert ports.store.trace(topic).hops


def test_each_version_of_an_amendment_has_its_own_key_and_an_original_one_key(ports: FlowPorts) -> None:
    later = shopify_order() | {"updated_at": "2008-01-10T12:00:00-05:00"}
    keys = {
        name: out.idempotency_key
        for name, body, topic in [
            ("create", shopify_order(), "orders/create"),
            ("paid", shopify_order() | {"financial_status": "paid", "note": "x"}, "orders/paid"),
            ("update-1", shopify_order(), "orders/updated"),
            ("update-2", later, "orders/updated"),
            ("cancel", later | {"cancelled_at": "2008-01-10T12:00:00-05:00"}, "orders/cancelled"),
            ("cancel-update", later | {"cancelled_at": "2008-01-10T12:00:00-05:00"}, "orders/updated"),
        ]
        for out in run(ports, delivered(ports.store, body, topic, f"wh-{name}"))
    }
    assert keys["create"] == keys["paid"]  # booked once, whichever comes first
    assert len({keys["create"], keys["update-1"], keys["update-2"], keys["cancel"]}) == 4
    assert keys["cancel"] == keys["cancel-update"]  # Shopify's orders/updated for the same cancellation
