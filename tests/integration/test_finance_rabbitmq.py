"""Settlement posting through the ``settlements.post`` actor: ``crossdock settle import`` with RabbitMQ
configured queues the posting on the settlements lane, a real ``dramatiq`` worker process posts it to
the ERP simulator over SOAP, the store on PostgreSQL; a redelivered message posts nothing more."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from crossdock.actors.flow_config import load_flow_config
from crossdock.actors.graph import SETTLEMENTS_POST
from crossdock.actors.handlers.settlements import post_message
from crossdock.actors.steps import sender
from crossdock.actors.wiring import build_flow_broker, build_ports
from crossdock.canonical import Channel, SettlementSummary
from crossdock.canonical.finance import OrderRecord
from crossdock.settings import load_settings
from crossdock.store import DocRef, DocType, HopStatus, Store
from tests.conftest import ROOT
from tests.fixtures.erp_sim import ErpSimServer
from tests.fixtures.rabbitmq import Vhost, WorkerProcesses, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DATA = ROOT / "tests" / "data" / "settlements"
A, B = "111-0000001-0000001", "111-0000002-0000002"


@pytest.fixture
def db_backend() -> str:
    return "postgresql"


@pytest.fixture
def erp_db(tmp_path: Path) -> Iterator[tuple[ErpSimServer, Path]]:
    path = tmp_path / "erp.db"
    server = ErpSimServer(database=path).start()
    try:
        yield server, path
    finally:
        server.stop()


def journals(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as db:
        return list(db.execute("SELECT document_no, external_document_no FROM posted_document WHERE kind = 'journal'"))


def test_settlement_posted_by_a_worker_once(
    rabbitmq_vhost: Vhost, worker_processes: WorkerProcesses, erp_db: tuple[ErpSimServer, Path], store: Store,
    migrated_db_url: str, tmp_path: Path,
) -> None:  # fmt: skip
    server, erp_path = erp_db
    site = tmp_path / "partners"
    site.mkdir()
    flows = {
        "warehouse_partner": "northstar-3pl",
        "erp": {"endpoint": server.endpoint, "read_timeout_s": 10},
        "partners": [{"edi": str(ROOT / "examples" / "partners" / "northstar-3pl.yaml"),
                      "outbound_folder": str(tmp_path / "out")}],
    }  # fmt: skip
    (site / "flows.yaml").write_text(yaml.safe_dump(flows))
    env = {
        "CROSSDOCK_BROKER_URL": rabbitmq_vhost.amqp_url, "CROSSDOCK_DATABASE_URL": migrated_db_url,
        "CROSSDOCK_CONFIG_DIR": str(site), "CROSSDOCK_DATA_DIR": str(tmp_path),
    }  # fmt: skip
    for order, principal in ((A, "40.00"), (B, "60.00")):
        store.links.link(DocRef(DocType.MARKETPLACE_ORDER, order), DocRef(DocType.CHANNEL_ORDER, f"amazon:{order}"))
        store.settlements.record_order(OrderRecord("amazon", order, "USD", Decimal(principal)))
    # Given the settlement is imported with RabbitMQ configured: its posting is queued
    done = subprocess.run(
        [sys.executable, "-m", "crossdock", "settle", "import", str(DATA / "amazon_v2.tsv"), "--channel", "amazon"],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "settlement 12345678901: queued for posting" in done.stdout
    assert journals(erp_path) == []
    # When a worker consumes the settlements lane, the journal entry reaches the ERP
    worker = worker_processes.start("crossdock.actors.wiring:boot", env, threads=1, queues=("settlements",))
    try:
        wait_for(lambda: len(journals(erp_path)) == 1, 90,
                 message=f"the journal entry in the ERP:\n{worker_processes.logs()[-3000:]}")  # fmt: skip
        [posting] = store.settlements.postings("amazon", "12345678901")
        assert journals(erp_path) == [(posting.document_no, posting.reference)] and posting.line_count == 15
        # When the same posting message is delivered again
        ports = build_ports(load_flow_config(site / "flows.yaml"), store)
        broker = build_flow_broker(load_settings(environ=env), ports)
        envelope, document = post_message(SettlementSummary(
            channel=Channel.AMAZON, settlement_id="12345678901", currency="USD", total_amount=Decimal("35.31"),
        ))  # fmt: skip
        sender(broker)(SETTLEMENTS_POST.name, envelope, document)
        broker.close()

        def handled() -> bool:
            return any(
                h.status in (HopStatus.SUCCEEDED, HopStatus.DUPLICATE) for h in store.journal.hops(envelope.message_id)
            )

        wait_for(handled, 60, message="the redelivered posting handled")
        # Then nothing more is posted
        assert len(journals(erp_path)) == 1
    finally:
        worker_processes.stop(worker)
