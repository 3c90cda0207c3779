"""``shipments.to_marketplace``: a marketplace order's shipment confirmed to its marketplace after the
945 is posted. Handlers called directly on SQLite, with the in-memory ERP and marketplace fakes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from crossdock.actors.flows import call
from crossdock.actors.graph import (
    INVOICES_TO_ERP,
    ORDERS_TO_ERP,
    SHIPMENTS_TO_BUYER,
    SHIPMENTS_TO_ERP,
    SHIPMENTS_TO_MARKETPLACE,
)
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.broker.sql_store import SqlMessageStore
from crossdock.canonical import Channel, Envelope, Order, OrderLine, Package, Shipment, ShipmentLine, ShipmentOrder
from crossdock.errors import BusinessError, TransientError
from crossdock.store import DocRef, DocType, Store
from tests.unit.flows.fakes import MemoryErp, MemoryMarketplace, flow_ports

AT = datetime(2026, 11, 24, 16, 40, tzinfo=UTC)
SHOP_ORDER = "5100000001"
LINES = {"51000000010": ("CD-TEE-BLK-M", 2), "51000000011": ("CD-SOCK-6PK", 3)}


@pytest.fixture
def shop() -> MemoryMarketplace:
    return MemoryMarketplace({SHOP_ORDER: {n: q for n, (_, q) in LINES.items()}, "5100000002": {"51000000020": 1}})


@pytest.fixture
def ports(sqlite_store: Store, tmp_path: Path, shop: MemoryMarketplace) -> FlowPorts:
    return dataclasses.replace(flow_ports(sqlite_store, MemoryErp(), tmp_path / "out"), marketplaces={"shopify": shop})


def envelope(kind: str, key: str = "k-1") -> Envelope:
    return Envelope(idempotency_key=key, source="test", document_type=kind, created_at=AT)


def marketplace_order(external_id: str = SHOP_ORDER, channel: Channel = Channel.SHOPIFY) -> Order:
    lines = [OrderLine(line_number=n, sku=sku, quantity=q, unit_price=Decimal("9.50")) for n, (sku, q) in LINES.items()]
    return Order(channel=channel, external_id=external_id, ordered_at=AT, lines=lines)


def book(ports: FlowPorts, order: Order) -> None:
    call(ports, ORDERS_TO_ERP, envelope("order", f"order-{order.external_id}"), order)


def shipped(order_id: str, lines: dict[str, int], *, tracking: str = "1Z999AA10123456784") -> ShipmentOrder:
    """One order of a 3PL's 945: W06 carries the order id twice, N9*LI the marketplace line ids."""
    return ShipmentOrder(
        po_number=order_id,
        order_ref=order_id,
        packages=[Package(tracking_number=tracking, lines=[
            ShipmentLine(line_number=n, sku=LINES.get(n, ("CD-TEE-BLK-M", 0))[0], quantity_shipped=q)
            for n, q in lines.items()
        ])],
    )  # fmt: skip


def shipment(*orders_shipped: ShipmentOrder, shipment_id: str = "SHP-1") -> Shipment:
    return Shipment(shipment_id=shipment_id, shipped_at=AT, carrier_scac="UPSN", carrier_name="UPS GROUND",
                    tracking_numbers=["1Z999AA10123456784"], orders=list(orders_shipped))  # fmt: skip


def whole() -> dict[str, int]:
    return {n: q for n, (_, q) in LINES.items()}


def test_a_marketplace_order_is_linked_to_its_channel_one_hop_away_and_to_no_other_order(ports: FlowPorts) -> None:
    book(ports, marketplace_order())
    book(ports, marketplace_order("5100000002"))
    here = DocRef(DocType.MARKETPLACE_ORDER, SHOP_ORDER)
    assert ports.store.links.neighbours(here, DocType.CHANNEL_ORDER) == [DocRef("channel_order", "shopify:5100000001")]
    # no node is shared by the channel's orders: the other order is not in this one's connected set
    assert ports.store.links.connected(here).ids(DocType.MARKETPLACE_ORDER) == [SHOP_ORDER]


def test_an_edi_po_gets_no_channel_link(ports: FlowPorts) -> None:
    po = marketplace_order("PO-1", Channel.EDI)
    book(ports, po)
    assert ports.store.links.neighbours(DocRef(DocType.PURCHASE_ORDER, "PO-1"), DocType.CHANNEL_ORDER) == []


def test_the_posted_shipment_goes_to_the_marketplace_step_only_when_a_marketplace_is_configured(
    ports: FlowPorts,
) -> None:
    book(ports, marketplace_order())
    sent = call(ports, SHIPMENTS_TO_ERP, envelope("shipment"), shipment(shipped(SHOP_ORDER, whole())))
    assert [o.step for o in sent] == [SHIPMENTS_TO_BUYER, SHIPMENTS_TO_MARKETPLACE, INVOICES_TO_ERP]
    assert {o.idempotency_key for o in sent} == {"k-1"}
    without = dataclasses.replace(ports, marketplaces={})
    sent = call(without, SHIPMENTS_TO_ERP, envelope("shipment"), shipment(shipped(SHOP_ORDER, whole())))
    assert [o.step for o in sent] == [SHIPMENTS_TO_BUYER, INVOICES_TO_ERP]


def test_a_shipped_shopify_order_is_confirmed_with_tracking_carrier_and_lines(
    ports: FlowPorts, shop: MemoryMarketplace
) -> None:
    # Given a Shopify order booked in the ERP, and the 3PL's shipment of it posted there
    book(ports, marketplace_order())
    [_, out, _] = call(ports, SHIPMENTS_TO_ERP, envelope("shipment"), shipment(shipped(SHOP_ORDER, whole())))
    # When the marketplace step runs
    assert call(ports, SHIPMENTS_TO_MARKETPLACE, envelope("shipment"), out.document) == []
    # Then the marketplace has one fulfillment with the tracking number, the carrier and every line
    [done] = shop.fulfillments
    assert done["order_id"] == SHOP_ORDER and done["tracking"] == ["1Z999AA10123456784"]
    assert done["carrier"] == "UPS GROUND" and done["lines"] == whole()
    assert shop.left(SHOP_ORDER) == {"51000000010": 0, "51000000011": 0}
    # And the fulfillment is linked to the shipment, so to the order and its ERP order
    linked = ports.store.links.connected(DocRef(DocType.MARKETPLACE_ORDER, SHOP_ORDER))
    assert linked.ids(DocType.ERP_ORDER) == ["SO00001"]
    assert linked.ids(DocType.MARKETPLACE_FULFILLMENT) == ["shopify:1"]


def test_each_marketplace_order_gets_only_its_own_lines_and_tracking_and_edi_orders_none(
    ports: FlowPorts, shop: MemoryMarketplace
) -> None:
    book(ports, marketplace_order())
    book(ports, marketplace_order("5100000002"))
    book(ports, marketplace_order("PO-778812", Channel.EDI))
    mixed = shipment(
        shipped(SHOP_ORDER, {"51000000010": 1}, tracking="1ZAAA"),
        shipped("PO-778812", {"1": 5}, tracking="1ZBBB"),
        shipped("5100000002", {"51000000020": 1}, tracking="1ZCCC"),
    )
    call(ports, SHIPMENTS_TO_MARKETPLACE, envelope("shipment"), mixed)
    assert [(f["order_id"], f["lines"], f["tracking"]) for f in shop.fulfillments] == [
        (SHOP_ORDER, {"51000000010": 1}, ["1ZAAA"]),
        ("5100000002", {"51000000020": 1}, ["1ZCCC"]),
    ]
    # a partial shipment leaves the rest to ship
    assert shop.left(SHOP_ORDER) == {"51000000010": 1, "51000000011": 3}


def test_orders_of_a_channel_without_configuration_are_skipped(ports: FlowPorts, shop: MemoryMarketplace) -> None:
    book(ports, marketplace_order("113-0000001-0000001", Channel.AMAZON))
    call(ports, SHIPMENTS_TO_MARKETPLACE, envelope("shipment"), shipment(shipped("113-0000001-0000001", {"x": 1})))
    assert shop.fulfillments == []


def test_an_order_booked_without_its_channel_is_not_guessed(ports: FlowPorts, shop: MemoryMarketplace) -> None:
    """An order booked before channels were recorded has no channel link: it is left alone."""
    ports.store.links.link(DocRef(DocType.MARKETPLACE_ORDER, SHOP_ORDER), DocRef(DocType.ERP_ORDER, "SO1"))
    call(ports, SHIPMENTS_TO_MARKETPLACE, envelope("shipment"), shipment(shipped(SHOP_ORDER, whole())))
    assert shop.fulfillments == []


def test_running_the_step_twice_confirms_once(ports: FlowPorts, shop: MemoryMarketplace) -> None:
    book(ports, marketplace_order())
    for key in ("k-1", "replay-1"):  # a redelivery, then an operator's replay under a new key
        call(ports, SHIPMENTS_TO_MARKETPLACE, envelope("shipment", key), shipment(shipped(SHOP_ORDER, whole())))
    assert len(shop.fulfillments) == 1


def test_a_retry_after_the_marketplace_accepted_does_not_confirm_twice(
    ports: FlowPorts, shop: MemoryMarketplace
) -> None:
    book(ports, marketplace_order())
    message, document = envelope("shipment"), shipment(shipped(SHOP_ORDER, whole()))
    # Given the step in its idempotency claim's transaction, and the marketplace's reply lost after it accepted
    store = SqlMessageStore(ports.store)
    claim = store.claim(SHIPMENTS_TO_MARKETPLACE.name, message.idempotency_key, message.message_id)
    assert claim is not None
    shop.lose_replies = 1
    with pytest.raises(TransientError):
        call(ports, SHIPMENTS_TO_MARKETPLACE, message, document, session=claim.connection)
    claim.rollback()
    # When the broker retries the step
    call(ports, SHIPMENTS_TO_MARKETPLACE, message, document)
    # Then the marketplace still has one fulfillment, and it is linked
    assert len(shop.fulfillments) == 1
    linked = ports.store.links.neighbours(DocRef(DocType.SHIPMENT, "SHP-1"), DocType.MARKETPLACE_FULFILLMENT)
    assert linked == [DocRef("marketplace_fulfillment", "shopify:1")]


def test_the_marketplace_refusing_is_a_business_error(ports: FlowPorts, shop: MemoryMarketplace) -> None:
    book(ports, marketplace_order())
    too_many = shipment(shipped(SHOP_ORDER, {"51000000010": 9}))
    with pytest.raises(BusinessError, match="9 > 2"):
        call(ports, SHIPMENTS_TO_MARKETPLACE, envelope("shipment"), too_many)


def test_the_same_order_id_from_two_channels_is_a_business_error(ports: FlowPorts, shop: MemoryMarketplace) -> None:
    book(ports, marketplace_order())
    book(ports, marketplace_order(channel=Channel.WALMART))
    with pytest.raises(BusinessError, match="shopify, walmart"):
        call(ports, SHIPMENTS_TO_MARKETPLACE, envelope("shipment"), shipment(shipped(SHOP_ORDER, whole())))
    assert shop.fulfillments == []


def test_the_erp_posting_of_a_marketplace_order_carries_no_marketplace_line_ids(ports: FlowPorts) -> None:
    """The ERP numbers the lines it booked 1, 2 ...; a line item id (51000000010) is not one of them, nor
    an xs:int. The ERP takes a shipped line by its item instead."""
    book(ports, marketplace_order())
    call(ports, SHIPMENTS_TO_ERP, envelope("shipment"), shipment(shipped(SHOP_ORDER, whole())))
    assert isinstance(ports.erp, MemoryErp)
    [posted] = ports.erp.shipments.values()
    assert [(line.line_number, line.sku) for line in posted.orders[0].lines] == [(None, "ITEM-1"), (None, "ITEM-3")]
