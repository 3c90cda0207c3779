"""End to end on the production path: orders from signed Shopify webhooks and from buyer 850 files to
940s on the 3PL's SFTP server, through exactly what production runs.

Each run starts its own RabbitMQ vhost, PostgreSQL database (migrated), sshd, ERP simulator (SQLite
file) and crossdock's own services as OS processes (``tests/fixtures/site.py``): ``crossdock worker``
(1, then 2 separate processes, ``--processes 1 --threads T``), ``crossdock rest serve`` and ``crossdock
sftp poll --enqueue``, with default settings and no benchmark-only switch. Half the orders are POSTed as
signed webhooks, half dropped as 850 files, both at once; the clock runs from the first order handed
over to the last order's 940 on the SFTP server. Latency per order: handed over → its
``orders.to_erp`` hop committed (the journal in PostgreSQL).

In the same run it measures the ceiling of the external calls alone, on one connection each: bare
zeep ``GetSalesOrderByExternalRef`` + ``CreateSalesOrder`` pairs per second against the ERP simulator,
and bare paramiko put + rename per second against sshd. The lower is the ceiling; crossdock's best
orders/s over it is the headline ratio. Every run is also checked: each order booked once in the ERP,
one 940 per order, no ISA13 in two files (``exact``).

    .venv/bin/python bench/e2e_bench.py [--orders 2000] [--threads 8] [--ceiling-s 10]

Last line: one JSON object with ``orders_per_s_1w``, ``orders_per_s_2w``, ``p50_order_to_erp_ms``,
``p99_order_to_erp_ms`` (the 2-worker run), ``ceiling_orders_per_s``, ``ratio_vs_ceiling``.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import zeep  # noqa: E402
from sqlalchemy import text  # noqa: E402

from crossdock.bridges.sftp import SftpSession, profile_from_dict  # noqa: E402
from crossdock.soap import build_request, default_mapping  # noqa: E402
from crossdock.store import Database, upgrade  # noqa: E402
from tests.fixtures.database import PG_ADMIN_URL, PostgresDatabases  # noqa: E402
from tests.fixtures.erp_sim import ErpSimServer  # noqa: E402
from tests.fixtures.rabbitmq import Vhost, _create, _delete  # noqa: E402
from tests.fixtures.site import Site, wait_until  # noqa: E402
from tests.fixtures.sshd import make_server, sshd_available  # noqa: E402

PAYLOAD = (ROOT / "examples" / "850_from_buyer.x12").read_bytes()  # ~1 KiB, the size of a small 940


def zeep_pairs_per_s(erp: ErpSimServer, seconds: float) -> float:
    """Bare zeep (its defaults) lookup + create pairs per second, one client, sequential."""
    from bench._soap_bench import _order  # the same order document the SOAP bench books

    client = zeep.Client(erp.wsdl_url)
    create = default_mapping().operation("create_sales_order")
    counter = itertools.count()
    pairs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        order = _order(f"CEIL{next(counter)}")
        client.service.GetSalesOrderByExternalRef(ExternalDocumentNo=order.external_id)
        client.service.CreateSalesOrder(**build_request(create, order))
        pairs += 1
    return pairs / (time.perf_counter() - start)


def paramiko_put_rename_per_s(root: Path, seconds: float) -> float:
    """Bare paramiko ``putfo`` to a temporary name + ``posix_rename``, one connection, sequential."""
    server = make_server(root / "ceiling-sshd")
    try:
        session = SftpSession(profile_from_dict(server.profile_dict()))
        sftp = session.open()  # crossdock's pinned-host-key connect; the calls below are paramiko's own
        folder = str(server.folder("outbound"))
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            sftp.putfo(io.BytesIO(PAYLOAD), f"{folder}/.F{done:08d}.part")
            sftp.posix_rename(f"{folder}/.F{done:08d}.part", f"{folder}/F{done:08d}.edi")
            done += 1
        rate = done / (time.perf_counter() - start)
        session.close()
        return rate
    finally:
        server.stop()


def erp_committed_at(db_url: str) -> dict[str, float]:
    """Business key → when its ``orders.to_erp`` hop committed (epoch seconds), from the journal."""
    db = Database.from_url(db_url)
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT k.value, MAX(j.finished_at) FROM message_keys k JOIN journal j ON j.message_id = "
                    "k.message_id WHERE j.actor = 'orders.to_erp' AND j.status = 'succeeded' GROUP BY k.value"
                )
            ).all()
    finally:
        db.dispose()
    return {str(value): at.timestamp() for value, at in rows if at is not None}


def run(workers: int, orders: int, threads: int, tmp: Path, databases: PostgresDatabases) -> dict[str, Any]:
    vhost: Vhost = _create(f"crossdock-bench-{workers}w-{int(time.time())}")
    db_url = databases.create()
    db = Database.from_url(db_url)
    upgrade(db)
    db.dispose()
    root = tmp / f"run-{workers}w"
    sshd = make_server(root / "sshd")
    erp = ErpSimServer(database=root / "erp-sim.db").start()
    site = Site(root / "site", amqp_url=vhost.amqp_url, db_url=db_url, sshd=sshd, erp=erp)
    try:
        site.write_config()
        for n in range(workers):
            site.start_worker(f"worker-{n}", threads=threads)
        site.start_receiver()
        site.start_sftp_poller()
        wait_until(lambda: vhost.queue_counts("erp")[1] == workers, 120, what="the workers consuming")
        webhooks, files = orders // 2, orders - orders // 2
        expected: set[str] = set()
        feeders = [
            threading.Thread(target=lambda: expected.update(site.post_shopify_orders(webhooks))),
            threading.Thread(target=lambda: expected.update(site.drop_850s(range(1, files + 1)))),
        ]
        start = time.time()
        for feeder in feeders:
            feeder.start()
        for feeder in feeders:
            feeder.join()

        def all_sent() -> bool:
            if len(site.alive()) < workers + 2:
                raise RuntimeError(f"a crossdock process ended: {site.alive()}\n{site.log('worker-0')}")
            return site.delivered().orders >= orders

        wait_until(all_sent, 3600, interval_s=0.2, what="every order's 940")
        elapsed = time.time() - start
        delivered, booked = site.delivered(), site.erp_orders()
        exact = (
            set(delivered.by_order) == expected
            and not delivered.doubled()
            and not delivered.shared_isa13()
            and set(booked) == expected
            and set(booked.values()) == {1}
        )
        committed = erp_committed_at(db_url)
        latencies = sorted(
            (committed[key] - site.handed_at[key]) * 1000 for key in expected if key in committed
        )
        return {
            "workers": workers,
            "orders": orders,
            "seconds": round(elapsed, 2),
            "orders_per_s": round(orders / elapsed, 2),
            "p50_order_to_erp_ms": round(statistics.median(latencies), 1),
            "p99_order_to_erp_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1),
            "exact": exact,
        }
    finally:
        site.stop()
        erp.stop()
        sshd.stop()
        _delete(vhost)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--ceiling-s", type=float, default=10.0)
    args = parser.parse_args()
    reason = sshd_available()
    if reason:
        raise SystemExit(f"e2e bench: {reason}")
    tmp = Path(tempfile.mkdtemp(prefix="crossdock-e2e-bench-"))
    databases = PostgresDatabases(PG_ADMIN_URL)
    try:
        erp = ErpSimServer(database=tmp / "ceiling-erp.db").start()
        try:
            zeep_rate = zeep_pairs_per_s(erp, args.ceiling_s)
        finally:
            erp.stop()
        sftp_rate = paramiko_put_rename_per_s(tmp, args.ceiling_s)
        ceiling = min(zeep_rate, sftp_rate)
        print(f"ceilings: zeep lookup+create {zeep_rate:.1f}/s, paramiko put+rename {sftp_rate:.1f}/s", flush=True)
        runs = []
        for workers in (1, 2):
            result = run(workers, args.orders, args.threads, tmp, databases)
            print(json.dumps(result), flush=True)
            runs.append(result)
    finally:
        databases.drop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    one, two = runs
    best = max(one["orders_per_s"], two["orders_per_s"])
    print(
        json.dumps(
            {
                "orders_per_s_1w": one["orders_per_s"],
                "orders_per_s_2w": two["orders_per_s"],
                "p50_order_to_erp_ms": two["p50_order_to_erp_ms"],
                "p99_order_to_erp_ms": two["p99_order_to_erp_ms"],
                "ceiling_orders_per_s": round(ceiling, 1),
                "zeep_pairs_per_s": round(zeep_rate, 1),
                "paramiko_put_rename_per_s": round(sftp_rate, 1),
                "ratio_vs_ceiling": round(best / ceiling, 3),
                "exact": one["exact"] and two["exact"],
                "orders": args.orders,
            }
        )
    )


if __name__ == "__main__":
    main()
