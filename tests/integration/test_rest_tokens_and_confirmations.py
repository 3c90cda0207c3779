"""Expiring marketplace credentials and shipment confirmations that are safe to send again, against the
marketplace simulator on loopback: Login with Amazon and Walmart client-credentials tokens are fetched,
cached, renewed before they expire and after a refusal; Amazon and Walmart confirm a package once
however often the confirmation is sent."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from crossdock.bridges.rest.amazon import AUTH_HEADER as AMAZON_HEADER
from crossdock.bridges.rest.amazon import AmazonAdapter
from crossdock.bridges.rest.boundary import MarketplaceRejectedError
from crossdock.bridges.rest.client import MarketplaceClient
from crossdock.bridges.rest.polling import PollState
from crossdock.bridges.rest.sim import auth as sim_auth
from crossdock.bridges.rest.sink import InMemorySink
from crossdock.bridges.rest.tokens import LwaToken, StaticToken, TokenSource, WalmartToken
from crossdock.bridges.rest.walmart import AUTH_HEADER as WALMART_HEADER
from crossdock.bridges.rest.walmart import WalmartAdapter
from crossdock.canonical import Package, Shipment, ShipmentLine, ShipmentOrder
from crossdock.errors import ConfigError
from tests.fixtures.marketplace import RunningSim

pytestmark = pytest.mark.integration
START = PollState(watermark=datetime(2023, 12, 31, tzinfo=UTC))


def strict(sim: RunningSim, channel: str, ttl_s: float) -> None:
    sim.control.post("/_sim/auth", json={"channel": channel, "strict": True, "ttl_s": ttl_s}).raise_for_status()


def lwa(sim: RunningSim, *, secret: str = sim_auth.LWA_CLIENT_SECRET, clock: Any = time.monotonic) -> LwaToken:
    return LwaToken(f"{sim.url}/auth/o2/token", sim_auth.LWA_CLIENT_ID, secret, sim_auth.LWA_REFRESH_TOKEN,
                    timeout_s=5, clock=clock)  # fmt: skip


def walmart_token(sim: RunningSim, *, secret: str = sim_auth.WALMART_CLIENT_SECRET) -> WalmartToken:
    return WalmartToken(f"{sim.url}/v3/token", sim_auth.WALMART_CLIENT_ID, secret, timeout_s=5)


def client(sim: RunningSim, channel: str, token: TokenSource) -> MarketplaceClient:
    header = AMAZON_HEADER if channel == "amazon" else WALMART_HEADER
    built = MarketplaceClient(channel, sim.url, token=token, token_header=header, timeout=5)
    sim.clients.append(built)
    return built


def issued(sim: RunningSim, channel: str) -> int:
    return int(sim.control.get("/_sim/state").json()["tokens_issued"].get(channel, 0))


def test_an_lwa_token_is_cached_renewed_before_it_expires_and_after_a_revocation(marketplace_sim: RunningSim) -> None:
    # Given SP-API accepting only the tokens Login with Amazon issued, each valid for an hour
    strict(marketplace_sim, "amazon", ttl_s=3600)
    now = [1000.0]
    adapter = AmazonAdapter(client(marketplace_sim, "amazon", lwa(marketplace_sim, clock=lambda: now[0])),
                            "ATVPDKIKX0DER", page_size=50)  # fmt: skip
    # When orders are polled twice within the token's life
    adapter.poll_orders(InMemorySink(), START)
    adapter.poll_orders(InMemorySink(), START)
    # Then one token served both polls (dozens of calls)
    assert issued(marketplace_sim, "amazon") == 1
    # When the token is a minute from expiring, a new one is fetched before any call is refused
    now[0] += 3600 - 59
    requests = marketplace_sim.state.requests["amazon"]
    sink = InMemorySink()
    adapter.poll_orders(sink, START)
    assert len(sink.queue) == 25 and issued(marketplace_sim, "amazon") == 2
    assert marketplace_sim.state.requests["amazon"] - requests == 26  # a page and 25 orders' items, none refused
    # When Amazon revokes every token, the next call is refused (403 Unauthorized), renewed and sent again
    marketplace_sim.control.post("/_sim/auth/expire", json={"channel": "amazon"}).raise_for_status()
    sink = InMemorySink()
    adapter.poll_orders(sink, START)
    assert len(sink.queue) == 25 and issued(marketplace_sim, "amazon") == 3


def test_walmart_client_credentials_are_renewed_after_a_401(marketplace_sim: RunningSim) -> None:
    strict(marketplace_sim, "walmart", ttl_s=900)
    adapter = WalmartAdapter(client(marketplace_sim, "walmart", walmart_token(marketplace_sim)), page_size=50)
    sink = InMemorySink()
    adapter.poll_orders(sink, START)
    assert len(sink.queue) == 25 and issued(marketplace_sim, "walmart") == 1
    marketplace_sim.control.post("/_sim/auth/expire", json={"channel": "walmart"}).raise_for_status()
    sink = InMemorySink()
    adapter.poll_orders(sink, START)
    assert len(sink.queue) == 25 and issued(marketplace_sim, "walmart") == 2


@pytest.mark.parametrize("channel", ["amazon", "walmart"])
def test_refused_credentials_are_a_config_error_naming_the_channel_not_the_secret(
    marketplace_sim: RunningSim, channel: str
) -> None:
    token = lwa(marketplace_sim, secret="wrong-s3cret") if channel == "amazon" else walmart_token(
        marketplace_sim, secret="wrong-s3cret"
    )
    with pytest.raises(ConfigError) as refused:
        token.token()
    assert f"{channel} token endpoint" in str(refused.value) and "invalid_client" in str(refused.value)
    assert "wrong-s3cret" not in str(refused.value)


def test_a_refused_static_token_is_not_retried(marketplace_sim: RunningSim) -> None:
    strict(marketplace_sim, "amazon", ttl_s=60)
    adapter = AmazonAdapter(client(marketplace_sim, "amazon", StaticToken("Atza|static")), "ATVPDKIKX0DER")
    with pytest.raises(MarketplaceRejectedError, match="403"):
        adapter.poll_orders(InMemorySink(), START)
    assert marketplace_sim.state.requests["amazon"] == 1


def shipment(order_id: str, lines: list[tuple[str, str, int]], tracking: str, *, walmart: bool = False) -> Shipment:
    """A shipment as a 945 gives it: ERP line numbers and SKUs, not the marketplace's line ids."""
    shipped = [ShipmentLine(line_number=number, sku=sku, quantity_shipped=qty) for number, sku, qty in lines]
    order = ShipmentOrder(po_number=order_id, packages=[Package(tracking_number=tracking, lines=shipped)]) if walmart \
        else ShipmentOrder(order_ref=order_id, packages=[Package(tracking_number=tracking, lines=shipped)])
    return Shipment(shipment_id=f"SH-{tracking}", shipped_at=datetime(2024, 1, 2, 15, 0, tzinfo=UTC),
                    carrier_scac="UPSN", carrier_name="UPS GROUND", tracking_numbers=[tracking],
                    orders=[order])  # fmt: skip


def test_an_amazon_package_confirmed_twice_is_one_package_and_a_second_package_is_another(
    marketplace_sim: RunningSim,
) -> None:
    order = next(o for o in marketplace_sim.state.amazon if o["OrderItems"][0]["QuantityOrdered"] >= 2)
    item = order["OrderItems"][0]
    adapter = AmazonAdapter(marketplace_sim.client("amazon"), "ATVPDKIKX0DER")
    first = shipment(order["AmazonOrderId"], [("1", item["SellerSKU"], 1)], "1ZFIRST0000000001")
    # When the same package is confirmed twice (a retried step), by ERP line number and SKU
    one = adapter.fulfill(first)
    again = adapter.fulfill(first)
    # Then Amazon has one package with the item found by its SKU, and both calls name the same package
    packages = marketplace_sim.state.amazon_packages[order["AmazonOrderId"]]
    assert len(packages) == 1 and one == again
    [package] = packages.values()
    assert package["orderItems"] == [{"orderItemId": item["OrderItemId"], "quantity": 1}]
    assert item["QuantityShipped"] == 1
    # When another package of the order ships, it is a second package
    adapter.fulfill(shipment(order["AmazonOrderId"], [("1", item["SellerSKU"], 1)], "1ZSECOND000000002"))
    assert len(packages) == 2 and item["QuantityShipped"] == 2


def test_a_walmart_shipping_update_sent_twice_ships_the_lines_once(marketplace_sim: RunningSim) -> None:
    order = marketplace_sim.state.walmart[0]
    lines = order["orderLines"]["orderLine"]
    shipped = [(str(i + 1), line["item"]["sku"], int(line["orderLineQuantity"]["amount"])) for i, line in
               enumerate(lines)]  # fmt: skip
    adapter = WalmartAdapter(marketplace_sim.client("walmart"))
    confirmation = shipment(order["purchaseOrderId"], shipped, "1ZWALMART00000001", walmart=True)
    # When the shipment is confirmed twice
    one = adapter.fulfill(confirmation)
    again = adapter.fulfill(confirmation)
    # Then Walmart got one shipping update and every line is Shipped once, with the whole quantity
    assert one == again == [{"id": f"{order['purchaseOrderId']}:1ZWALMART00000001",
                             "tracking_number": "1ZWALMART00000001"}]  # fmt: skip
    assert len(marketplace_sim.received("walmart.shipping_updates")) == 1
    for line in lines:
        statuses: list[dict[str, Any]] = line["orderLineStatuses"]["orderLineStatus"]
        assert [s["status"] for s in statuses].count("Shipped") == 1
