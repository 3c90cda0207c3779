"""The marketplace port's contract, run against the unit tests' in-memory fake AND the real
ShopifyAdapter over the marketplace simulator on loopback: what the flow step relies on holds for both."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from crossdock.actors.handlers.ports import MarketplacePort
from crossdock.bridges.rest.shopify import ShopifyAdapter
from crossdock.canonical import Package, Shipment, ShipmentLine, ShipmentOrder
from crossdock.errors import BusinessError
from tests.fixtures.marketplace import RunningSim
from tests.unit.flows.fakes import MemoryMarketplace

pytestmark = pytest.mark.integration


@pytest.fixture(params=["fake", "shopify"])
def port(request: pytest.FixtureRequest) -> Iterator[tuple[MarketplacePort, str, str, int]]:
    """A port, the id of an order it knows, that order's first line id and its quantity."""
    if request.param == "fake":
        yield MemoryMarketplace({"1001": {"11": 3}}), "1001", "11", 3
        return
    sim: RunningSim = request.getfixturevalue("marketplace_sim")
    order = next(o for o in sim.state.shopify if len(o["line_items"]) == 1 and o["line_items"][0]["quantity"] == 3)
    item = order["line_items"][0]
    adapter = ShopifyAdapter(sim.client("shopify"))
    yield adapter, str(order["id"]), str(item["id"]), 3


def shipment(order_id: str, line: str, quantity: int, tracking: str | None) -> Shipment:
    package = Package(tracking_number=tracking, lines=[ShipmentLine(line_number=line, quantity_shipped=quantity)])
    return Shipment(shipment_id=f"S-{tracking}", shipped_at=datetime(2026, 11, 24, tzinfo=UTC), carrier_name="UPS",
                    orders=[ShipmentOrder(order_ref=order_id, packages=[package])])  # fmt: skip


def test_a_confirmation_sent_again_returns_the_first(port: tuple[MarketplacePort, str, str, int]) -> None:
    marketplace, order_id, line, _ = port
    [first] = marketplace.fulfill(shipment(order_id, line, 1, "1ZCONTRACT1"))
    [again] = marketplace.fulfill(shipment(order_id, line, 1, "1ZCONTRACT1"))
    assert first["id"] is not None and again["id"] == first["id"]


def test_what_is_left_ships_later_and_no_more(port: tuple[MarketplacePort, str, str, int]) -> None:
    marketplace, order_id, line, quantity = port
    [first] = marketplace.fulfill(shipment(order_id, line, 1, "1ZCONTRACT1"))
    with pytest.raises(BusinessError):
        marketplace.fulfill(shipment(order_id, line, quantity, "1ZCONTRACT2"))
    [rest] = marketplace.fulfill(shipment(order_id, line, quantity - 1, "1ZCONTRACT3"))
    assert rest["id"] != first["id"]
    with pytest.raises(BusinessError):
        marketplace.fulfill(shipment(order_id, line, 1, "1ZCONTRACT4"))


def test_no_tracking_number_and_unknown_orders_are_business_errors(
    port: tuple[MarketplacePort, str, str, int],
) -> None:
    marketplace, order_id, line, _ = port
    with pytest.raises(BusinessError):
        marketplace.fulfill(shipment(order_id, line, 1, None))
    with pytest.raises(BusinessError):
        marketplace.fulfill(shipment("9999999999", line, 1, "1ZCONTRACT5"))
