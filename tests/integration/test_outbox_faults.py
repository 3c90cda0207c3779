"""Outbound X12 under faults, as production runs it: two ``crossdock worker`` processes competing for
control numbers on PostgreSQL and RabbitMQ, ``crossdock sftp poll --enqueue`` for the buyer's 850s
and the 3PL's 945s, documents delivered over SFTP to sshd or into local folders.

The window is made deterministic with a real database lock: the test holds ``LOCK TABLE
outbox_deliveries IN EXCLUSIVE MODE`` (the table a delivery writes after its file is in place), so
every delivery writes its file and then waits. While deliveries wait, the test kills -9 a worker
process (its unacknowledged deliveries go to the other worker or to the restarted process), or, in
the other run, terminates the waiting PostgreSQL backends (the deliveries fail and are retried).
Then it lets go. For 60 orders, counted in the partners' folders: each order exactly one 940 at the
3PL, each 850 exactly one 997 and each shipment exactly one 856 at the buyer, each 945 one 997 at the
3PL, no ISA13 in two files of a partner, and every document's recorded interchange (its outbox row
and its links) is the file that holds it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from crossdock.store import DocRef, DocType, Store
from tests.fixtures.erp_sim import ErpSimServer
from tests.fixtures.rabbitmq import Vhost
from tests.fixtures.site import BUYER, EXAMPLES, THREEPL, Site, wait_until
from tests.fixtures.sshd import SshServer

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]

ORDERS = 60
ADVICE_945 = (EXAMPLES / "945_from_3pl.x12").read_text()
FAST = {
    "CROSSDOCK_OUTBOX_SWEEP_INTERVAL_S": "1",
    "CROSSDOCK_OUTBOX_SWEEP_AFTER_S": "5",
    "CROSSDOCK_MIN_BACKOFF_MS": "200",
    "CROSSDOCK_MAX_BACKOFF_MS": "2000",
}


@pytest.fixture
def db_backend() -> str:
    return "postgresql"


def sscc(serial: int) -> str:
    """An SSCC-18 with its GS1 check digit (AI 00 in front, as the 945 carries it)."""
    body = f"0061414{serial:010d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return f"00{body}{(10 - total % 10) % 10}"


def advice_945(number: int) -> bytes:
    """The example 945 shipping PO ``PO-E2E-<number>``, with its own interchange, shipment id,
    tracking number and cartons."""
    control = 200_000 + number
    text = ADVICE_945.replace("PO-778812", f"PO-E2E-{number:06d}").replace("SHP-20261124-01", f"SHP-E2E-{number:06d}")
    text = text.replace("1Z999AA10123456784", f"1Z999AA1{number:010d}")
    text = text.replace("00006141410000000012", sscc(number * 2)).replace("00006141410000000029", sscc(number * 2 + 1))
    text = text.replace("*000007301*", f"*{control:09d}*").replace("*7301*X*", f"*{control}*X*")
    return text.replace("GE*1*7301~", f"GE*1*{control}~").replace("IEA*1*000007301~", f"IEA*1*{control:09d}~").encode()


@dataclass
class Folder:
    """The X12 files in one partner's folder: by ISA13, and what each holds."""

    names: dict[str, bytes] = field(default_factory=dict)
    by_isa13: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    holds: dict[str, list[list[str]]] = field(default_factory=dict)

    def sets(self, set_id: str) -> dict[str, list[list[str]]]:
        return {n: segs for n, segs in self.holds.items() if any(s[:2] == ["ST", set_id] for s in segs)}

    def values(self, set_id: str, segment: str, position: int) -> dict[str, list[str]]:
        """value of ``segment``[position] in ``set_id`` files → the files holding it."""
        found: dict[str, list[str]] = defaultdict(list)
        for name, segments in self.sets(set_id).items():
            for seg in segments:
                if seg[0] == segment and len(seg) > position:
                    found[seg[position]].append(name)
        return found


def read_folder(folder: Path) -> Folder:
    out = Folder()
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        data = path.read_bytes()
        text = data.decode("latin-1").strip()
        element, terminator = text[3], text[105]
        segments = [raw.strip().split(element) for raw in text.split(terminator) if raw.strip()]
        out.names[path.name] = data
        out.holds[path.name] = segments
        out.by_isa13[int(segments[0][13])].append(path.name)
    return out


class Lock:
    """``LOCK TABLE outbox_deliveries IN EXCLUSIVE MODE`` held on a connection of the test's own."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=False)

    def hold(self) -> None:
        self.conn.execute("LOCK TABLE outbox_deliveries IN EXCLUSIVE MODE")

    def release(self) -> None:
        self.conn.commit()

    def waiting(self, application: str | None = None) -> list[int]:
        """PostgreSQL backends waiting for the lock (their delivery's file is written)."""
        with psycopg.connect(self.url, autocommit=True) as admin:
            rows = admin.execute(
                "SELECT pid, application_name FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE '%outbox_deliveries%'"
            ).fetchall()
        return [pid for pid, app in rows if application is None or app == application]

    def terminate(self, pids: list[int]) -> None:
        with psycopg.connect(self.url, autocommit=True) as admin:
            for pid in pids:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

    @property
    def url(self) -> str:
        return self.conn.info.dsn

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.rollback()
        self.conn.close()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


@contextlib.contextmanager
def fault_window(lock: Lock, site: Site, fault: str, master_pid: int) -> Iterator[None]:
    """Hold the lock while the caller starts work; then, once deliveries wait in the window (worker A's
    among them), inject ``fault`` and let go."""
    lock.hold()
    try:
        yield
        wait_until(lambda: len(lock.waiting("worker-a")) >= 2 and len(lock.waiting()) >= 4, 120,
                   what="deliveries of both workers waiting with their files written")  # fmt: skip
        if fault == "kill":
            victims = children(master_pid)
            assert victims, "worker-a has no worker process"
            for pid in victims:
                os.kill(pid, signal.SIGKILL)
        else:
            lock.terminate(lock.waiting())
        time.sleep(0.5)
    finally:
        lock.release()


def ready(site: Site) -> bool:
    return len(site.alive()) == 4


def pg_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


# Each fault and each outbound once (the fault strikes the worker or its database session, the outbound
# decides how the file is written: the two combinations left out run the same code on each side); the
# suite's time budget keeps it to two runs of 60 orders.
@pytest.mark.parametrize(("outbound", "fault"), [("sftp", "kill"), ("folder", "terminate")])
def test_each_document_leaves_once_in_the_interchange_its_record_names(
    rabbitmq_vhost: Vhost, migrated_db_url: str, sshd: SshServer, tmp_path: Path, outbound: str, fault: str
) -> None:
    erp = ErpSimServer(database=tmp_path / "erp-sim.db").start()
    with contextlib.closing(sqlite3.connect(tmp_path / "erp-sim.db", timeout=10)) as db, db:
        db.execute("UPDATE inventory SET quantity = '100000'")  # stock for 60 shipments
    site = Site(tmp_path / "site", amqp_url=rabbitmq_vhost.amqp_url, db_url=migrated_db_url, sshd=sshd, erp=erp)
    lock = Lock(pg_dsn(migrated_db_url))
    store = Store.from_url(migrated_db_url)
    try:
        # Given two workers competing for control numbers, worker A's connections named for the test
        site.write_config(outbound=outbound)
        sep = "&" if "?" in migrated_db_url else "?"
        worker_a = site.start_worker("worker-a", threads=4, extra_env={
            **FAST, "CROSSDOCK_DATABASE_URL": f"{migrated_db_url}{sep}application_name=worker-a"})  # fmt: skip
        site.start_worker("worker-b", threads=4, extra_env=FAST)
        site.start_sftp_poller(BUYER)
        site.start_sftp_poller(THREEPL)
        wait_until(lambda: rabbitmq_vhost.queue_counts("edi.outbound")[1] == 2 or not ready(site), 120,
                   what="both workers consuming")  # fmt: skip
        assert ready(site), site.log("worker-a") + site.log("worker-b")
        buyer_out, threepl_out = (sshd.sftp_root / p / "outbound" for p in (BUYER, THREEPL))

        # When 60 buyer 850s arrive while deliveries are held in the window, and the fault strikes
        with fault_window(lock, site, fault, worker_a.pid):
            pos = site.drop_850s(range(1, ORDERS + 1))
        wait_until(lambda: len(read_folder(threepl_out).sets("940")) >= ORDERS, 300, what="60 940s")
        # and the 3PL's 60 945s arrive the same way
        inbound = sshd.sftp_root / THREEPL / "inbound"
        with fault_window(lock, site, fault, worker_a.pid):
            for number in range(1, ORDERS + 1):
                temp = inbound / f".945-{number}.tmp"
                temp.write_bytes(advice_945(number))
                temp.rename(inbound / f"945-{number:06d}.x12")
        wait_until(lambda: len(read_folder(buyer_out).sets("856")) >= ORDERS, 300, what="60 856s")
        wait_until(lambda: store.outbox.counts()["pending"] == 0 and store.outbox.counts()["held"] == 0, 120,
                   what="every outbox row delivered")  # fmt: skip
        assert len(site.alive()) == 4, site.log("worker-a") + site.log("worker-b")

        # Then at the 3PL: one 940 per order, one 997 per 945, no ISA13 in two files
        threepl, buyer = read_folder(threepl_out), read_folder(buyer_out)
        orders_940 = threepl.values("940", "W05", 2)
        assert sorted(orders_940) == sorted(pos) and all(len(f) == 1 for f in orders_940.values())
        acked_945 = threepl.values("997", "AK1", 2)
        assert sorted(acked_945) == sorted(str(200_000 + n) for n in range(1, ORDERS + 1))
        assert all(len(f) == 1 for f in acked_945.values())
        assert {k: v for k, v in threepl.by_isa13.items() if len(v) > 1} == {}
        assert len(threepl.names) == 2 * ORDERS
        # and at the buyer: one 997 per 850, one 856 per shipment, no ISA13 in two files
        acked_850 = buyer.values("997", "AK1", 2)
        assert sorted(acked_850) == sorted(str(100_000 + n) for n in range(1, ORDERS + 1))
        assert all(len(f) == 1 for f in acked_850.values())
        notices = buyer.values("856", "PRF", 1)
        assert sorted(notices) == sorted(pos) and all(len(f) == 1 for f in notices.values())
        assert {k: v for k, v in buyer.by_isa13.items() if len(v) > 1} == {}
        assert len(buyer.names) == 2 * ORDERS

        # and every outbox row is the file that holds it: its name, its ISA13, its bytes
        rows = store.outbox.entries(status="delivered", limit=10 * ORDERS)
        assert len(rows) == 4 * ORDERS
        for row in rows:
            folder = threepl if row.partner == THREEPL else buyer
            assert folder.by_isa13[row.isa_control] == [row.file_name], row
            assert hashlib.sha256(folder.names[row.file_name]).hexdigest() == row.sha256
        # and every order's and shipment's links name the interchange that holds it
        for po in pos:
            [isa] = store.links.neighbours(DocRef(DocType.WAREHOUSE_ORDER, po), DocType.INTERCHANGE)
            partner, _, number = isa.doc_id.partition(":")
            assert partner == THREEPL and threepl.by_isa13[int(number)] == orders_940[po]
            shipment = DocRef(DocType.SHIPMENT, po.replace("PO-", "SHP-"))
            ours = [r for r in store.links.neighbours(shipment, DocType.INTERCHANGE) if r.doc_id.startswith(BUYER)]
            assert [int(r.doc_id.partition(":")[2]) for r in ours] == [
                int(read_folder(buyer_out).holds[notices[po][0]][0][13])
            ]
        assert site.erp_orders() == dict.fromkeys(pos, 1)
        # and the window was hit: some delivery found its own file from an attempt the fault cut short
        logs = "".join((site.logs / f"{w}.log").read_text(errors="replace") for w in ("worker-a", "worker-b"))
        assert "(an earlier attempt)" in logs
    finally:
        lock.close()
        store.close()
        site.stop()
        erp.stop()
