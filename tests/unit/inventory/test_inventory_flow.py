"""The inventory flow's handlers called directly: SQLite store, a fake inventory channel (the real
protocol), 846 files through edi.inbound, reservations from orders.to_erp."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crossdock.actors.flows import call
from crossdock.actors.graph import EDI_INBOUND, INVENTORY_APPLY, INVENTORY_PUSH, ORDERS_TO_ERP, SHIPMENTS_TO_ERP
from crossdock.actors.handlers import inventory
from crossdock.actors.handlers.inventory_ports import InventoryPorts
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.steps import Outgoing
from crossdock.canonical import Envelope, InventoryLevel, Order
from crossdock.canonical.availability import AvailabilityRules
from crossdock.canonical.inbound import InboundPayload
from crossdock.canonical.inventory import InventoryChange, InventoryPush
from crossdock.store import Store
from tests.conftest import ROOT
from tests.unit.flows.fakes import MemoryErp, flow_ports, settled

AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
RULES = AvailabilityRules.model_validate({
    "safety_stock": 1,
    "channels": {"shopify": {}, "walmart": {"share": 0.5}, "amazon": {"enabled": False}},
    "kits": {"GIFT": {"CD-TEE-BLK-M": 1, "CD-SOCK-6PK": 2}},
})


class FakeChannel:
    """An inventory channel that remembers what it was told (the real protocol, in memory)."""

    def __init__(self) -> None:
        self.shown: dict[str, int] = {}
        self.calls = 0

    def set_quantities(self, quantities: Mapping[str, int]) -> int:
        self.shown.update(quantities)
        self.calls += len(quantities)
        return len(quantities)

    def read_quantities(self, skus: Sequence[str]) -> dict[str, int | None]:
        return {sku: self.shown.get(sku) for sku in skus}

    def close(self) -> None:
        pass


@pytest.fixture
def channels() -> dict[str, FakeChannel]:
    return {"shopify": FakeChannel(), "walmart": FakeChannel(), "amazon": FakeChannel()}


@pytest.fixture
def ports(sqlite_store: Store, tmp_path: Path, channels: dict[str, FakeChannel]) -> FlowPorts:
    base = flow_ports(sqlite_store, MemoryErp(), tmp_path / "out")
    return dataclasses.replace(base, inventory=InventoryPorts(RULES, channels, "MAIN"))


def envelope(kind: str, key: str = "k-1") -> Envelope:
    return Envelope(idempotency_key=key, source="test", document_type=kind, created_at=AT)


def level(sku: str, on_hand: int, minute: int = 0, location: str = "MAIN") -> InventoryLevel:
    return InventoryLevel(sku=sku, location=location, on_hand=on_hand, available=on_hand,
                          as_of=AT.replace(minute=minute))  # fmt: skip


def run(ports: FlowPorts, outgoing: list[Outgoing]) -> None:
    """Deliver ``outgoing`` the way the broker would, until nothing is left (bounded)."""
    queue = list(outgoing)
    for _ in range(100):
        if not queue:
            return
        out = queue.pop(0)
        if out.step in (INVENTORY_APPLY, INVENTORY_PUSH):
            queue += call(ports, out.step, envelope(out.document_type, out.idempotency_key), out.document)
    raise AssertionError("messages kept coming")


def test_levels_are_offered_and_pushed_once_and_an_older_level_changes_nothing(
    ports: FlowPorts, channels: dict[str, FakeChannel]
) -> None:
    # Given a level of 21 units: 20 after safety stock, all to shopify, half to walmart, amazon off
    run(ports, [Outgoing(INVENTORY_APPLY,
                         InventoryChange(source="erp", levels=[level("CD-TEE-BLK-M", 21, 5)]), "a")])  # fmt: skip
    assert channels["shopify"].shown == {"CD-TEE-BLK-M": 20, "GIFT": 0}
    assert channels["walmart"].shown == {"CD-TEE-BLK-M": 10, "GIFT": 0}
    assert channels["amazon"].shown == {"CD-TEE-BLK-M": 0, "GIFT": 0}  # switched off: told 0
    calls = channels["shopify"].calls
    # When an older level and the same level again arrive
    older = InventoryChange(source="erp", levels=[level("CD-TEE-BLK-M", 99, 1)])
    same = InventoryChange(source="erp", levels=[level("CD-TEE-BLK-M", 21, 5)])
    assert call(ports, INVENTORY_APPLY, envelope("inventory_change"), older) == []
    assert call(ports, INVENTORY_APPLY, envelope("inventory_change"), same) == []
    # Then nothing is pushed again
    assert channels["shopify"].calls == calls
    states = {s.channel: s for s in ports.store.inventory.channel_states("CD-TEE-BLK-M")}
    assert (states["shopify"].computed, states["shopify"].told, states["amazon"].computed) == (20, 20, 0)


def test_a_push_sends_the_quantity_owed_when_it_runs_not_when_it_was_queued(
    ports: FlowPorts, channels: dict[str, FakeChannel]
) -> None:
    first = call(ports, INVENTORY_APPLY, envelope("inventory_change"),
                            InventoryChange(source="erp", levels=[level("CD-MUG", 11, 1)]))  # fmt: skip
    # a newer level is applied before the first push runs
    second = call(ports, INVENTORY_APPLY, envelope("inventory_change", "k-2"),
                             InventoryChange(source="erp", levels=[level("CD-MUG", 5, 2)]))  # fmt: skip
    run(ports, first)
    assert channels["shopify"].shown == {"CD-MUG": 4}
    run(ports, second)  # owed nothing any more: no second call
    assert channels["shopify"].calls == 1


def test_an_846_from_the_3pl_is_acknowledged_and_becomes_levels_pushed_to_channels(
    ports: FlowPorts, channels: dict[str, FakeChannel], tmp_path: Path
) -> None:
    data = (ROOT / "examples" / "846_from_3pl.x12").read_bytes()
    ref = ports.store.raw.put_once(data, source="sftp:northstar-3pl", name="846.x12")
    payload = InboundPayload(payload_id=ref.id, source="sftp:northstar-3pl", name="846.x12", sha256=ref.sha256,
                             size=ref.size)  # fmt: skip
    [out] = settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload"), payload))  # the 997 delivered
    assert out.step == INVENTORY_APPLY and isinstance(out.document, InventoryChange)
    assert out.document.sequence == 812 and out.document.source.startswith("846:northstar-3pl:")
    [ack] = sorted((tmp_path / "out" / "northstar-3pl").iterdir())
    assert b"ST*997" in ack.read_bytes() and b"AK2*846*" in ack.read_bytes()
    run(ports, [out])
    assert channels["shopify"].shown["CD-TEE-BLK-M"] == 119  # 120 on hand - 1 safety stock
    assert channels["shopify"].shown["GIFT"] == 17  # socks: 36 - 1 = 35 -> 17 kits
    # The same file again changes nothing
    [again] = settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload", "k-2"), payload))
    assert call(ports, INVENTORY_APPLY, envelope("inventory_change", "k-3"), again.document) == []


def test_a_booked_order_reserves_its_lines(ports: FlowPorts, channels: dict[str, FakeChannel]) -> None:
    run(ports, [Outgoing(INVENTORY_APPLY,
                         InventoryChange(source="erp", levels=[level("CD-TEE-BLK-M", 30)]), "a")])  # fmt: skip
    order_850 = (ROOT / "examples" / "850_from_buyer.x12").read_bytes()
    ref = ports.store.raw.put_once(order_850, source="sftp:acme-retail", name="850.x12")
    payload = InboundPayload(payload_id=ref.id, source="sftp:acme-retail", name="850.x12", sha256=ref.sha256,
                             size=ref.size)  # fmt: skip
    [order_out] = settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload"), payload))
    order = order_out.document
    assert isinstance(order, Order)
    out = call(ports, ORDERS_TO_ERP, envelope("order"), order)
    reserve = [o for o in out if o.step == INVENTORY_APPLY]
    assert len(reserve) == 1 and isinstance(reserve[0].document, InventoryChange)
    held = sum(int(r.quantity) for r in reserve[0].document.reservations if r.sku == "CD-TEE-BLK-M")
    run(ports, reserve)
    assert channels["shopify"].shown["CD-TEE-BLK-M"] == 29 - held


def test_a_shipment_releases_what_it_shipped_and_a_cancellation_releases_the_rest(
    ports: FlowPorts, channels: dict[str, FakeChannel]
) -> None:
    from crossdock.canonical import OrderPurpose, Shipment
    from crossdock.edi.translate import translate

    order_850 = (ROOT / "examples" / "850_from_buyer.x12").read_bytes()
    ref = ports.store.raw.put_once(order_850, source="sftp:acme-retail", name="850.x12")
    payload = InboundPayload(payload_id=ref.id, source="sftp:acme-retail", name="850.x12", sha256=ref.sha256,
                             size=ref.size)  # fmt: skip
    [order_out] = settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload"), payload))
    order = order_out.document
    assert isinstance(order, Order)
    run(ports, [o for o in call(ports, ORDERS_TO_ERP, envelope("order"), order) if o.step == INVENTORY_APPLY])
    before = {r.sku: r.quantity for r in ports.store.inventory.reservations_of("edi:PO-778812")}
    shipment = translate((ROOT / "examples" / "945_from_3pl.x12").read_bytes()).sets[0].document
    assert isinstance(shipment, Shipment)
    shipped = {line.sku: int(line.quantity_shipped) for line in shipment.orders[0].all_lines if line.sku}
    # When the 3PL's 945 is posted
    out = call(ports, SHIPMENTS_TO_ERP, envelope("shipment", "k-945"), shipment)
    run(ports, [o for o in out if o.step == INVENTORY_APPLY])
    after = {r.sku: r.quantity for r in ports.store.inventory.reservations_of("edi:PO-778812")}
    assert before != after  # something shipped
    # Then each SKU's reservation is down by what shipped
    assert after == {sku: held - min(held, shipped.get(sku, 0)) for sku, held in before.items()}
    # And a cancellation of the order releases every line
    cancel = order.model_copy(update={"purpose": OrderPurpose.CANCELLATION})
    run(ports, inventory.reserve(ports, cancel, envelope("order", "k-cancel")))
    assert all(r.quantity == 0 for r in ports.store.inventory.reservations_of("edi:PO-778812"))


def test_a_push_for_a_channel_without_adapter_is_a_config_error(ports: FlowPorts) -> None:
    from crossdock.errors import ConfigError

    with pytest.raises(ConfigError, match="ebay"):
        call(ports, INVENTORY_PUSH, envelope("inventory_push"), InventoryPush(channel="ebay", skus=["A"]))


def test_the_lag_gauge_shows_how_long_a_quantity_has_waited_for_its_push(ports: FlowPorts) -> None:
    from prometheus_client import CollectorRegistry, generate_latest

    from crossdock.actors.inventory_metrics import InventoryCollector

    registry = CollectorRegistry()
    registry.register(InventoryCollector(ports.store))
    assert b"crossdock_inventory_lag_seconds 0.0" in generate_latest(registry)
    # Given a change applied but not pushed yet
    out = call(ports, INVENTORY_APPLY, envelope("inventory_change"),
                          InventoryChange(source="erp", levels=[level("CD-MUG", 3)]))  # fmt: skip
    text = generate_latest(registry).decode()
    assert 'crossdock_inventory_owed{channel="shopify"} 1.0' in text
    lag = next(line for line in text.splitlines() if line.startswith("crossdock_inventory_lag_seconds "))
    assert float(lag.split()[1]) > 0
    # When it is pushed, nothing is owed
    run(ports, out)
    assert b"crossdock_inventory_lag_seconds 0.0" in generate_latest(registry)
