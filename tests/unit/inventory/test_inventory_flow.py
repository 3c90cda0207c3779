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


def inbound(ports: FlowPorts, name: str, key: str) -> list[Outgoing]:
    data = (ROOT / "examples" / name).read_bytes()
    ref = ports.store.raw.put_once(data, source="sftp:northstar-3pl", name=name)
    payload = InboundPayload(payload_id=ref.id, source="sftp:northstar-3pl", name=name, sha256=ref.sha256,
                             size=ref.size)  # fmt: skip
    return settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload", key), payload))


def test_a_947_adjusts_on_hand_once_on_top_of_the_latest_level(
    ports: FlowPorts, channels: dict[str, FakeChannel], tmp_path: Path
) -> None:
    # Given the 3PL's 846: 120 tees, 36 socks at MAIN (as of 06:00)
    run(ports, inbound(ports, "846_from_3pl.x12", "k-846"))
    assert channels["shopify"].shown["CD-TEE-BLK-M"] == 119
    # When its 947 arrives (dated that day, before the 846's time): 3 tees damaged, 4 socks found
    [out] = inbound(ports, "947_from_3pl.x12", "k-947")
    assert out.step == INVENTORY_APPLY and isinstance(out.document, InventoryChange)
    assert [(a.sku, a.delta, a.reason) for a in out.document.adjustments] == [
        ("CD-TEE-BLK-M", -3, "05"), ("CD-SOCK-6PK", 4, "AA")]  # fmt: skip
    acks = b"".join(p.read_bytes() for p in (tmp_path / "out" / "northstar-3pl").iterdir())
    assert b"AK2*947*0001" in acks
    run(ports, [out])
    # Then each delta is applied on top of the figure held, and pushed
    ledger = ports.store.inventory.ledger(["CD-TEE-BLK-M", "CD-SOCK-6PK"])
    assert ledger.stock("CD-TEE-BLK-M")["MAIN"].on_hand == 117
    assert ledger.stock("CD-SOCK-6PK")["MAIN"].on_hand == 40
    assert channels["shopify"].shown["CD-TEE-BLK-M"] == 116
    calls = channels["shopify"].calls
    # When the same file arrives again (another message, another delivery of the same interchange)
    [again] = inbound(ports, "947_from_3pl.x12", "k-947-again")
    assert call(ports, INVENTORY_APPLY, envelope("inventory_change", "k-947-replay"), again.document) == []
    # Then it changes nothing
    assert ports.store.inventory.ledger(["CD-TEE-BLK-M"]).stock("CD-TEE-BLK-M")["MAIN"].on_hand == 117
    assert channels["shopify"].calls == calls
    # And a newer balance replaces the adjusted figure
    newer = InventoryChange(source="erp", levels=[level("CD-TEE-BLK-M", 50, 0).model_copy(
        update={"as_of": datetime(2026, 12, 1, 11, 0, tzinfo=UTC)})])  # fmt: skip
    run(ports, [Outgoing(INVENTORY_APPLY, newer, "erp-1")])
    assert channels["shopify"].shown["CD-TEE-BLK-M"] == 49


def test_two_947_lines_of_one_sku_are_both_applied_once(ports: FlowPorts, tmp_path: Path) -> None:
    # Given the 846's 120 tees, and a 947 with two lines for the tee: 3 damaged, 4 found
    run(ports, inbound(ports, "846_from_3pl.x12", "k-846"))
    data = (ROOT / "examples" / "947_from_3pl.x12").read_text().replace("W19*AA*4*EA**VN*CD-SOCK-6PK",
                                                                          "W19*AA*4*EA**VN*CD-TEE-BLK-M")
    ref = ports.store.raw.put_once(data.encode(), source="sftp:northstar-3pl", name="947_two_lines.x12")
    payload = InboundPayload(payload_id=ref.id, source="sftp:northstar-3pl", name="947_two_lines.x12",
                             sha256=ref.sha256, size=ref.size)  # fmt: skip
    [out] = settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload", "k-947-two"), payload))
    run(ports, [out])
    run(ports, [out])  # the same change again: nothing more
    # Then both deltas count, once each: 120 - 3 + 4
    assert ports.store.inventory.ledger(["CD-TEE-BLK-M"]).stock("CD-TEE-BLK-M")["MAIN"].on_hand == 121


def test_an_order_change_adjusts_its_reservations_and_a_dropped_line_is_released(ports: FlowPorts) -> None:
    from crossdock.actors.graph import ORDERS_AMEND
    from crossdock.canonical import OrderPurpose

    steps = {s.name: s for s in (ORDERS_TO_ERP, ORDERS_AMEND, INVENTORY_APPLY)}

    def drive(outgoing: list[Outgoing]) -> None:
        queue = list(outgoing)
        while queue:
            out = queue.pop(0)
            if out.step.name in steps:
                queue += settled(ports, call(ports, steps[out.step.name], envelope("x", out.idempotency_key),
                                             out.document))  # fmt: skip

    # Given the buyer's order booked: 24 tees, 12 hoodies, 6 cases of socks reserved
    drive(inbound_from(ports, (ROOT / "examples" / "850_from_buyer.x12").read_bytes(), "850.x12", "acme-retail"))
    held = {r.line: r.quantity for r in ports.store.inventory.reservations_of("edi:PO-778812")}
    assert held == {"1": 24, "2": 12, "3": 6}
    # When the buyer changes the order as it now stands: line 1 down to 10, line 3 dropped
    text = (ROOT / "examples" / "850_from_buyer.x12").read_bytes().decode("latin-1")
    segments = text.split("~")
    start = next(i for i, s in enumerate(segments) if s.strip().startswith("PO1*3*"))
    end = next(i for i, s in enumerate(segments) if s.strip().startswith("CTT*"))
    kept = segments[:start] + segments[end:]
    change = ("~".join(kept).replace("BEG*00*SA*PO-778812", "BEG*04*SA*PO-778812")
              .replace("PO1*1*24*EA", "PO1*1*10*EA").replace("CTT*3*42", "CTT*2*22")
              .replace("SE*30*0001", f"SE*{30 - (end - start)}*0001").replace("000000501", "000000503"))  # fmt: skip
    sent = inbound_from(ports, change.encode("latin-1"), "change.x12", "acme-retail")
    assert [o.step for o in sent] == [ORDERS_AMEND], sent
    drive(sent)
    # Then the reservations follow: 10 tees, the hoodies unchanged, the dropped socks released
    after = {r.line: r.quantity for r in ports.store.inventory.reservations_of("edi:PO-778812")}
    assert after == {"1": 10, "2": 12, "3": 0}
    # And the same change again (another file) changes nothing; a cancellation releases the rest
    drive(inbound_from(ports, change.replace("000000503", "000000504").encode("latin-1"), "again.x12", "acme-retail"))
    assert {r.line: r.quantity for r in ports.store.inventory.reservations_of("edi:PO-778812")} == after
    order = translate_order(ports)
    cancel = order.model_copy(update={"purpose": OrderPurpose.CANCELLATION})
    drive([Outgoing(ORDERS_AMEND, cancel, "cancel-1")])
    assert {r.line: r.quantity for r in ports.store.inventory.reservations_of("edi:PO-778812")} == {
        "1": 0, "2": 0, "3": 0}  # fmt: skip


def inbound_from(ports: FlowPorts, data: bytes, name: str, partner: str) -> list[Outgoing]:
    ref = ports.store.raw.put_once(data, source=f"sftp:{partner}", name=name)
    payload = InboundPayload(payload_id=ref.id, source=f"sftp:{partner}", name=name, sha256=ref.sha256,
                             size=ref.size)  # fmt: skip
    return settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload", name), payload))


def translate_order(ports: FlowPorts) -> Order:
    from crossdock.edi.translate import translate

    order = translate((ROOT / "examples" / "850_from_buyer.x12").read_bytes()).sets[0].document
    assert isinstance(order, Order)
    return order


def test_a_partner_that_wants_inventory_advice_gets_an_846_only_when_its_quantities_change(
    ports: FlowPorts, channels: dict[str, FakeChannel], tmp_path: Path
) -> None:
    from crossdock.actors.graph import INVENTORY_ADVISE
    from crossdock.edi.translate import translate
    from crossdock.edi.validate import validate

    # Given acme-retail wants 846s and is allocated half of what is free
    partners = tuple(dataclasses.replace(p, inventory_advice=p.name == "acme-retail") for p in ports.partners)
    spec = RULES.model_dump()
    spec["channels"]["acme-retail"] = {"share": 0.5}
    rules = AvailabilityRules.model_validate(spec)
    assert ports.inventory is not None
    b2b = dataclasses.replace(ports, partners=partners, inventory=dataclasses.replace(ports.inventory, rules=rules))

    def deliver(outgoing: list[Outgoing]) -> list[Outgoing]:
        advised = [o for o in outgoing if o.step is INVENTORY_ADVISE]
        for out in advised:
            settled(b2b, call(b2b, INVENTORY_ADVISE, envelope("inventory_push", out.idempotency_key), out.document))
        return advised

    def files() -> list[bytes]:
        folder = tmp_path / "out" / "acme-retail"
        return [f.read_bytes() for f in sorted(folder.iterdir())] if folder.exists() else []

    # When stock arrives for two SKUs
    change = InventoryChange(source="erp", levels=[level("CD-TEE-BLK-M", 21, 5), level("CD-MUG", 9, 5)])
    out = call(b2b, INVENTORY_APPLY, envelope("inventory_change", "e-1"), change)
    assert len(deliver(out)) == 1
    # Then the partner gets one valid 846 with its share of each (and the kit made of the tee)
    [first] = files()
    assert validate(first).valid
    advice = translate(first).sets[0].document
    assert {line.sku: int(line.on_hand) for line in advice.lines} == {"CD-TEE-BLK-M": 10, "CD-MUG": 4, "GIFT": 0}
    # When only the mug changes, and then an input that changes nothing arrives
    out = call(b2b, INVENTORY_APPLY, envelope("inventory_change", "e-2"),
               InventoryChange(source="erp", levels=[level("CD-MUG", 3, 6)]))  # fmt: skip
    deliver(out)
    again = call(b2b, INVENTORY_APPLY, envelope("inventory_change", "e-3"),
                 InventoryChange(source="erp", levels=[level("CD-MUG", 3, 6)]))  # fmt: skip
    # Then the second 846 names only the mug, and nothing else is sent
    assert deliver(again) == []
    assert len(files()) == 2
    second = translate(files()[1]).sets[0].document
    assert {line.sku: int(line.on_hand) for line in second.lines} == {"CD-MUG": 1}
    # And a repeated advise message (its quantities already told) sends nothing
    assert call(b2b, INVENTORY_ADVISE, envelope("inventory_push", "dup"),
                InventoryPush(channel="acme-retail", skus=["CD-MUG"])) == []  # fmt: skip


def test_shopify_locations_are_each_told_the_quantity_of_the_locations_feeding_them(ports: FlowPorts) -> None:
    # Given two Shopify locations: 1 fed by our COL1, 2 by STORE1 and STORE2
    assert ports.inventory is not None
    shops = {"shopify@1": FakeChannel(), "shopify@2": FakeChannel(), "walmart": FakeChannel()}
    split = {"shopify": {"shopify@1": ("COL1",), "shopify@2": ("STORE1", "STORE2")}}
    per_location = dataclasses.replace(ports, inventory=dataclasses.replace(ports.inventory, channels=shops,
                                                                            split=split))  # fmt: skip
    # When stock is reported at the three locations (safety stock 1 each)
    levels = [level("CD-MUG", 10, 1, "COL1"), level("CD-MUG", 5, 1, "STORE1"), level("CD-MUG", 3, 1, "STORE2")]
    run(per_location, [Outgoing(INVENTORY_APPLY, InventoryChange(source="erp", levels=levels), "a")])
    # Then each Shopify location gets its own share; walmart (half, per location) its total
    assert shops["shopify@1"].shown["CD-MUG"] == 9
    assert shops["shopify@2"].shown["CD-MUG"] == 4 + 2
    assert shops["walmart"].shown["CD-MUG"] == 4 + 2 + 1
    # And a change at STORE2 is told to Shopify location 2 only
    before = shops["shopify@1"].calls
    run(per_location, [Outgoing(INVENTORY_APPLY, InventoryChange(source="erp", levels=[
        level("CD-MUG", 1, 2, "STORE2")]), "b")])  # fmt: skip
    assert shops["shopify@2"].shown["CD-MUG"] == 4 and shops["shopify@1"].calls == before
