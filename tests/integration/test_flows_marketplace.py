"""A Shopify order from webhook to fulfillment, on real servers over loopback: the marketplace simulator
fires a signed order webhook at the real receiver → ERP sales order (ERP simulator over SOAP) → 940 to
the 3PL → the 3PL's 945 (rendered from that 940, as a 3PL would answer it) → ERP shipment →
``shipments.to_marketplace`` → a fulfillment in the simulator, through the real ShopifyAdapter built
by the wiring from a ``marketplaces:`` entry and a token in the environment. In-memory broker with an
in-process worker, SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from crossdock.actors.embedded import EmbeddedFlows
from crossdock.actors.flow_config import MarketplaceConfig
from crossdock.actors.handlers.outbound import FolderOutbound
from crossdock.actors.handlers.ports import FlowPorts, TradingPartner
from crossdock.actors.intake import inbound_message
from crossdock.actors.steps import sender
from crossdock.actors.wiring import build_acknowledgers, build_marketplaces
from crossdock.bridges.rest.receiver import create_receiver
from crossdock.bridges.rest.serving import ServerThread
from crossdock.canonical import Envelope, Package, Shipment, ShipmentLine, ShipmentOrder, WarehouseShippingOrder
from crossdock.canonical.marketplaces import order_to_canonical
from crossdock.canonical.party import Party, PartyRole
from crossdock.edi.control import ControlKind
from crossdock.edi.partners import PartnerProfile, load_partner_profile
from crossdock.edi.translate import render, translate
from crossdock.settings import load_settings
from crossdock.store import DocRef, DocType, Store
from tests.conftest import ROOT
from tests.fixtures.erp_sim import ErpSimServer, erp_gateway
from tests.fixtures.marketplace import TOKEN_HEADERS, WEBHOOK_SECRET, RunningSim

pytestmark = pytest.mark.integration

SIM_SKUS = {"WIDGET-RED": "ITEM-1", "WIDGET-BLUE": "ITEM-2", "GADGET-XL": "ITEM-1", "MUG-11OZ": "ITEM-3",
            "TEE-M-BLK": "ITEM-2"}  # fmt: skip
"""The simulator's SKUs as ERP items stocked at the 3PL's location (MAIN)."""
THREEPL_SENDS = PartnerProfile(name="northstar-3pl-as-sender", sender_id="NORTHSTAR3PL", receiver_id="CROSSDOCK",
                               usage="T")  # fmt: skip
"""How the 3PL envelopes what it sends us (our profile of it, turned around)."""
TOKEN_ENV = "CROSSDOCK_TEST_SHOPIFY_TOKEN"


class Numbers:
    """The 3PL's own control numbers."""

    def __init__(self) -> None:
        self._next = count(7301)

    def next(self, partner: str, kind: ControlKind) -> int:
        return next(self._next)


@pytest.fixture
def db_backend() -> str:
    return "sqlite"


@pytest.fixture
def flows(marketplace_sim: RunningSim, store: Store, erp: ErpSimServer, tmp_path: Path) -> Iterator[EmbeddedFlows]:
    threepl = load_partner_profile((ROOT / "examples" / "partners" / "northstar-3pl.yaml").read_bytes())
    partners = (TradingPartner(threepl, FolderOutbound(tmp_path / "out", threepl.name), erp_location_code="MAIN"),)
    config = MarketplaceConfig(base_url=marketplace_sim.url, token_env=TOKEN_ENV, timeout_s=5)
    token = TOKEN_HEADERS["shopify"]["X-Shopify-Access-Token"]
    marketplaces = build_marketplaces({"shopify": config}, {TOKEN_ENV: token})
    ports = FlowPorts(store, erp_gateway(erp), partners, threepl.name, "COL1", SIM_SKUS, {"shopify": "C10000"},
                      marketplaces=marketplaces)  # fmt: skip
    settings = load_settings(environ={"CROSSDOCK_DATA_DIR": str(tmp_path), "CROSSDOCK_MAX_RETRIES": "1",
                                      "CROSSDOCK_MIN_BACKOFF_MS": "10"})  # fmt: skip
    with EmbeddedFlows(settings, ports) as running:
        yield running


def order_by_webhook(sim: RunningSim, flows: EmbeddedFlows, tmp_path: Path) -> WarehouseShippingOrder:
    """The simulator's first Shopify order delivered by signed webhook and run to its 940: the 940, read back."""
    with ServerThread(create_receiver(flows.webhook_sink, WEBHOOK_SECRET.encode(), tolerance_s=300)) as receiver:
        body = {"url": receiver.url + "/webhooks/shopify", "secret": WEBHOOK_SECRET, "webhook_id": "wh-1"}
        response = sim.control.post("/_sim/webhooks", json=body)
        response.raise_for_status()
        assert [d["status"] for d in response.json()["deliveries"]] == [200]
    flows.settle()
    [order_940] = sorted((tmp_path / "out").iterdir())
    [result] = translate(order_940.read_bytes()).sets
    assert isinstance(result.document, WarehouseShippingOrder)
    return result.document


def ship(flows: EmbeddedFlows, wso: WarehouseShippingOrder, shipped: dict[str, int], shipment_id: str,
         tracking: str, *, echo_line_ids: bool = True) -> Shipment:  # fmt: skip
    """The 3PL answers the 940 with a 945 shipping ``shipped`` (line number -> units), with the 940's line
    numbers under each W12 (N9*LI) unless ``echo_line_ids`` is false; crossdock takes it in. Returns the
    shipment as crossdock reads the 945."""
    lines = [ShipmentLine(line_number=line.line_number if echo_line_ids else None, sku=line.sku,
                          quantity_ordered=line.quantity,
                          quantity_shipped=shipped[line.line_number])
             for line in wso.lines if shipped.get(line.line_number)]  # fmt: skip
    warehouse = Party(role=PartyRole.SHIP_FROM, name="NORTHSTAR LOGISTICS COLUMBUS", id_qualifier="9",
                      id_code="0614141000005")  # fmt: skip
    shipment = Shipment(
        shipment_id=shipment_id, shipped_at=datetime(2026, 11, 24, 16, 15, tzinfo=UTC), ship_from=warehouse,
        carrier_scac="UPSN", carrier_name="UPS GROUND", tracking_numbers=[tracking],
        orders=[ShipmentOrder(order_ref=wso.order_ref, po_number=wso.po_number,
                              packages=[Package(tracking_number=tracking, lines=lines)])],
    )  # fmt: skip
    data = render("945", shipment, THREEPL_SENDS, Numbers(), now=datetime(2026, 11, 24, 16, 40, tzinfo=UTC))
    store = flows.ports.store
    ref = store.raw.put_once(data, source="sftp:northstar-3pl", name=f"945_{shipment_id}.x12")
    envelope, document = inbound_message(ref, ref.source)
    sender(flows.broker)("edi.inbound", envelope, document)
    flows.settle()
    [result] = translate(data).sets
    assert isinstance(result.document, Shipment)
    return result.document


def fulfillment_order(sim: RunningSim, order_id: int) -> dict[str, Any]:
    response = sim.control.get(f"/admin/api/2024-01/orders/{order_id}/fulfillment_orders.json",
                               headers=TOKEN_HEADERS["shopify"])  # fmt: skip
    response.raise_for_status()
    [fo] = response.json()["fulfillment_orders"]
    return dict(fo)


def test_a_shopify_order_shipped_by_the_3pl_is_fulfilled_on_shopify_once(
    marketplace_sim: RunningSim, flows: EmbeddedFlows, erp: ErpSimServer, store: Store, tmp_path: Path
) -> None:
    # Given a Shopify order booked in the ERP and sent to the 3PL
    order = marketplace_sim.state.shopify[0]
    wso = order_by_webhook(marketplace_sim, flows, tmp_path)
    assert wso.order_ref == str(order["id"])
    assert [line.line_number for line in wso.lines] == [str(item["id"]) for item in order["line_items"]]
    # When the 3PL ships all of it
    everything = {line.line_number: int(line.quantity) for line in wso.lines}
    shipped = ship(flows, wso, everything, "SHP-1", "1Z999AA10123456784")
    # Then the ERP posted the shipment and Shopify has one fulfillment with the tracking number and the lines
    assert erp.calls().get("PostShipment") == 1
    [fulfillment] = marketplace_sim.state.shopify_fulfillments[order["id"]]
    assert fulfillment["tracking_number"] == "1Z999AA10123456784"
    assert fulfillment["tracking_company"] == "UPS GROUND"
    assert {i["id"]: i["quantity"] for i in fulfillment["line_items"]} == {
        i["id"]: i["quantity"] for i in order["line_items"]
    }
    assert fulfillment_order(marketplace_sim, order["id"])["status"] == "closed"
    linked = store.links.connected(DocRef(DocType.MARKETPLACE_ORDER, str(order["id"])))
    assert linked.ids(DocType.MARKETPLACE_FULFILLMENT) == [f"shopify:{fulfillment['id']}"]
    assert store.exceptions.items() == []
    # When an operator replays the step under a new key (its fulfillment order is closed by now)
    assert linked.ids(DocType.SHIPMENT) == ["SHP-1"]
    replay = Envelope(idempotency_key="replay-SHP-1", source="operator", document_type="shipment")
    sender(flows.broker)("shipments.to_marketplace", replay, shipped)
    flows.settle()
    # Then nothing new reached Shopify, and nothing was parked
    assert len(marketplace_sim.received("shopify.fulfillments")) == 1
    assert len(marketplace_sim.state.shopify_fulfillments[order["id"]]) == 1
    assert store.exceptions.items() == []


def test_a_partial_shipment_leaves_the_rest_open_on_shopify_until_the_rest_ships(
    marketplace_sim: RunningSim, flows: EmbeddedFlows, store: Store, tmp_path: Path
) -> None:
    order = marketplace_sim.state.shopify[0]
    wso = order_by_webhook(marketplace_sim, flows, tmp_path)
    [line] = wso.lines
    assert line.quantity == 3
    # When the 3PL ships one of three
    ship(flows, wso, {line.line_number: 1}, "SHP-A", "1ZPARTIAL0000001")
    # Then the fulfillment order stays fulfillable with the two left
    fo = fulfillment_order(marketplace_sim, order["id"])
    assert fo["status"] == "in_progress"
    assert [(x["line_item_id"], x["fulfillable_quantity"]) for x in fo["line_items"]] == [(int(line.line_number), 2)]
    # And when the rest ships, under its own tracking number, it closes (in a 945 that does not repeat
    # the line ids: the line is found by its SKU)
    ship(flows, wso, {line.line_number: 2}, "SHP-B", "1ZPARTIAL0000002", echo_line_ids=False)
    assert fulfillment_order(marketplace_sim, order["id"])["status"] == "closed"
    done = marketplace_sim.state.shopify_fulfillments[order["id"]]
    assert [(f["tracking_number"], f["line_items"][0]["quantity"]) for f in done] == [
        ("1ZPARTIAL0000001", 1), ("1ZPARTIAL0000002", 2),
    ]  # fmt: skip
    assert store.exceptions.items() == []


@pytest.fixture
def polled_flows(
    marketplace_sim: RunningSim, store: Store, erp: ErpSimServer, tmp_path: Path
) -> Iterator[EmbeddedFlows]:
    """The flows with Amazon and Walmart configured as flows.yaml would, with expiring tokens: Login with
    Amazon and Walmart client credentials, the simulator accepting only the tokens it issued."""
    from crossdock.actors.flow_config import flow_config_from_dict
    from crossdock.bridges.rest.sim import auth as sim_auth

    marketplace_sim.control.post("/_sim/reset", json={"orders_per_channel": 1}).raise_for_status()
    for channel in ("amazon", "walmart"):
        marketplace_sim.control.post("/_sim/auth", json={"channel": channel, "strict": True}).raise_for_status()
    markets = {
        "amazon": {"base_url": marketplace_sim.url, "marketplace_id": "ATVPDKIKX0DER", "timeout_s": 5, "auth": {
            "lwa": {"token_url": f"{marketplace_sim.url}/auth/o2/token", "client_id": sim_auth.LWA_CLIENT_ID,
                    "client_secret_env": "LWA_SECRET", "refresh_token_env": "LWA_REFRESH"}}},
        "walmart": {"base_url": marketplace_sim.url, "timeout_s": 5, "auth": {
            "client_credentials": {"token_url": f"{marketplace_sim.url}/v3/token", "client_id_env": "WM_ID",
                                   "client_secret_env": "WM_SECRET"}}},
    }  # fmt: skip
    base = {"partners": [{"edi": "x.yaml", "outbound_folder": "out"}], "warehouse_partner": "northstar-3pl",
            "erp": {"endpoint": "http://127.0.0.1:9/erp"}}  # fmt: skip
    config = flow_config_from_dict({**base, "marketplaces": markets}, base=tmp_path)
    env = {"LWA_SECRET": sim_auth.LWA_CLIENT_SECRET, "LWA_REFRESH": sim_auth.LWA_REFRESH_TOKEN,
           "WM_ID": sim_auth.WALMART_CLIENT_ID, "WM_SECRET": sim_auth.WALMART_CLIENT_SECRET}  # fmt: skip
    marketplaces = build_marketplaces(config.marketplaces, env)
    threepl = load_partner_profile((ROOT / "examples" / "partners" / "northstar-3pl.yaml").read_bytes())
    partners = (TradingPartner(threepl, FolderOutbound(tmp_path / "out", threepl.name), erp_location_code="MAIN"),)
    ports = FlowPorts(store, erp_gateway(erp), partners, threepl.name, "COL1", SIM_SKUS,
                      {"amazon": "C10000", "walmart": "C10000"}, marketplaces=marketplaces,
                      acknowledgers=build_acknowledgers(marketplaces))  # fmt: skip
    settings = load_settings(environ={"CROSSDOCK_DATA_DIR": str(tmp_path), "CROSSDOCK_MAX_RETRIES": "1",
                                      "CROSSDOCK_MIN_BACKOFF_MS": "10"})  # fmt: skip
    with EmbeddedFlows(settings, ports) as running:
        yield running


@pytest.mark.parametrize("channel", ["amazon", "walmart"])
def test_an_amazon_or_walmart_order_shipped_by_the_3pl_is_confirmed_to_its_channel_once(
    marketplace_sim: RunningSim, polled_flows: EmbeddedFlows, erp: ErpSimServer, store: Store, tmp_path: Path,
    channel: str,
) -> None:  # fmt: skip
    from crossdock.bridges.rest.polling import PollState

    # Given the channel's order polled (with an expiring token), booked in the ERP and sent to the 3PL
    adapter = polled_flows.ports.marketplaces[channel]
    adapter.poll_orders(polled_flows.webhook_sink, PollState(watermark=datetime(2020, 1, 1, tzinfo=UTC)))  # type: ignore[attr-defined]
    polled_flows.settle()
    [order_940] = sorted((tmp_path / "out").iterdir())
    [result] = translate(order_940.read_bytes()).sets
    wso = result.document
    assert isinstance(wso, WarehouseShippingOrder)
    assert erp.calls().get("CreateSalesOrder") == 1
    # When the 3PL ships all of it (a 945 that does not echo the marketplace's line ids)
    everything = {line.line_number: int(line.quantity) for line in wso.lines}
    shipped = ship(polled_flows, wso, everything, "SHP-M1", "1ZMARKET000000001", echo_line_ids=False)
    # Then the channel has the shipment once, every line shipped in full
    if channel == "amazon":
        [order] = marketplace_sim.state.amazon
        [package] = marketplace_sim.state.amazon_packages[order["AmazonOrderId"]].values()
        assert package["trackingNumber"] == "1ZMARKET000000001"
        assert all(item["QuantityShipped"] == item["QuantityOrdered"] for item in order["OrderItems"])
        assert order["OrderStatus"] == "Shipped"
    else:
        [order] = marketplace_sim.state.walmart
        assert len(marketplace_sim.received("walmart.shipping_updates")) == 1
        for line in order["orderLines"]["orderLine"]:
            statuses = line["orderLineStatuses"]["orderLineStatus"]
            [done] = [s for s in statuses if s["status"] == "Shipped"]
            assert done["statusQuantity"]["amount"] == line["orderLineQuantity"]["amount"]
    assert store.exceptions.items() == []
    # When an operator replays the confirmation step under a new key, nothing changes on the channel
    replay = Envelope(idempotency_key=f"replay-{channel}", source="operator", document_type="shipment")
    sender(polled_flows.broker)("shipments.to_marketplace", replay, shipped)
    polled_flows.settle()
    if channel == "amazon":
        assert len(marketplace_sim.state.amazon_packages[order["AmazonOrderId"]]) == 1
    else:
        assert len(marketplace_sim.received("walmart.shipping_updates")) == 1
    assert store.exceptions.items() == []


def test_a_walmart_order_is_acknowledged_once_after_it_is_booked(
    marketplace_sim: RunningSim, polled_flows: EmbeddedFlows, erp: ErpSimServer, store: Store
) -> None:
    from crossdock.bridges.rest.polling import PollState

    # Given a Walmart and an Amazon order polled
    for channel in ("walmart", "amazon"):
        adapter = polled_flows.ports.marketplaces[channel]
        adapter.poll_orders(polled_flows.webhook_sink, PollState(watermark=datetime(2020, 1, 1, tzinfo=UTC)))  # type: ignore[attr-defined]
    polled_flows.settle()
    # Then both are booked, and the Walmart order alone is acknowledged, once, every line of it
    assert erp.calls().get("CreateSalesOrder") == 2
    [order] = marketplace_sim.state.walmart
    po_id = order["purchaseOrderId"]
    assert [a["purchase_order_id"] for a in marketplace_sim.received("walmart.acknowledgements")] == [po_id]
    assert {s["status"] for line in order["orderLines"]["orderLine"] for s in
            line["orderLineStatuses"]["orderLineStatus"]} == {"Acknowledged"}  # fmt: skip
    linked = store.links.connected(DocRef(DocType.MARKETPLACE_ORDER, po_id))
    assert linked.ids("marketplace_ack") == [f"walmart:{po_id}"]
    # When an operator replays the step under a new key (Walmart refuses a second acknowledgment)
    replay = Envelope(idempotency_key="replay-ack", source="operator", document_type="order")
    sender(polled_flows.broker)("orders.acknowledge", replay, order_to_canonical("walmart", order))
    polled_flows.settle()
    # Then it stands, nothing is parked and nothing new reached Walmart
    assert len(marketplace_sim.received("walmart.acknowledgements")) == 1
    assert store.exceptions.items() == []
