"""Deadlines for the next expected document, read from what the real handlers write: a 940 waits
for its 997 and its 945, an 856 for its 997, a marketplace order's shipment for its confirmation.
Handlers called directly on SQLite with the in-memory ERP and marketplace."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from crossdock.actors import graph
from crossdock.actors.flows import call
from crossdock.actors.graph import (
    EDI_INBOUND,
    INVOICES_TO_BUYER,
    INVOICES_TO_ERP,
    ORDERS_AMEND,
    ORDERS_TO_ERP,
    ORDERS_TO_WAREHOUSE,
    SHIPMENTS_TO_BUYER,
    SHIPMENTS_TO_ERP,
    SHIPMENTS_TO_MARKETPLACE,
)
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.sla_config import SlaConfig
from crossdock.canonical import Channel, Order, OrderLine, Package, Shipment, ShipmentLine, ShipmentOrder
from crossdock.store import DocRef, DocType, Store
from crossdock.store.sla import DEFAULT, Deadlines, overdue_documents
from tests.unit.flows.fakes import MemoryErp, MemoryMarketplace, flow_ports, settled
from tests.unit.flows.test_handlers import ADVICE_945, ORDER_850, envelope, inbound_997, run_order_through, stored

SHOP_ORDER = "5100000001"


@pytest.fixture
def ports(sqlite_store: Store, tmp_path: Path) -> FlowPorts:
    shop = MemoryMarketplace({SHOP_ORDER: {"51000000010": 2}})
    return dataclasses.replace(flow_ports(sqlite_store, MemoryErp(), tmp_path / "out"), marketplaces={"shopify": shop})


def overdue(ports: FlowPorts, after: timedelta, deadlines: Deadlines = DEFAULT) -> list[tuple[str, str, str]]:
    found = overdue_documents(ports.store, deadlines, now=datetime.now(UTC) + after)
    return [(o.kind.name, o.party, o.waiting.key) for o in found]


def release(ports: FlowPorts) -> Order:
    """The buyer's 850 booked in the ERP and released to the 3PL as a 940 (delivered)."""
    order = run_order_through(ports).document
    assert isinstance(order, Order)
    [to_warehouse, *_] = call(ports, ORDERS_TO_ERP, envelope("order"), order)
    settled(ports, call(ports, ORDERS_TO_WAREHOUSE, envelope("order"), to_warehouse.document))
    return order


def receive(ports: FlowPorts, data: bytes, name: str, key: str) -> list[object]:
    payload = stored(ports.store, data, name, "sftp:northstar-3pl")
    return list(settled(ports, call(ports, EDI_INBOUND, envelope("inbound_payload", key), payload)))


def test_a_940_waits_for_its_997_and_its_945_each_until_its_deadline(ports: FlowPorts) -> None:
    # Given a 940 delivered to the 3PL a moment ago
    release(ports)
    assert overdue(ports, timedelta(hours=23)) == []
    # Then after a day its 997 is late, after three days its 945 too
    assert overdue(ports, timedelta(hours=25)) == [("940-997", "northstar-3pl", "PO-778812")]
    assert sorted(overdue(ports, timedelta(days=4))) == [
        ("940-945", "northstar-3pl", "PO-778812"), ("940-997", "northstar-3pl", "PO-778812")]  # fmt: skip
    # When the 3PL's 997 arrives, only the 945 is waited for
    receive(ports, inbound_997("A"), "997.x12", "k-997")
    assert overdue(ports, timedelta(days=4)) == [("940-945", "northstar-3pl", "PO-778812")]
    # And once its 945 is posted to the ERP, the shipment waits for its invoice (a day)
    [out] = receive(ports, ADVICE_945, "945.x12", "k-945")
    assert isinstance(out.document, Shipment)  # type: ignore[attr-defined]
    sent = call(ports, SHIPMENTS_TO_ERP, envelope("shipment", "k-945"), out.document)  # type: ignore[attr-defined]
    assert overdue(ports, timedelta(days=4)) == [("shipment-invoice", "edi", "SHP-20261124-01")]
    # until the invoice step bills it in the ERP: nothing is waited for any more
    [to_invoice] = [o for o in sent if o.step == INVOICES_TO_ERP]
    call(ports, INVOICES_TO_ERP, envelope("shipment", "k-945"), to_invoice.document)
    assert overdue(ports, timedelta(days=4)) == []


def test_an_810_waits_for_the_buyers_997(ports: FlowPorts) -> None:
    # Given a buyer whose profile asks for 810s, its PO released, shipped and billed in the ERP
    partners = tuple(dataclasses.replace(p, invoice=True) if p.name == "acme-retail" else p for p in ports.partners)
    ports = dataclasses.replace(ports, partners=partners)
    release(ports)
    [out] = receive(ports, ADVICE_945, "945.x12", "k-945")
    sent = call(ports, SHIPMENTS_TO_ERP, envelope("shipment", "k-945"), out.document)  # type: ignore[attr-defined]
    [to_invoice] = [o for o in sent if o.step == INVOICES_TO_ERP]
    [to_buyer] = call(ports, INVOICES_TO_ERP, envelope("shipment", "k-945"), to_invoice.document)
    # When its 810 is delivered
    settled(ports, call(ports, INVOICES_TO_BUYER, envelope("invoice", "k-810"), to_buyer.document))
    # Then after a day the buyer's 997 for it is late
    [late] = overdue_documents(ports.store, DEFAULT.only({"810-997"}), now=datetime.now(UTC) + timedelta(days=2))
    assert late.party == "acme-retail" and late.waiting.detail["set"] == "810"


def test_a_cancelled_order_waits_for_no_945_and_its_940_cancel_for_its_997(ports: FlowPorts) -> None:
    release(ports)
    cancel = ORDER_850.replace(b"BEG*00*SA*PO-778812", b"BEG*01*SA*PO-778812").replace(b"000000501", b"000000502")
    [amend] = receive(ports, cancel, "cancel.x12", "k-cancel")
    settled(ports, call(ports, ORDERS_AMEND, envelope("order", "k-cancel"), amend.document))  # type: ignore[attr-defined]
    sets = sorted(e.set_id for e in ports.store.outbox.entries(partner="northstar-3pl"))
    assert sets == ["940", "940"]  # the original and its cancel
    late = overdue_documents(ports.store, DEFAULT, now=datetime.now(UTC) + timedelta(days=4))
    assert [(o.kind.name, o.waiting.detail["group_control_number"]) for o in late] == [
        ("940-997", "1"), ("940-997", "2")]  # fmt: skip


def test_a_rejecting_997_is_an_answer_too(ports: FlowPorts) -> None:
    release(ports)
    receive(ports, inbound_997("R"), "997.x12", "k-997")  # the rejection has its own work item
    assert [k for k, _, _ in overdue(ports, timedelta(days=2))] == []


def test_a_partner_deadline_overrides_the_kinds(ports: FlowPorts) -> None:
    release(ports)
    partner = {"northstar-3pl": {"940-997": "1h"}}
    config = SlaConfig.model_validate({"deadlines": {"940-997": "2d"}, "partners": partner})
    assert overdue(ports, timedelta(hours=2), config.to_deadlines()) == [("940-997", "northstar-3pl", "PO-778812")]
    off = SlaConfig.model_validate({"partners": {"northstar-3pl": {"940-997": "off", "940-945": "off"}}})
    assert overdue(ports, timedelta(days=9), off.to_deadlines()) == []
    # a document sent before the lookback is not looked at any more
    assert overdue(ports, timedelta(days=40)) == []


def test_an_856_waits_for_the_buyers_997(ports: FlowPorts) -> None:
    release(ports)
    [out] = receive(ports, ADVICE_945, "945.x12", "k-945")
    [to_buyer, *_] = call(ports, SHIPMENTS_TO_ERP, envelope("shipment", "k-945"), out.document)  # type: ignore[attr-defined]
    settled(ports, call(ports, SHIPMENTS_TO_BUYER, envelope("shipment", "k-945"), to_buyer.document))
    late = overdue(ports, timedelta(days=2), DEFAULT.only({"856-997"}))
    assert late == [("856-997", "acme-retail", "SHP-20261124-01")]


def shopify_order() -> Order:
    line = OrderLine(line_number="51000000010", sku="CD-TEE-BLK-M", quantity=2, unit_price=Decimal("9.50"))
    return Order(channel=Channel.SHOPIFY, external_id=SHOP_ORDER, ordered_at=datetime.now(UTC), lines=[line])


def shopify_shipment() -> Shipment:
    line = ShipmentLine(line_number="51000000010", sku="CD-TEE-BLK-M", quantity_shipped=2)
    package = Package(tracking_number="1Z999AA10123456784", lines=[line])
    return Shipment(shipment_id="SHP-1", shipped_at=datetime.now(UTC), carrier_scac="UPSN", carrier_name="UPS GROUND",
                    tracking_numbers=["1Z999AA10123456784"],
                    orders=[ShipmentOrder(po_number=SHOP_ORDER, order_ref=SHOP_ORDER, packages=[package])])  # fmt: skip


def test_a_marketplace_shipment_waits_for_its_confirmation(ports: FlowPorts) -> None:
    # Given a Shopify order booked and its shipment posted to the ERP, not yet confirmed to Shopify
    call(ports, ORDERS_TO_ERP, envelope("order", "order-shop"), shopify_order())
    sent = call(ports, SHIPMENTS_TO_ERP, envelope("shipment", "ship-1"), shopify_shipment())
    just_confirmations = DEFAULT.only({"945-confirmation"})
    assert overdue(ports, timedelta(hours=3), just_confirmations) == []
    assert overdue(ports, timedelta(hours=5), just_confirmations) == [("945-confirmation", "shopify", "SHP-1")]
    # a channel flows.yaml does not confirm to is not watched
    unconfirmed = SlaConfig().to_deadlines(marketplaces=["amazon"]).only({"945-confirmation"})
    assert overdue(ports, timedelta(hours=5), unconfirmed) == []
    # When the confirmation step runs, it is no longer waited for
    [to_marketplace] = [o for o in sent if o.step == graph.SHIPMENTS_TO_MARKETPLACE]
    call(ports, SHIPMENTS_TO_MARKETPLACE, envelope("shipment", "ship-1"), to_marketplace.document)
    assert overdue(ports, timedelta(hours=5), just_confirmations) == []
    assert ports.store.links.neighbours(DocRef(DocType.SHIPMENT, "SHP-1"), DocType.MARKETPLACE_FULFILLMENT)
