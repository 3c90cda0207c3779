"""A signed Shopify order webhook from the marketplace simulator into the real receiver, stored by the
store-backed sink, then ``marketplace.inbound`` → ERP sales order (simulator over SOAP) → 940 to the 3PL.
All servers are real and on loopback; the broker is the in-memory one with an in-process worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crossdock.actors.embedded import EmbeddedFlows
from crossdock.actors.handlers.outbound import FolderOutbound
from crossdock.actors.handlers.ports import FlowPorts, TradingPartner
from crossdock.bridges.rest.receiver import create_receiver
from crossdock.bridges.rest.serving import ServerThread
from crossdock.edi import validate
from crossdock.edi.partners import load_partner_profile
from crossdock.settings import load_settings
from crossdock.store import DocRef, DocType, Store
from tests.conftest import ROOT
from tests.fixtures.erp_sim import ErpSimServer, erp_gateway
from tests.fixtures.marketplace import WEBHOOK_SECRET, RunningSim

pytestmark = pytest.mark.integration

SIM_SKUS = {"WIDGET-RED": "ITEM-1", "WIDGET-BLUE": "ITEM-2", "GADGET-XL": "ITEM-3", "MUG-11OZ": "ITEM-5",
            "TEE-M-BLK": "ITEM-2"}  # fmt: skip


@pytest.fixture
def db_backend() -> str:
    return "sqlite"


@pytest.fixture
def flows(store: Store, erp: ErpSimServer, tmp_path: Path) -> Iterator[EmbeddedFlows]:
    profiles = ROOT / "examples" / "partners"
    threepl = load_partner_profile((profiles / "northstar-3pl.yaml").read_bytes())
    partners = (TradingPartner(threepl, FolderOutbound(tmp_path / "out", threepl.name), erp_location_code="MAIN"),)
    ports = FlowPorts(store, erp_gateway(erp), partners, threepl.name, "COL1", SIM_SKUS, {"shopify": "C10000"})
    with EmbeddedFlows(load_settings(environ={"CROSSDOCK_DATA_DIR": str(tmp_path)}), ports) as running:
        yield running


def fire(sim: RunningSim, url: str, **options: object) -> list[int]:
    body = {"url": url + "/webhooks/shopify", "secret": WEBHOOK_SECRET, **options}
    response = sim.control.post("/_sim/webhooks", json=body)
    response.raise_for_status()
    return [int(d["status"]) for d in response.json()["deliveries"]]


def test_a_shopify_order_webhook_books_the_erp_order_and_sends_the_940(
    marketplace_sim: RunningSim, flows: EmbeddedFlows, erp: ErpSimServer, store: Store, tmp_path: Path
) -> None:
    # Given the receiver wired to the store-backed sink
    app = create_receiver(flows.webhook_sink, WEBHOOK_SECRET.encode(), tolerance_s=300)
    with ServerThread(app) as receiver:
        assert fire(marketplace_sim, receiver.url, webhook_id="wh-1") == [200]
    # And the marketplace retries the same delivery after the receiver restarted (its memory is gone)
    with ServerThread(create_receiver(flows.webhook_sink, WEBHOOK_SECRET.encode(), tolerance_s=300)) as receiver:
        assert fire(marketplace_sim, receiver.url, webhook_id="wh-1") == [200]
    flows.settle()
    # Then the order was booked once and sent to the 3PL once
    order_id = str(marketplace_sim.state.shopify[0]["id"])
    assert erp.calls().get("CreateSalesOrder") == 1
    linked = store.links.connected(DocRef(DocType.MARKETPLACE_ORDER, order_id))
    assert len(linked.ids(DocType.ERP_ORDER)) == 1
    [order_940] = sorted((tmp_path / "out").iterdir())
    data = order_940.read_bytes()
    assert f"W05*N*{order_id}*{order_id}".encode() in data
    assert validate.validate(data).valid
    assert store.exceptions.items() == []
