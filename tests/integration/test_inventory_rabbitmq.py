"""The inventory flow on real servers: RabbitMQ, PostgreSQL, a ``dramatiq`` worker process booted from
settings (``crossdock.actors.wiring:boot``), the marketplace simulator (Shopify, Walmart, Amazon) and the
ERP simulator. A 3PL's 846 goes in through ``edi.inbound`` (997 back), an order's reservations and an
ERP pull follow; each change reaches the three marketplaces through the real adapters, only when a
quantity changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from crossdock.actors.flow_config import load_flow_config
from crossdock.actors.intake import inbound_message
from crossdock.actors.inventory_pull import pull
from crossdock.actors.steps import publish, sender
from crossdock.actors.wiring import build_flow_broker, build_ports
from crossdock.canonical import Envelope
from crossdock.canonical.inventory import InventoryChange, StockReservation
from crossdock.cli import app as cli_app
from crossdock.settings import load_settings
from crossdock.store import Store
from tests.conftest import ROOT
from tests.fixtures.erp_sim import ErpSimServer
from tests.fixtures.marketplace import TOKEN_HEADERS, RunningSim
from tests.fixtures.rabbitmq import Vhost, WorkerProcesses, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EXAMPLES = ROOT / "examples"
ITEMS = {"CD-TEE-BLK-M": 1001, "CD-HOOD-GRY-L": 1002, "CD-SOCK-6PK": 1003}
TOKENS = {"CROSSDOCK_TEST_SHOPIFY": TOKEN_HEADERS["shopify"]["X-Shopify-Access-Token"],
          "CROSSDOCK_TEST_WALMART": TOKEN_HEADERS["walmart"]["WM_SEC.ACCESS_TOKEN"],
          "CROSSDOCK_TEST_AMAZON": TOKEN_HEADERS["amazon"]["x-amz-access-token"]}  # fmt: skip


@pytest.fixture
def db_backend() -> str:
    return "postgresql"


def write_site(tmp_path: Path, sim: RunningSim, erp: ErpSimServer) -> Path:
    site = tmp_path / "partners"
    site.mkdir()
    flows: dict[str, Any] = {
        "warehouse_partner": "northstar-3pl",
        "warehouse_code": "COL1",
        "item_map": {"CD-TEE-BLK-M": "ITEM-1", "CD-HOOD-GRY-L": "ITEM-2", "CD-SOCK-6PK": "ITEM-3"},
        "erp": {"endpoint": erp.endpoint, "read_timeout_s": 10},
        "partners": [
            {"edi": str(EXAMPLES / "partners" / "acme-retail.yaml"), "outbound_folder": str(tmp_path / "out" / "acme"),
             "erp_customer_no": "C30000"},
            {"edi": str(EXAMPLES / "partners" / "northstar-3pl.yaml"),
             "outbound_folder": str(tmp_path / "out" / "3pl"), "erp_location_code": "MAIN"},
        ],
        "marketplaces": {
            "shopify": {"base_url": sim.url, "token_env": "CROSSDOCK_TEST_SHOPIFY", "timeout_s": 5},
            "walmart": {"base_url": sim.url, "token_env": "CROSSDOCK_TEST_WALMART", "timeout_s": 5},
            "amazon": {"base_url": sim.url, "token_env": "CROSSDOCK_TEST_AMAZON", "timeout_s": 5,
                       "marketplace_id": "ATVPDKIKX0DER"},
        },
        "inventory": {
            "location": "MAIN",
            "channels": {"shopify": {"share": 1.0}, "walmart": {"share": 0.5}, "amazon": {"fixed": 5}},
            "push": {"shopify": {"location_id": 655441491, "item_ids": ITEMS}, "walmart": {},
                     "amazon": {"seller_id": "A2EUQ1WTGCTBG2"}},
        },
    }  # fmt: skip
    (site / "flows.yaml").write_text(yaml.safe_dump(flows))
    return site


def shown(sim: RunningSim) -> dict[str, dict[str, int]]:
    """What each marketplace shows now, by our SKU, read from the simulator's record of calls."""
    by_item = {str(item): sku for sku, item in ITEMS.items()}
    out: dict[str, dict[str, int]] = {"shopify": {}, "walmart": {}, "amazon": {}}
    for entry in sim.received("shopify.inventory_levels"):
        out["shopify"][by_item[str(entry["body"]["inventory_item_id"])]] = entry["body"]["available"]
    for entry in sim.received("walmart.inventory"):
        out["walmart"][entry["sku"]] = entry["body"]["quantity"]["amount"]
    for entry in sim.received("amazon.listings"):
        out["amazon"][entry["sku"]] = entry["quantity"]
    return out


def calls(sim: RunningSim) -> int:
    return sum(len(sim.received(kind)) for kind in ("shopify.inventory_levels", "walmart.inventory", "amazon.listings"))


@pytest.fixture
def site(
    tmp_path: Path, marketplace_sim: RunningSim, erp: ErpSimServer, migrated_db_url: str, rabbitmq_vhost: Vhost
) -> Iterator[tuple[Path, dict[str, str]]]:
    path = write_site(tmp_path, marketplace_sim, erp)
    env = {"CROSSDOCK_BROKER_URL": rabbitmq_vhost.amqp_url, "CROSSDOCK_DATABASE_URL": migrated_db_url,
           "CROSSDOCK_CONFIG_DIR": str(path), "CROSSDOCK_DATA_DIR": str(tmp_path), "CROSSDOCK_MAX_RETRIES": "3",
           "CROSSDOCK_MIN_BACKOFF_MS": "100", "CROSSDOCK_MAX_BACKOFF_MS": "400", **TOKENS}  # fmt: skip
    yield path, env


def test_846_reservations_and_erp_pull_reach_three_marketplaces_only_when_changed(
    site: tuple[Path, dict[str, str]],
    marketplace_sim: RunningSim,
    worker_processes: WorkerProcesses,
    migrated_db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rabbitmq_vhost: Vhost,
) -> None:
    path, env = site
    for name, value in TOKENS.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(environ=env)
    config = load_flow_config(path / "flows.yaml")
    store = Store.from_url(migrated_db_url)
    ports = build_ports(config, store, marketplaces={})
    broker = build_flow_broker(settings, ports)
    worker = worker_processes.start("crossdock.actors.wiring:boot", env, threads=2)

    def progress() -> str:
        hops = [(h.actor, h.status.value) for h in store.journal.recent(limit=50)]
        (tmp_path / "worker.log").write_text(worker_processes.logs())
        queued = rabbitmq_vhost.queue_counts("inventory")
        return f"shown {shown(marketplace_sim)}; hops {hops}; queued {queued}; worker {worker.poll()}: {tmp_path}"
    try:
        # Given the 3PL's 846: 120 tees, 40 hoodies, 36 socks at MAIN
        data = (EXAMPLES / "846_from_3pl.x12").read_bytes()
        ref = store.raw.put_once(data, source="sftp:northstar-3pl", name="846.x12")
        sender(broker)("edi.inbound", *inbound_message(ref, "sftp:northstar-3pl"))
        expected = {"shopify": {"CD-TEE-BLK-M": 115, "CD-HOOD-GRY-L": 35, "CD-SOCK-6PK": 31},
                    "walmart": {"CD-TEE-BLK-M": 57, "CD-HOOD-GRY-L": 17, "CD-SOCK-6PK": 15},
                    "amazon": {"CD-TEE-BLK-M": 5, "CD-HOOD-GRY-L": 5, "CD-SOCK-6PK": 5}}  # fmt: skip
        wait_for(lambda: shown(marketplace_sim) == expected, 120, message=f"the 846's quantities, {progress()}")
        assert calls(marketplace_sim) == 9
        [ack] = sorted((tmp_path / "out" / "3pl").iterdir())
        assert b"AK2*846*0001" in ack.read_bytes()
        # When the same levels come again (an older ERP figure and a repeat), nothing is pushed
        repeat = InventoryChange(source="test", levels=[])
        older = InventoryChange.model_validate({"source": "erp", "levels": [
            {"sku": "CD-TEE-BLK-M", "location": "MAIN", "on_hand": 999, "available": 999,
             "as_of": "2026-11-30T00:00:00Z"}]})  # fmt: skip
        for number, change in enumerate((repeat, older)):
            publish(broker, "inventory.apply", Envelope(idempotency_key=f"again-{number}", source="test",
                                                        document_type="inventory_change"), change)  # fmt: skip
        # And an order reserves 10 tees: only the tee's quantities change
        reserved = InventoryChange(source="order:edi:PO-1", reservations=[StockReservation(
            order_ref="edi:PO-1", line="1", sku="CD-TEE-BLK-M", location="MAIN", quantity=10,
            as_of=datetime.now(UTC))])  # fmt: skip
        publish(broker, "inventory.apply", Envelope(idempotency_key="reserve-1", source="test",
                                                    document_type="inventory_change"), reserved)  # fmt: skip
        wait_for(lambda: shown(marketplace_sim)["shopify"]["CD-TEE-BLK-M"] == 105, 30,
                 message=f"the reservation, {progress()}")  # fmt: skip
        wait_for(lambda: calls(marketplace_sim) == 11, 10, message=f"walmart's tee, {progress()}")  # fmt: skip
        assert shown(marketplace_sim)["walmart"]["CD-TEE-BLK-M"] == 52
        # When the ERP is pulled (newer figures: tees also at EAST, 300 cushions... as ERP items)
        assert "levels from the ERP" in pull(settings, config)
        wait_for(lambda: shown(marketplace_sim)["shopify"].get("CD-HOOD-GRY-L") == 295, 30,
                 message=f"the pull, {progress()}")  # fmt: skip
        wait_for(lambda: shown(marketplace_sim)["amazon"]["CD-TEE-BLK-M"] == 10, 30, message="EAST's fixed 5")
        wait_for(lambda: store.inventory.lag_seconds() == 0.0, 30, message=f"nothing owed, {progress()}")
        states = {(s.channel, s.sku): s for s in store.inventory.channel_states()}
        assert all(s.told == s.computed for s in states.values())
        assert states[("shopify", "CD-TEE-BLK-M")].told == 115  # MAIN 120 - 10 reserved - 5 fixed; EAST 15 - 5
        assert states[("walmart", "ITEM-5")].told == 27  # an ERP item with no SKU of ours: (60 - 5 fixed) / 2
        # The operator's view: the SKU's inputs, reservations and what each channel was told
        cli_env = {**env, **TOKENS}
        shown_sku = CliRunner().invoke(cli_app, ["inventory", "show", "CD-TEE-BLK-M", "--json"], env=cli_env)
        assert shown_sku.exit_code == 0, shown_sku.output
        report = json.loads(shown_sku.output)
        assert {row["location"]: row["on_hand"] for row in report["stock"]} == {"MAIN": 120, "EAST": 15}
        assert report["reservations"][0]["quantity"] == 10
        assert report["available_to_sell"] == {"shopify": 115, "walmart": 57, "amazon": 10}
        # And drift: none, until Walmart shows another figure behind crossdock's back
        clean = CliRunner().invoke(cli_app, ["inventory", "drift", "--json"], env=cli_env)
        assert clean.exit_code == 0 and json.loads(clean.output)["differences"] == 0, clean.output
        marketplace_sim.control.post("/_sim/inventory", json={"channel": "walmart", "item": "CD-SOCK-6PK",
                                                              "quantity": 3}).raise_for_status()  # fmt: skip
        drifted = CliRunner().invoke(cli_app, ["inventory", "drift", "--json"], env=cli_env)
        assert drifted.exit_code == 1, drifted.output
        assert json.loads(drifted.output)["channels"]["walmart"]["differences"] == [
            {"sku": "CD-SOCK-6PK", "computed": 21, "told": 21, "shown": 3}]  # fmt: skip
    finally:
        broker.close()
        ports.close()
        store.close()
