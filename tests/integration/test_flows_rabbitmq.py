"""The same 850 → ERP → 940 flow on the real RabbitMQ, run by a real ``dramatiq`` worker process booted
from settings (``crossdock.actors.wiring:boot`` reading ``<partners_path>/flows.yaml``), with the
partners' mailboxes on sshd, the ERP simulator, and a SQLite file shared by the poller and the worker."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import yaml

from crossdock.actors.flow_config import load_flow_config
from crossdock.actors.intake import inbound_message
from crossdock.actors.steps import publish, sender
from crossdock.actors.wiring import build_flow_broker, build_ports, sftp_sink
from crossdock.bridges.sftp import InboundPoller, SftpSession, load_profile
from crossdock.canonical import Envelope
from crossdock.edi.translate import translate
from crossdock.settings import load_settings
from crossdock.store import DocRef, DocType, HopStatus, Store
from tests.conftest import ROOT
from tests.fixtures.erp_sim import ErpSimServer
from tests.fixtures.rabbitmq import Vhost, WorkerProcesses, wait_for
from tests.fixtures.sshd import SshServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EXAMPLES = ROOT / "examples"
FOLDERS = ("inbound", "outbound", "archive", "error")


def write_site(tmp_path: Path, sshd: SshServer, erp: ErpSimServer) -> Path:
    """A partners folder as an operator writes it: SFTP profiles and flows.yaml."""
    site = tmp_path / "partners"
    site.mkdir()
    for partner in ("acme-retail", "northstar-3pl"):
        folders = {}
        for name in FOLDERS:
            (sshd.sftp_root / partner / name).mkdir(parents=True, exist_ok=True)
            folders[name] = str(sshd.sftp_root / partner / name)
        (site / f"{partner}.sftp.yaml").write_text(yaml.safe_dump(sshd.profile_dict(partner, folders=folders)))
    flows = {
        "warehouse_partner": "northstar-3pl",
        "warehouse_code": "COL1",
        "item_map": {"CD-TEE-BLK-M": "ITEM-1", "CD-HOOD-GRY-L": "ITEM-2", "CD-SOCK-6PK": "ITEM-3"},
        "erp": {"endpoint": erp.endpoint, "read_timeout_s": 10},
        "partners": [
            {"edi": str(EXAMPLES / "partners" / "acme-retail.yaml"), "sftp": "acme-retail.sftp.yaml",
             "erp_customer_no": "C30000"},
            {"edi": str(EXAMPLES / "partners" / "northstar-3pl.yaml"), "sftp": "northstar-3pl.sftp.yaml",
             "erp_location_code": "MAIN"},
        ],
    }  # fmt: skip
    (site / "flows.yaml").write_text(yaml.safe_dump(flows))
    return site


def site_store_and_env(tmp_path: Path, site: Path, amqp_url: str) -> tuple[Store, dict[str, str]]:
    """A migrated SQLite store in ``tmp_path`` and the ``CROSSDOCK_*`` settings a process of the site
    runs with (RabbitMQ, that database, the partners folder, the data folder)."""
    db_url = f"sqlite:///{tmp_path / 'crossdock.db'}"
    store = Store.from_url(db_url)
    store.upgrade()
    env = {
        "CROSSDOCK_BROKER_URL": amqp_url,
        "CROSSDOCK_DATABASE_URL": db_url,
        "CROSSDOCK_CONFIG_DIR": str(site),
        "CROSSDOCK_DATA_DIR": str(tmp_path),
    }
    return store, env


def test_850_and_945_flow_on_rabbitmq_with_a_worker_process(
    rabbitmq_vhost: Vhost, worker_processes: WorkerProcesses, sshd: SshServer, erp: ErpSimServer, tmp_path: Path
) -> None:
    site = write_site(tmp_path, sshd, erp)
    store, env = site_store_and_env(tmp_path, site, rabbitmq_vhost.amqp_url)
    env |= {"CROSSDOCK_MAX_RETRIES": "2", "CROSSDOCK_MIN_BACKOFF_MS": "100", "CROSSDOCK_MAX_BACKOFF_MS": "400"}
    settings = load_settings(environ=env)
    # The producer side (the SFTP poller) publishes to RabbitMQ; a worker process consumes.
    ports = build_ports(load_flow_config(site / "flows.yaml"), store)
    broker = build_flow_broker(settings, ports)
    worker = worker_processes.start("crossdock.actors.wiring:boot", env, threads=2)
    buyer = SftpSession(load_profile(site / "acme-retail.sftp.yaml"))
    threepl = SftpSession(load_profile(site / "northstar-3pl.sftp.yaml"))
    outbound_940 = sshd.sftp_root / "northstar-3pl" / "outbound"
    outbound_997 = sshd.sftp_root / "acme-retail" / "outbound"
    try:
        order_850 = (EXAMPLES / "850_from_buyer.x12").read_bytes()
        (sshd.sftp_root / "acme-retail" / "inbound" / "po.x12").write_bytes(order_850)
        poller = InboundPoller(buyer, sftp_sink(broker, store))
        report = poller.poll_once()
        if report.waiting:
            report = poller.poll_once()
        [(_, ref)] = report.accepted

        def visible(folder: Path) -> list[Path]:
            return [p for p in folder.iterdir() if not p.name.startswith(".")]

        wait_for(lambda: visible(outbound_940) and visible(outbound_997), 60, message=f"the 940 and the 997 "
                 f"(worker {worker.poll()}):\n{worker_processes.logs()[-3000:]}")  # fmt: skip
        assert erp.calls().get("CreateSalesOrder") == 1
        [order_940] = visible(outbound_940)
        assert order_940.name.startswith("northstar-3pl_940_000000001_")
        # When the inbound message is delivered again, the worker skips it as a duplicate
        stored = store.raw.ref(int(ref))
        assert stored is not None
        envelope, document = inbound_message(stored, stored.source)
        sender(broker)("edi.inbound", envelope, document)

        def duplicate_journaled() -> bool:
            return any(h.status is HopStatus.DUPLICATE for h in store.journal.hops(envelope.message_id))

        wait_for(duplicate_journaled, 30, message="the duplicate delivery in the journal")
        assert erp.calls().get("CreateSalesOrder") == 1
        assert len(visible(outbound_940)) == 1
        succeeded = [h.actor for h in store.trace("PO-778812").hops if h.status is HopStatus.SUCCEEDED]
        steps = [a for a in succeeded if a != "outbox.deliver"]
        assert steps == ["edi.inbound", "orders.to_erp", "orders.to_warehouse"]
        assert succeeded.count("outbox.deliver") == 2  # the 997 and the 940, each after its step committed
        # And the 3PL's 945 closes the loop: the shipment is posted in the ERP
        advice = (EXAMPLES / "945_from_3pl.x12").read_bytes()
        (sshd.sftp_root / "northstar-3pl" / "inbound" / "945.x12").write_bytes(advice)
        threepl_poller = InboundPoller(threepl, sftp_sink(broker, store))
        if threepl_poller.poll_once().waiting:
            threepl_poller.poll_once()
        wait_for(lambda: erp.calls().get("PostShipment") == 1, 60, message="the shipment posted in the ERP")
        linked = store.links.connected(DocRef(DocType.TRACKING_NUMBER, "1Z999AA10123456784"))
        assert linked.ids(DocType.PURCHASE_ORDER) == ["PO-778812"]
        # and billed: one ERP invoice, linked to the shipment; a replay of the invoice step bills nothing twice
        wait_for(lambda: store.links.connected(DocRef(DocType.SHIPMENT, "SHP-20261124-01")).ids(DocType.INVOICE),
                 60, message="the shipment's invoice in the ERP")  # fmt: skip
        [shipment_result] = translate(advice).sets
        assert shipment_result.document is not None
        replay = Envelope(idempotency_key="replay-invoice", source="operator", document_type="shipment")
        replayed = publish(broker, "invoices.to_erp", replay, shipment_result.document)

        def replay_done() -> bool:
            return any(h.status is HopStatus.SUCCEEDED for h in store.journal.hops(replayed))

        wait_for(replay_done, 60, message="the replayed invoice step")
        assert erp.calls().get("CreateInvoice") == 1
    finally:
        buyer.close()
        threepl.close()
        worker_processes.stop(worker)
        with contextlib.suppress(Exception):
            broker.close()
        ports.close()
        store.close()
