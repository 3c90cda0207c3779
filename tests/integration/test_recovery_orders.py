"""Recovery an operator can trust, on real RabbitMQ + PostgreSQL with a worker process and the ERP
simulator: 25 Shopify orders parked at ``orders.to_erp``.

- replay: replayed before the cause is fixed, every item stays open with the attempt in its history
  (no order is lost); after the fix (the item map, in flows.yaml) and a replay, 25 ERP orders, 25 940s
  and 25 items resolved by the hop that succeeded; replaying again books nothing twice.
- reprocess: the cause is upstream of the parked step (no ERP customer for the channel: the mapped
  order carries none), so a replay cannot help; after the fix, ``crossdock reprocess`` runs the stored
  webhook bodies from the first step again: 25 ERP orders, 25 940s, 25 resolved items; reprocessing a
  payload again still makes one ERP order and one 940.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from crossdock.actors.intake import MARKETPLACE_INBOUND, inbound_message
from crossdock.bridges.rest.sim.seed import shopify_orders
from crossdock.broker import codec
from crossdock.broker.lanes import Lane
from crossdock.broker.republish import republisher
from crossdock.canonical.marketplaces import order_to_canonical
from crossdock.cli import app
from crossdock.store import AttemptKind, DocRef, DocType, ItemFilter, ItemStatus, Store, WorkItem
from tests.conftest import ROOT
from tests.fixtures.erp_sim import ErpSimServer, erp_gateway
from tests.fixtures.rabbitmq import Vhost, WorkerProcesses, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ORDERS = 25
ITEM_MAP = {"WIDGET-RED": "ITEM-1", "WIDGET-BLUE": "ITEM-2", "GADGET-XL": "ITEM-1", "MUG-11OZ": "ITEM-3",
            "TEE-M-BLK": "ITEM-2"}  # fmt: skip
"""The simulated shop's SKUs as the ERP simulator's items."""
PARTNERS = ROOT / "examples" / "partners"


@pytest.fixture
def db_backend() -> str:
    return "postgresql"


@dataclass
class Site:
    """A site as an operator runs it: flows.yaml, a worker process, the store, the ERP simulator."""

    root: Path
    env: dict[str, str]
    store: Store
    workers: WorkerProcesses
    erp: ErpSimServer
    vhost: Vhost
    worker: Any = None

    @property
    def outbound_940(self) -> Path:
        return self.root / "out" / "northstar-3pl"

    def configure(self, *, item_map: dict[str, str], channel_customers: dict[str, str]) -> None:
        """Write flows.yaml and (re)start the worker: the worker reads its configuration at boot."""
        flows = {
            "warehouse_partner": "northstar-3pl",
            "warehouse_code": "COL1",
            "item_map": item_map,
            "channel_customers": channel_customers,
            "erp": {"endpoint": self.erp.endpoint, "read_timeout_s": 10},
            "partners": [
                {"edi": str(PARTNERS / "northstar-3pl.yaml"), "outbound_folder": str(self.outbound_940),
                 "erp_location_code": "MAIN"},
                {"edi": str(PARTNERS / "acme-retail.yaml"), "outbound_folder": str(self.root / "out" / "acme"),
                 "erp_customer_no": "C30000"},
            ],
        }  # fmt: skip
        (self.root / "flows.yaml").write_text(yaml.safe_dump(flows))
        if self.worker is not None:
            self.workers.stop(self.worker)
        self.worker = self.workers.start("crossdock.actors.wiring:boot", self.env, threads=4)
        wait_for(lambda: self.vhost.queue_counts(Lane.ORDERS.value)[1] > 0, 60, message=f"the worker:\n{self.logs()}")

    def cli(self, *args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, list(args), env=self.env)
        return result.exit_code, result.output

    def receive(self, bodies: list[dict[str, Any]]) -> list[int]:
        """Store each webhook body as the receiver does and send its first message; returns payload ids."""
        ids = []
        with republisher(self.env["CROSSDOCK_BROKER_URL"]) as publisher:
            for body in bodies:
                ref = self.store.raw.put_once(
                    json.dumps(body).encode(), source="webhook:shopify", name=f"delivery-{body['id']}",
                    content_type="application/json",
                )  # fmt: skip
                envelope, document = inbound_message(ref, ref.source)
                publisher.send(
                    queue=Lane.ORDERS.value, actor=MARKETPLACE_INBOUND, payload=codec.encode(envelope, document)
                )
                self.store.raw.mark_accepted(ref.id)
                ids.append(ref.id)
        return ids

    def items(self, status: ItemStatus | None = None) -> list[WorkItem]:
        return self.store.exceptions.find(ItemFilter(status=status))

    def parked_twice(self) -> bool:
        items = [self.store.exceptions.get(i.id) for i in self.items(ItemStatus.OPEN)]
        return len(items) == ORDERS and all(sum(a.kind is AttemptKind.PARKED for a in i.attempts) == 2 for i in items)

    def erp_orders(self, bodies: list[dict[str, Any]]) -> dict[str, list[str]]:
        """Marketplace order id → the ERP orders found for it (the ERP, and crossdock's links)."""
        gateway = erp_gateway(self.erp)
        found: dict[str, list[str]] = {}
        for body in bodies:
            order = order_to_canonical("shopify", body)
            in_erp = gateway.find_sales_order(order)
            linked = self.store.links.connected(DocRef(DocType.MARKETPLACE_ORDER, order.external_id))
            found[order.external_id] = sorted(
                {*linked.ids(DocType.ERP_ORDER), *([in_erp.document_no] if in_erp else [])}
            )
        return found

    def files_940(self) -> list[Path]:
        if not self.outbound_940.exists():
            return []
        return [p for p in self.outbound_940.iterdir() if not p.name.startswith(".")]

    def logs(self) -> str:
        return self.workers.logs()[-3000:]


@pytest.fixture
def site(
    rabbitmq_vhost: Vhost, migrated_db_url: str, worker_processes: WorkerProcesses, erp: ErpSimServer, tmp_path: Path
) -> Iterator[Site]:
    env = {
        "CROSSDOCK_BROKER_URL": rabbitmq_vhost.amqp_url,
        "CROSSDOCK_DATABASE_URL": migrated_db_url,
        "CROSSDOCK_CONFIG_DIR": str(tmp_path),
        "CROSSDOCK_DATA_DIR": str(tmp_path),
        "CROSSDOCK_MAX_RETRIES": "2",
        "CROSSDOCK_MIN_BACKOFF_MS": "100",
        "CROSSDOCK_MAX_BACKOFF_MS": "400",
    }
    store = Store.from_url(migrated_db_url)
    running = Site(tmp_path, env, store, worker_processes, erp, rabbitmq_vhost)
    try:
        yield running
    finally:
        worker_processes.stop_all()
        store.close()


def test_replay_keeps_items_open_until_the_step_succeeds_then_books_each_order_once(site: Site) -> None:
    # Given 25 orders whose items the ERP does not know under the shop's SKUs (no item map yet)
    bodies = shopify_orders(ORDERS, seed=91)
    site.configure(item_map={}, channel_customers={"shopify": "C10000"})
    site.receive(bodies)
    wait_for(lambda: len(site.items(ItemStatus.OPEN)) == ORDERS, 120, message=f"25 parked orders:\n{site.logs()}")
    assert {(i.actor, i.code, i.channel, i.owner.value) for i in site.items()} == {
        ("orders.to_erp", "ITEM_NOT_FOUND", "shopify", "warehouse")
    }

    # When the operator selects them with filters, nothing happens without --yes; --dry-run changes nothing
    code, out = site.cli("exceptions", "replay", "--step", "orders.to_erp", "--code", "ITEM_NOT_FOUND")
    assert code == 1 and "25 items match" in out, out
    code, out = site.cli("exceptions", "replay", "--step", "orders.to_erp", "--dry-run", "--json")
    assert code == 0 and len(json.loads(out[out.index("[") :])) == ORDERS, out

    # When they are replayed before the cause is fixed
    code, out = site.cli("exceptions", "replay", "--step", "orders.to_erp", "--yes", "--user", "ops-anna", "--json")
    assert code == 0, out
    assert len(json.loads(out)["replayed"]) == ORDERS

    # Then every order parks again into its own still-open item, the attempt in its history
    wait_for(site.parked_twice, 120, message=f"25 re-parked replays:\n{site.logs()}")
    assert len(site.items(ItemStatus.OPEN)) == ORDERS and site.items(ItemStatus.RESOLVED) == []
    history = [a.kind for a in site.store.exceptions.get(site.items()[0].id).attempts]
    assert history == [AttemptKind.PARKED, AttemptKind.REPLAY, AttemptKind.PARKED]
    assert all(ids == [] for ids in site.erp_orders(bodies).values())

    # When the item map is fixed and the items replayed
    site.configure(item_map=ITEM_MAP, channel_customers={"shopify": "C10000"})
    code, out = site.cli("exceptions", "replay", "--code", "ITEM_NOT_FOUND", "--yes", "--user", "wh-lead",
                         "--note", "SKUs mapped")  # fmt: skip
    assert code == 0, out

    # Then each order is booked once and sent once, and each item resolved by the hop that succeeded
    wait_for(lambda: len(site.items(ItemStatus.RESOLVED)) == ORDERS, 120, message=f"25 resolved:\n{site.logs()}")
    wait_for(lambda: len(site.files_940()) == ORDERS, 60, message=f"25 940s:\n{site.logs()}")
    booked = site.erp_orders(bodies)
    assert all(len(ids) == 1 for ids in booked.values()), booked
    assert len({ids[0] for ids in booked.values()}) == ORDERS
    resolved = [site.store.exceptions.get(i.id) for i in site.items(ItemStatus.RESOLVED)]
    assert {(i.resolved_by, i.notes[-1].text, i.attempts[-1].kind) for i in resolved} == {
        ("wh-lead", "SKUs mapped", AttemptKind.SUCCEEDED)
    }
    assert site.items(ItemStatus.OPEN) == []

    # And a resolved item is not replayed again without --force; forced, it books nothing twice
    code, out = site.cli("exceptions", "replay", str(resolved[0].id))
    assert code == 1 and "is resolved" in out
    code, out = site.cli("exceptions", "resolve", str(resolved[0].id), "--note", "again")
    assert code == 1 and "already resolved" in out
    code, out = site.cli("exceptions", "replay", "--status", "resolved", "--force", "--yes")
    assert code == 0, out
    wait_for(lambda: sum(h.status.value == "duplicate" for h in site.store.journal.recent(actor="orders.to_erp",
             limit=1000)) == ORDERS, 60, message="the forced replays skipped as duplicates")  # fmt: skip
    assert site.erp_orders(bodies) == booked and len(site.files_940()) == ORDERS


def test_reprocess_runs_the_stored_payload_from_the_first_step_after_an_upstream_fix(site: Site) -> None:
    # Given 25 orders of a channel with no ERP customer configured: the mapped orders carry none
    bodies = shopify_orders(ORDERS, seed=92, first_id=5_200_000_001)
    site.configure(item_map=ITEM_MAP, channel_customers={})
    payloads = site.receive(bodies)
    wait_for(lambda: len(site.items(ItemStatus.OPEN)) == ORDERS, 120, message=f"25 parked orders:\n{site.logs()}")
    assert {(i.actor, i.code) for i in site.items()} == {("orders.to_erp", "MappingError")}

    # When the customer is configured, replaying the parked (already mapped) orders cannot help
    site.configure(item_map=ITEM_MAP, channel_customers={"shopify": "C10000"})
    code, out = site.cli("exceptions", "replay", "--channel", "shopify", "--yes")
    assert code == 0, out
    wait_for(site.parked_twice, 120, message=f"25 re-parked replays:\n{site.logs()}")

    # But reprocessing the stored webhook bodies from the first step books each order once
    code, out = site.cli("reprocess", "--step", "orders.to_erp", "--yes", "--user", "ops-bo", "--note",
                         "shopify customer set", "--json")  # fmt: skip
    assert code == 0, out
    done = json.loads(out)["reprocessed"]
    assert sorted(d["raw_payload_id"] for d in done) == sorted(payloads)
    assert all(d["step"] == "marketplace.inbound" and ":reprocess:" in d["idempotency_key"] for d in done)
    wait_for(lambda: len(site.items(ItemStatus.RESOLVED)) == ORDERS, 120, message=f"25 resolved:\n{site.logs()}")
    wait_for(lambda: len(site.files_940()) == ORDERS, 60, message=f"25 940s:\n{site.logs()}")
    booked = site.erp_orders(bodies)
    assert all(len(ids) == 1 for ids in booked.values()), booked
    assert {i.resolved_by for i in site.items(ItemStatus.RESOLVED)} == {"ops-bo"}
    audit = site.store.audit.entries(action="reprocess", limit=100)
    assert sorted(e.target for e in audit) == sorted(f"raw:{p}" for p in payloads)

    # And reprocessing a payload again is a new attempt that still books one ERP order and sends one 940
    code, out = site.cli("reprocess", "--raw", str(payloads[0]), "--json")
    assert code == 0, out
    [again] = json.loads(out)["reprocessed"]

    def first_step_done() -> bool:
        return any(h.status.value == "succeeded" for h in site.store.journal.hops(again["message_id"]))

    wait_for(first_step_done, 60, message="the second reprocess's first step")
    wait_for(lambda: any(h.status.value == "duplicate" for h in site.store.journal.recent(actor="orders.to_erp",
             limit=1000)), 60, message="the booked order skipped as a duplicate")  # fmt: skip
    assert site.erp_orders(bodies) == booked and len(site.files_940()) == ORDERS
