"""``orders.to_erp`` sends a booked original Walmart order to ``orders.acknowledge``, which acknowledges
it through the channel's acknowledger and links the acknowledgment to the order."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from crossdock.actors import graph
from crossdock.actors.flows import call
from crossdock.actors.handlers import channel_acks
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.canonical import Envelope, Order
from crossdock.canonical.marketplaces import order_to_canonical
from crossdock.canonical.order import OrderPurpose
from crossdock.store import DocRef, DocType, Store
from tests.unit.flows.fakes import MemoryErp, flow_ports
from tests.unit.rest.samples import amazon_items, amazon_order, walmart_order


class MemoryAcknowledger:
    """Walmart's acknowledgment, in memory: the first call acknowledges, a later one finds it done."""

    def __init__(self) -> None:
        self.acknowledged: list[str] = []

    def acknowledge(self, order_id: str) -> Mapping[str, Any]:
        if order_id not in self.acknowledged:
            self.acknowledged.append(order_id)
        return {"purchaseOrderId": order_id}


@pytest.fixture
def acks() -> MemoryAcknowledger:
    return MemoryAcknowledger()


@pytest.fixture
def ports(sqlite_store: Store, tmp_path: Path, acks: MemoryAcknowledger) -> FlowPorts:
    base = flow_ports(sqlite_store, MemoryErp(("test1", "HOSE-50")), tmp_path / "out")
    return dataclasses.replace(base, channel_customers={"walmart": "C1", "amazon": "C1"},
                               acknowledgers={"walmart": acks})  # fmt: skip


def env(key: str = "k") -> Envelope:
    return Envelope(idempotency_key=key, source="test", document_type="order")


def walmart() -> Order:
    order = order_to_canonical("walmart", walmart_order())
    return order.model_copy(update={"references": {"erp_customer_no": "C1"}})


def test_a_booked_walmart_order_is_sent_to_be_acknowledged_once(ports: FlowPorts, acks: MemoryAcknowledger) -> None:
    outs = call(ports, graph.ORDERS_TO_ERP, env(), walmart())
    [ack] = [out for out in outs if out.step is graph.ORDERS_ACKNOWLEDGE]
    assert isinstance(ack.document, Order)
    assert call(ports, graph.ORDERS_ACKNOWLEDGE, env(ack.idempotency_key), ack.document) == []
    assert call(ports, graph.ORDERS_ACKNOWLEDGE, env("replay"), ack.document) == []  # a replay: acknowledged once
    assert acks.acknowledged == ["1796277083022"]
    linked = ports.store.links.connected(DocRef(DocType.MARKETPLACE_ORDER, "1796277083022"))
    assert linked.ids(channel_acks.MARKETPLACE_ACK) == ["walmart:1796277083022"]


def test_other_channels_and_amendments_owe_no_acknowledgment(ports: FlowPorts) -> None:
    amazon = order_to_canonical("amazon", {"Order": amazon_order(), "OrderItems": amazon_items()})
    cancelled = walmart().model_copy(update={"purpose": OrderPurpose.CANCELLATION})
    assert channel_acks.after_booking(ports, amazon) == []
    assert channel_acks.after_booking(ports, cancelled) == []
    assert [o.step for o in channel_acks.after_booking(ports, walmart())] == [graph.ORDERS_ACKNOWLEDGE]
    assert channel_acks.after_booking(dataclasses.replace(ports, acknowledgers={}), walmart()) == []
