"""Cancellations on real servers: RabbitMQ, PostgreSQL, the partners' mailboxes on sshd, the ERP
simulator, and ``dramatiq`` worker processes booted from ``flows.yaml``. Buyers' cancel 850s (BEG01=01)
arrive before the order, after booking (the 940 step held back: the first worker does not consume the
``edi.outbound`` lane), and after release; a 945 arrives after a cancel; messages are sent again. Each
order is booked in the ERP at most once, each 940 leaves once, and the order book says what happened.
A change 850 (BEG01=04) after release changes the ERP order and sends one 940 change."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from crossdock.actors.flow_config import load_flow_config
from crossdock.actors.intake import inbound_message
from crossdock.actors.steps import sender
from crossdock.actors.wiring import build_flow_broker, build_ports, sftp_sink
from crossdock.bridges.sftp import InboundPoller, SftpSession, load_profile
from crossdock.broker.lanes import LANES, Lane
from crossdock.canonical import Order
from crossdock.canonical.lifecycle import OrderState
from crossdock.errors import Owner
from crossdock.settings import load_settings
from crossdock.store import HopStatus, Store
from tests.conftest import ROOT
from tests.fixtures.erp_sim import ErpSimServer, erp_gateway
from tests.fixtures.rabbitmq import Vhost, WorkerProcesses, wait_for
from tests.fixtures.sshd import SshServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EXAMPLES = ROOT / "examples"
FOLDERS = ("inbound", "outbound", "archive", "error")
ORDER_850 = (EXAMPLES / "850_from_buyer.x12").read_text()
ADVICE_945 = (EXAMPLES / "945_from_3pl.x12").read_text()


@pytest.fixture
def db_backend() -> str:
    return "postgresql"


def x850(po: str, isa: int, *, cancel: bool = False, change: bool = False) -> bytes:
    text = ORDER_850.replace("PO-778812", po).replace("000000501", f"{isa:09d}").replace("*501*X*", f"*{isa}*X*")
    text = text.replace("GE*1*501", f"GE*1*{isa}")
    if change:  # the whole order as it now stands: line 1 from 24 to 10
        text = text.replace(f"BEG*00*SA*{po}", f"BEG*04*SA*{po}").replace("PO1*1*24*EA", "PO1*1*10*EA")
        text = text.replace("CTT*3*42", "CTT*3*28")
    return (text.replace(f"BEG*00*SA*{po}", f"BEG*01*SA*{po}") if cancel else text).encode()


def x945(po: str, isa: int) -> bytes:
    text = ADVICE_945.replace("PO-778812", po).replace("000007301", f"{isa:09d}").replace("*7301*X*", f"*{isa}*X*")
    return text.replace("GE*1*7301", f"GE*1*{isa}").encode()


def write_site(tmp_path: Path, sshd: SshServer, erp: ErpSimServer) -> Path:
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


@pytest.fixture
def site(tmp_path: Path, sshd: SshServer, erp: ErpSimServer, migrated_db_url: str,
         rabbitmq_vhost: Vhost) -> Iterator[tuple[Path, dict[str, str]]]:  # fmt: skip
    path = write_site(tmp_path, sshd, erp)
    env = {"CROSSDOCK_BROKER_URL": rabbitmq_vhost.amqp_url, "CROSSDOCK_DATABASE_URL": migrated_db_url,
           "CROSSDOCK_CONFIG_DIR": str(path), "CROSSDOCK_DATA_DIR": str(tmp_path),
           "CROSSDOCK_MAX_RETRIES": "3", "CROSSDOCK_MIN_BACKOFF_MS": "100",
           "CROSSDOCK_MAX_BACKOFF_MS": "500"}  # fmt: skip
    yield path, env


def test_cancellations_before_the_order_after_booking_after_release_and_a_945_after_the_cancel(
    site: tuple[Path, dict[str, str]], sshd: SshServer, erp: ErpSimServer, worker_processes: WorkerProcesses,
    migrated_db_url: str, tmp_path: Path,
) -> None:  # fmt: skip
    path, env = site
    store = Store.from_url(migrated_db_url)
    ports = build_ports(load_flow_config(path / "flows.yaml"), store)
    broker = build_flow_broker(load_settings(environ=env), ports)
    sessions = {p: SftpSession(load_profile(path / f"{p}.sftp.yaml")) for p in ("acme-retail", "northstar-3pl")}
    to_3pl = sshd.sftp_root / "northstar-3pl" / "outbound"
    sent: dict[str, str] = {}

    def drop(partner: str, name: str, data: bytes) -> None:
        (sshd.sftp_root / partner / "inbound" / name).write_bytes(data)
        poller = InboundPoller(sessions[partner], sftp_sink(broker, store))
        for _ in range(5):
            report = poller.poll_once()
            for file_name, ref in report.accepted:
                sent[file_name] = ref
            if not report.waiting:
                break
        assert name in sent, f"{name} was not accepted"

    def files_940(po: str) -> list[str]:
        """W0501 of each 940 for ``po`` at the 3PL, in the order sent (N original, C cancel, R change)."""
        texts = [f.read_text() for f in sorted(to_3pl.iterdir()) if not f.name.startswith(".")]
        return [code for text in texts for code, ref in re.findall(r"W05\*(\w)\*([^*~]+)", text) if ref == po]

    def state(po: str) -> OrderState | None:
        held = store.orders.get("edi", po)
        return held.state if held is not None else None

    def events(po: str) -> list[str]:
        return [t.event for t in store.orders.timeline("edi", po)]

    def progress() -> str:
        hops = [(h.actor, h.status.value) for h in store.journal.recent(limit=40)]
        (tmp_path / "worker.log").write_text(worker_processes.logs())
        return f"hops {hops}; erp {erp.calls()}; logs in {tmp_path / 'worker.log'}"

    # the first worker takes every lane but edi.outbound: the 940 steps wait in their queue
    held_back = tuple(lane for lane in LANES if lane != Lane.EDI_OUTBOUND.value)
    first = worker_processes.start("crossdock.actors.wiring:boot", env, threads=2, queues=held_back)
    try:
        # Cancellation before the order: PO-A's cancel, then its original
        drop("acme-retail", "a-cancel.x12", x850("PO-A", 601, cancel=True))
        wait_for(lambda: state("PO-A") is OrderState.CANCELLED, 60, message=f"PO-A cancelled, {progress()}")
        drop("acme-retail", "a-order.x12", x850("PO-A", 602))
        wait_for(lambda: len(events("PO-A")) == 2, 60, message=f"PO-A's original recorded, {progress()}")
        assert events("PO-A") == ["cancelled", "received"] and state("PO-A") is OrderState.CANCELLED
        # Cancellation after booking (its 940 not sent yet): PO-B
        drop("acme-retail", "b-order.x12", x850("PO-B", 611))
        wait_for(lambda: state("PO-B") is OrderState.BOOKED, 60, message=f"PO-B booked, {progress()}")
        drop("acme-retail", "b-cancel.x12", x850("PO-B", 612, cancel=True))
        wait_for(lambda: state("PO-B") is OrderState.CANCELLED, 60, message=f"PO-B cancelled, {progress()}")
        assert erp.calls().get("CancelSalesOrder") == 1
        # PO-C is booked, its 940 waiting too
        drop("acme-retail", "c-order.x12", x850("PO-C", 621))
        wait_for(lambda: state("PO-C") is OrderState.BOOKED, 60, message=f"PO-C booked, {progress()}")
        worker_processes.stop(first)

        # Every lane now: PO-B's held-back 940 is not sent (cancelled), PO-C's is
        worker = worker_processes.start("crossdock.actors.wiring:boot", env, threads=2)
        wait_for(lambda: state("PO-C") is OrderState.RELEASED and files_940("PO-C") == ["N"], 60,
                 message=f"PO-C released, {progress()}")  # fmt: skip
        wait_for(lambda: "not_released" in events("PO-B"), 60, message=f"PO-B's 940 step, {progress()}")
        assert files_940("PO-B") == [] and files_940("PO-A") == []
        # Cancellation after release: the ERP order cancelled and ONE 940 cancel, also when sent twice
        drop("acme-retail", "c-cancel.x12", x850("PO-C", 622, cancel=True))
        drop("acme-retail", "c-cancel-again.x12", x850("PO-C", 623, cancel=True))
        wait_for(lambda: files_940("PO-C") == ["N", "C"], 60, message=f"PO-C's 940 cancel, {progress()}")

        def second_cancel_done() -> bool:  # the same version again: skipped by its key, or applied as unchanged
            skipped = store.journal.recent(status=HopStatus.DUPLICATE, actor="orders.amend")
            return "cancellation_unchanged" in events("PO-C") or bool(skipped)

        wait_for(second_cancel_done, 60, message=f"PO-C's second cancel, {progress()}")
        assert state("PO-C") is OrderState.CANCELLED
        assert erp.calls().get("CancelSalesOrder") == 2
        gateway = erp_gateway(erp)
        for po in ("PO-B", "PO-C"):
            probe = Order.model_validate({"channel": "edi", "external_id": po,
                                          "lines": [{"line_number": "1", "sku": "x", "quantity": 1}]})  # fmt: skip
            found = gateway.find_sales_order(probe)
            assert found is not None and found.status == "Cancelled", (po, found)
        # A change after release: the ERP order follows, ONE 940 change (W0501 R)
        drop("acme-retail", "d-order.x12", x850("PO-D", 641))
        wait_for(lambda: state("PO-D") is OrderState.RELEASED, 60, message=f"PO-D released, {progress()}")
        drop("acme-retail", "d-change.x12", x850("PO-D", 642, change=True))
        wait_for(lambda: events("PO-D")[-1:] == ["changed"], 60, message=f"PO-D changed, {progress()}")
        wait_for(lambda: files_940("PO-D") == ["N", "R"], 30, message=f"PO-D's 940 change, {progress()}")
        assert erp.calls().get("ChangeSalesOrder") == 1 and state("PO-D") is OrderState.PARTIALLY_CANCELLED
        # A 945 after the cancel: nothing posted, an item for the warehouse team with what shipped
        drop("northstar-3pl", "c-945.x12", x945("PO-C", 631))
        wait_for(lambda: events("PO-C")[-1:] == ["shipped_after_cancel"], 60, message=f"PO-C 945, {progress()}")
        assert erp.calls().get("PostShipment") is None
        [item] = store.exceptions.items(owner=Owner.WAREHOUSE)
        assert item.error_class == "ShippedAfterCancel" and item.business_key == "PO-C"
        assert "SHP-20261124-01" in item.error_message
        # A change for the cancelled (and shipped) order is refused: an item that stays open, nothing sent
        drop("acme-retail", "c-change.x12", x850("PO-C", 632, change=True))
        wait_for(lambda: events("PO-C")[-1:] == ["change_refused"], 60, message=f"PO-C change, {progress()}")
        [refused] = [i for i in store.exceptions.items(business_key="PO-C") if i.error_class == "AmendmentRefused"]
        assert refused.owner == Owner.WAREHOUSE and "the order is cancelled" in refused.error_message
        assert erp.calls().get("ChangeSalesOrder") == 1 and files_940("PO-C") == ["N", "C"]
        # Replays: PO-C's original sent again is a duplicate; each order booked at most once
        stored = store.raw.ref(int(sent["c-order.x12"]))
        assert stored is not None
        envelope, document = inbound_message(stored, stored.source)
        sender(broker)("edi.inbound", envelope, document)
        wait_for(lambda: any(h.status is HopStatus.DUPLICATE for h in store.journal.hops(envelope.message_id)), 30,
                 message=f"the replay journaled as a duplicate, {progress()}")  # fmt: skip
        assert erp.calls().get("CreateSalesOrder") == 3  # PO-B, PO-C and PO-D; PO-A never
        assert files_940("PO-C") == ["N", "C"] and files_940("PO-B") == []
        worker_processes.stop(worker)
    finally:
        for session in sessions.values():
            session.close()
        with contextlib.suppress(Exception):
            broker.close()
        ports.close()
        store.close()
