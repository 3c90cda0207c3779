"""An ERP maintenance window on real servers: the ERP simulator answers 503 while 200 orders arrive on
RabbitMQ, processed by a real ``crossdock worker`` (two worker processes) on PostgreSQL; then the ERP
comes back. The orders wait (their retries untouched) instead of being dead-lettered, and each one is
booked in the ERP exactly once.

The outage is kept short through the configuration (a breaker cool-down of 1.5 s and 3 retries with
sub-second backoff, so that without the wait every order would be dead-lettered within seconds); the
outage window keeps its 12 h default.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from crossdock.actors.flow_config import load_flow_config
from crossdock.actors.steps import sender
from crossdock.actors.wiring import build_flow_broker, build_ports
from crossdock.canonical import Envelope, Order
from crossdock.canonical.envelope import idempotency_key
from crossdock.settings import load_settings
from crossdock.store import DocRef, DocType, HopStatus, Store
from tests.conftest import ROOT
from tests.fixtures.erp_sim import ErpSimServer
from tests.fixtures.rabbitmq import Vhost, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ORDERS = 200
OUTAGE_S = 8.0
CROSSDOCK = Path(sys.executable).with_name("crossdock")
EXAMPLES = ROOT / "examples"


@pytest.fixture
def db_backend() -> str:
    return "postgresql"


@pytest.fixture
def erp_with_file(tmp_path: Path) -> Iterator[tuple[ErpSimServer, Path]]:
    """A simulator of the test's own whose database is a file the test reads its sales orders from."""
    database = tmp_path / "erp-sim.db"
    server = ErpSimServer("--database", str(database)).start()
    try:
        yield server, database
    finally:
        server.stop()


def write_site(tmp_path: Path, erp: ErpSimServer) -> Path:
    site = tmp_path / "partners"
    site.mkdir()
    flows = {
        "warehouse_partner": "northstar-3pl",
        "warehouse_code": "COL1",
        "channel_customers": {"shopify": "C10000"},
        "erp": {"endpoint": erp.endpoint, "read_timeout_s": 10, "breaker_failures": 3, "breaker_cooldown_s": 1.5,
                "max_calls_per_s": 40},
        "partners": [
            {"edi": str(EXAMPLES / "partners" / "acme-retail.yaml"), "outbound_folder": str(tmp_path / "out-acme"),
             "erp_customer_no": "C30000"},
            {"edi": str(EXAMPLES / "partners" / "northstar-3pl.yaml"),
             "outbound_folder": str(tmp_path / "out-3pl"), "erp_location_code": "MAIN"},
        ],
    }  # fmt: skip
    (site / "flows.yaml").write_text(yaml.safe_dump(flows))
    return site


def order(n: int) -> tuple[Envelope, Order]:
    external_id = f"MW-{n:04d}"
    document = Order.model_validate(
        {
            "channel": "shopify",
            "external_id": external_id,
            "ordered_at": "2026-11-20T14:30:00+00:00",
            "references": {"erp_customer_no": "C10000"},
            "shipping_method": {"carrier": "ups", "service_level": "ground"},
            "parties": [
                {
                    "role": "ship_to",
                    "name": "Ann Example",
                    "address": {"lines": ["12 Main St"], "city": "Austin", "region": "TX", "postal_code": "78701",
                                "country": "US"},
                }
            ],
            "lines": [{"line_number": "1", "sku": "ITEM-1", "quantity": 1, "unit_price": "10.00"}],
        }
    )  # fmt: skip
    key = idempotency_key("shopify", "order", external_id)
    return Envelope(idempotency_key=key, source="shopify", document_type="order"), document


def erp_orders(database: Path) -> list[str]:
    """The external document numbers of the simulator's sales orders."""
    with contextlib.closing(sqlite3.connect(database, timeout=10)) as db:
        return [row[0] for row in db.execute("SELECT external_document_no FROM sales_order")]


def statuses(store: Store, actor: str) -> list[HopStatus]:
    return [h.status for h in store.journal.recent(actor=actor, limit=100_000)]


def test_orders_wait_out_an_erp_outage_and_are_booked_once_each(
    rabbitmq_vhost: Vhost, migrated_db_url: str, erp_with_file: tuple[ErpSimServer, Path], tmp_path: Path
) -> None:
    erp, erp_db = erp_with_file
    site = write_site(tmp_path, erp)
    env = {
        "CROSSDOCK_BROKER_URL": rabbitmq_vhost.amqp_url,
        "CROSSDOCK_DATABASE_URL": migrated_db_url,
        "CROSSDOCK_CONFIG_DIR": str(site),
        "CROSSDOCK_DATA_DIR": str(tmp_path),
        "CROSSDOCK_MAX_RETRIES": "3",
        "CROSSDOCK_MIN_BACKOFF_MS": "200",
        "CROSSDOCK_MAX_BACKOFF_MS": "1000",
    }
    store = Store.from_url(migrated_db_url)
    ports = build_ports(load_flow_config(site / "flows.yaml"), store, marketplaces={})
    producer = build_flow_broker(load_settings(environ=env), ports)
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [str(CROSSDOCK), "worker", "--processes", "2", "--threads", "4", "--shutdown-timeout", "5"],
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    try:
        # Given the ERP in a maintenance window (503 to every call) and a worker consuming
        erp.control("*", http_status=503)
        wait_for(lambda: rabbitmq_vhost.queue_counts("erp")[1] == 2, 90, message=f"the worker: {log.read_text()}")

        # When 200 orders arrive during the outage
        started = time.monotonic()
        expected = []
        for n in range(ORDERS):
            envelope, document = order(n)
            sender(producer)("orders.to_erp", envelope, document)
            expected.append(document.external_id)
        time.sleep(max(OUTAGE_S - (time.monotonic() - started), 0))

        # Then nothing is booked and nothing is dead-lettered while the ERP is down: the orders wait
        assert erp_orders(erp_db) == []
        assert rabbitmq_vhost.queue_counts("erp.XQ")[0] == 0
        assert HopStatus.DEAD_LETTERED not in statuses(store, "orders.to_erp")
        waits = [h for h in store.journal.recent(actor="orders.to_erp", limit=100_000) if h.status is HopStatus.RETRIED]
        assert sum("circuit is open" in (h.error_message or "") for h in waits) >= ORDERS

        # When the ERP answers again
        erp.reset()

        # Then every order is booked exactly once, and none is dead-lettered
        wait_for(lambda: len(erp_orders(erp_db)) >= ORDERS, 300, interval=1.0,
                 message=f"{ORDERS} ERP orders (worker {worker.poll()}): {log.read_text()[-3000:]}")  # fmt: skip
        wait_for(lambda: statuses(store, "orders.to_erp").count(HopStatus.SUCCEEDED) >= ORDERS, 60,
                 message="every orders.to_erp hop journaled")  # fmt: skip
        booked = erp_orders(erp_db)
        assert sorted(booked) == sorted(expected)  # each once: no order missing, none twice
        assert not {HopStatus.DEAD_LETTERED, HopStatus.PARKED} & set(statuses(store, "orders.to_erp"))
        for queue in ("erp.XQ", "edi.outbound.XQ"):
            assert rabbitmq_vhost.queue_counts(queue)[0] == 0, queue
        for external_id in expected:
            linked = store.links.connected(DocRef(DocType.MARKETPLACE_ORDER, external_id))
            assert len(linked.ids(DocType.ERP_ORDER)) == 1, external_id
        assert worker.poll() is None
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(10)
        with contextlib.suppress(Exception):
            producer.close()
        ports.close()
        store.close()
