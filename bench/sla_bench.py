"""The SLA check (``crossdock sla overdue``, the console's overview, the ``crossdock_overdue_documents``
gauge) on a store holding ``--orders`` released orders: each a 940 in the outbox (delivered) with the
links the steps write (outbox, group, warehouse order, PO, ERP order); ``--late`` of every 10 without
their 997 and their 945, the others acknowledged and shipped (shipment posted, confirmation linked).
Seeded in a few large transactions (the shape of the data, not the steps, is what is measured), then
:func:`crossdock.store.sla.overdue_documents` with the default deadlines four days later, ``--runs``
times.

    .venv/bin/python bench/sla_bench.py [--orders 5000] [--database-url postgresql+psycopg://...]

Without ``--database-url``: a SQLite file in a temporary folder. The database must be empty (it is
migrated here). Last line: one JSON object with ``orders``, ``overdue``, ``best_s``, ``median_s``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crossdock.store import DocRef, DocType, Store  # noqa: E402
from crossdock.store.base import utcnow  # noqa: E402
from crossdock.store.sla import DEFAULT, overdue_documents  # noqa: E402

BATCH = 500


def seed(store: Store, orders: int, late_per_10: int) -> None:
    link = store.links.link
    for start in range(0, orders, BATCH):
        ids = []
        with store.db.write() as session:
            for i in range(start, min(orders, start + BATCH)):
                po, gs = f"PO-{i}", i + 1
                keys = {"warehouse_order": po}
                entry = store.outbox.record(session, partner="northstar-3pl", set_id="940", controls=(gs, gs, 1),
                                            content=b"ISA~", name_for=lambda n: f"940-{n}.edi", business_keys=keys,
                                            step="orders.to_warehouse")  # fmt: skip
                ids.append(entry.id)
                warehouse_order = DocRef(DocType.WAREHOUSE_ORDER, po)
                for ref in (DocRef(DocType.GROUP, f"northstar-3pl:{gs}"), DocRef("outbox", str(entry.id)),
                            DocRef(DocType.PURCHASE_ORDER, po)):  # fmt: skip
                    link(warehouse_order, ref, session=session)
                link(DocRef(DocType.PURCHASE_ORDER, po), DocRef(DocType.ERP_ORDER, f"SO-{i}"), session=session)
                if i % 10 >= late_per_10:
                    link(DocRef(DocType.GROUP, f"northstar-3pl:{gs}"),
                         DocRef(DocType.ACKNOWLEDGMENT, f"NS:{gs}:{gs}:accepted"), session=session)  # fmt: skip
                    shipment = DocRef(DocType.SHIPMENT, f"SHP-{i}")
                    for ref in (DocRef(DocType.ERP_ORDER, f"SO-{i}"), DocRef("erp_shipment", f"SH-{i}"),
                                DocRef(DocType.INVOICE, f"INV-{i}")):  # fmt: skip
                        link(shipment, ref, session=session)
        for outbox_id in ids:
            store.outbox.mark_delivered(outbox_id, f"/out/940-{outbox_id}.edi")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--late", type=int, default=1, help="Orders of every 10 without their 997 and 945.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store.from_url(args.database_url or f"sqlite:///{folder}/sla.db")
        try:
            store.upgrade()
            started = time.perf_counter()
            seed(store, args.orders, args.late)
            print(f"seeded {args.orders} orders in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            later = utcnow() + timedelta(days=4)
            times, found = [], []
            for _ in range(args.runs):
                started = time.perf_counter()
                found = overdue_documents(store, DEFAULT, now=later)  # the limit production uses
                times.append(time.perf_counter() - started)
        finally:
            store.close()
    print(json.dumps({"orders": args.orders, "overdue": len(found), "backend": store.db.engine.dialect.name,
                      "best_s": round(min(times), 3), "median_s": round(statistics.median(times), 3)}))  # fmt: skip


if __name__ == "__main__":
    main()
