"""Returns through RabbitMQ: ``crossdock returns import`` with RabbitMQ configured queues each return's
events on the returns lane; a real ``dramatiq`` worker process authorizes each return in the ERP
simulator over SOAP and announces it to the 3PL (the 180 delivered by ``outbox.deliver`` after the
commit); the same report queued again changes nothing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from crossdock.store import HopStatus, Store
from crossdock.store.returns_book import ReturnsBook
from tests.conftest import ROOT
from tests.fixtures.erp_sim import ErpSimServer
from tests.fixtures.rabbitmq import Vhost, WorkerProcesses, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPORT = ROOT / "tests" / "data" / "returns" / "amazon_returns_report.tsv"


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


def rmas(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [r[0] for r in db.execute("SELECT document_no FROM posted_document WHERE kind = 'return_authorization'")]


def notices(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if b"ST*180" in p.read_bytes()] if folder.exists() else []


def test_a_worker_authorizes_and_announces_each_return_once(
    rabbitmq_vhost: Vhost, worker_processes: WorkerProcesses, erp_db: tuple[ErpSimServer, Path], store: Store,
    migrated_db_url: str, tmp_path: Path,
) -> None:  # fmt: skip
    server, erp_path = erp_db
    site, out = tmp_path / "site", tmp_path / "out"
    site.mkdir()
    flows = {
        "warehouse_partner": "northstar-3pl",
        "erp": {"endpoint": server.endpoint, "read_timeout_s": 10},
        "partners": [{"edi": str(ROOT / "examples" / "partners" / "northstar-3pl.yaml"), "outbound_folder": str(out),
                      "erp_location_code": "MAIN"}],
        "item_map": {"CD-TEE-BLK-M": "ITEM-1", "CD-MUG-4": "ITEM-3", "CD-THROW-GRY": "ITEM-5"},
        "channel_customers": {"amazon": "C20000"},
    }  # fmt: skip
    (site / "flows.yaml").write_text(yaml.safe_dump(flows))
    env = {
        "CROSSDOCK_BROKER_URL": rabbitmq_vhost.amqp_url, "CROSSDOCK_DATABASE_URL": migrated_db_url,
        "CROSSDOCK_CONFIG_DIR": str(site), "CROSSDOCK_DATA_DIR": str(tmp_path),
    }  # fmt: skip

    def import_report() -> None:
        command = [sys.executable, "-m", "crossdock", "returns", "import", str(REPORT)]
        done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, timeout=180,
                              check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "3 returns, 4 events queued" in done.stdout

    # Given the report is imported with RabbitMQ configured: its events are queued, nothing applied yet
    import_report()
    assert rmas(erp_path) == [] and notices(out) == []
    # When a worker consumes the returns lane (and edi.outbound, where outbox.deliver runs)
    worker = worker_processes.start("crossdock.actors.wiring:boot", env, threads=1, queues=("returns", "edi.outbound"))
    try:
        wait_for(lambda: len(rmas(erp_path)) == 2 and len(notices(out)) == 2, 90,
                 message=f"two RMAs in the ERP and two 180s:\n{worker_processes.logs()[-3000:]}")  # fmt: skip
        # When the same report is queued again
        import_report()

        def duplicates() -> int:
            return len(store.journal.recent(status=HopStatus.DUPLICATE, actor="returns.apply", limit=100))

        wait_for(lambda: duplicates() == 4, 60, message="the four events queued again recognised as duplicates")
        with store.db.read() as s:
            records = ReturnsBook.records(s, channel="amazon")
        assert {r.status for r in records} == {"refunded_awaiting_receipt", "awaiting_receipt", "rejected"}
        # Then nothing more: two RMAs, two 180s
        assert len(rmas(erp_path)) == 2 and len(notices(out)) == 2
    finally:
        worker_processes.stop(worker)
