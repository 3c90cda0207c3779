"""Ids from documents (a 3PL's shipment, a marketplace reply) go into URL paths as ONE encoded segment."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from crossdock.bridges.rest.amazon import AmazonAdapter
from crossdock.bridges.rest.client import MarketplaceClient, path_segment
from crossdock.canonical.shipment import Package, Shipment, ShipmentLine, ShipmentOrder
from crossdock.errors import MappingError


def _shipment(order_ref: str) -> Shipment:
    return Shipment(
        shipment_id="SH-1",
        shipped_at=datetime(2024, 3, 1, 10, 0, tzinfo=UTC),
        carrier_scac="FDEG",
        orders=[
            ShipmentOrder(
                order_ref=order_ref,
                packages=[Package(tracking_number="7946", lines=[ShipmentLine(line_number="1", quantity_shipped=1)])],
            )
        ],
    )


def test_an_order_id_cannot_climb_to_another_endpoint_or_add_a_query() -> None:
    # Given a shipment whose order reference (from the 3PL's document) is a path and a query
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.raw_path.decode())
        return httpx.Response(200, json={"payload": {}})

    client = MarketplaceClient(
        "amazon", "http://sim.invalid", sleep=lambda s: None, transport=httpx.MockTransport(handler)
    )
    # When crossdock confirms the shipment on Amazon
    AmazonAdapter(client, marketplace_id="ATVPDKIKX0DER").confirm_shipment(_shipment("../../../admin/x?drop=1#"))

    # Then the call stays on the order's own endpoint, the id encoded inside one segment
    assert paths == ["/orders/v0/orders/..%2F..%2F..%2Fadmin%2Fx%3Fdrop%3D1%23/shipmentConfirmation"]


@pytest.mark.parametrize("bad", ["", ".", ".."])
def test_dot_segments_and_empty_ids_are_refused(bad: str) -> None:
    with pytest.raises(MappingError, match="cannot be used in a URL path"):
        path_segment(bad, "AmazonOrderId")
