"""Inventory: a full recompute of available to sell, and the latency from a 3PL's 846 arriving to the
marketplace call, under a stream of order reservations.

1. Full recompute: 100,000 SKUs at 2 locations (a fifth with reservations, 1% kits) x 3 channels
   (share 1.0, share 0.5 with its own safety stock, a fixed quantity), through the pure core
   (``crossdock.canonical.availability``). Baseline in the same run: the bare arithmetic of on hand -
   reserved - safety stock per location over the same dicts (no allocation, no kits); the ratio is the
   core's rate over the baseline's. The store path (``recompute``: ledger read from the database,
   computed quantities upserted) is measured on a sample of the same SKUs.
2. 846 → push: the handlers exactly as ``crossdock worker`` runs them (``edi.inbound`` → ``inventory.apply``
   → ``inventory.push``, each with its database effects), called in turn without the broker hop, on a
   SQLite file (or ``--database-url``), pushing through the real Shopify, Walmart and Amazon adapters
   to the marketplace simulator over loopback HTTP. Between two 846s, ``--reservations`` order
   reservations are applied and pushed. Latency: from the 846's bytes handed to ``edi.inbound`` to the
   first marketplace call for its change (one unmeasured 846 first: pyx12 loads its maps once).

    .venv/bin/python bench/inventory_bench.py [--skus 100000] [--advices 60] [--reservations 10]

Last line: one JSON object with ``recompute_skus_per_s``, ``p50_846_to_push_ms``, ``p99_846_to_push_ms``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crossdock.actors.flows import call  # noqa: E402
from crossdock.actors.graph import EDI_INBOUND, INVENTORY_APPLY  # noqa: E402
from crossdock.actors.handlers import inventory  # noqa: E402
from crossdock.actors.handlers.inventory_ports import InventoryPorts  # noqa: E402
from crossdock.actors.handlers.outbound import FolderOutbound  # noqa: E402
from crossdock.actors.handlers.ports import FlowPorts, TradingPartner  # noqa: E402
from crossdock.actors.steps import Outgoing  # noqa: E402
from crossdock.bridges.rest.client import MarketplaceClient  # noqa: E402
from crossdock.bridges.rest.inventory import (  # noqa: E402
    AmazonInventory,
    InventoryChannel,
    ShopifyInventory,
    WalmartInventory,
)
from crossdock.bridges.rest.serving import ServerThread  # noqa: E402
from crossdock.bridges.rest.sim import SimState, create_sim_app  # noqa: E402
from crossdock.canonical import Envelope  # noqa: E402
from crossdock.canonical.availability import (  # noqa: E402
    AvailabilityRules,
    Ledger,
    ReservationUpdate,
    StockUpdate,
    available_to_sell,
)
from crossdock.canonical.inbound import InboundPayload  # noqa: E402
from crossdock.canonical.inventory import InventoryChange, StockReservation  # noqa: E402
from crossdock.edi.partners import load_partner_profile  # noqa: E402
from crossdock.store import Store  # noqa: E402
from tests.fixtures.marketplace import TOKEN_HEADERS  # noqa: E402
from tests.unit.flows.fakes import MemoryErp  # noqa: E402

T0 = datetime(2026, 12, 1, tzinfo=UTC)
RULES = AvailabilityRules.model_validate({
    "safety_stock": 2,
    "channels": {"shopify": {"share": 1.0}, "amazon": {"share": 0.5, "safety_stock": 3}, "walmart": {"fixed": 5}},
})  # fmt: skip


def _ledger(skus: int, rng: random.Random) -> tuple[Ledger, AvailabilityRules, list[str]]:
    names = [f"SKU-{n:06d}" for n in range(skus)]
    ledger = Ledger()
    for sku in names:
        for location in ("COL1", "RNO1"):
            ledger.apply(StockUpdate(sku, location, rng.randint(0, 500), T0, 0, "bench"))
        if rng.random() < 0.2:
            ledger.apply(ReservationUpdate(f"PO-{sku}", "1", sku, "COL1", rng.randint(1, 20), T0))
    kits = {f"KIT-{n:05d}": {names[2 * n]: 1, names[2 * n + 1]: 2} for n in range(skus // 100)}
    rules = AvailabilityRules.model_validate({**RULES.model_dump(), "kits": kits})
    return ledger, rules, names + sorted(kits)


def recompute_rate(skus: int, rng: random.Random) -> dict[str, float]:
    ledger, rules, names = _ledger(skus, rng)
    start = time.perf_counter()
    total = 0
    for sku in names:
        total += sum(available_to_sell(ledger, rules, sku).totals().values())
    core_s = time.perf_counter() - start
    stock, reservations = ledger.snapshot()
    reserved: dict[tuple[str, str], int] = {}
    for r in reservations.values():
        reserved[(r.sku, r.location)] = reserved.get((r.sku, r.location), 0) + r.quantity
    start = time.perf_counter()
    bare = 0
    for (sku, location), update in stock.items():
        bare += max(0, update.on_hand - reserved.get((sku, location), 0) - 2) * 3
    baseline_s = time.perf_counter() - start
    core = len(names) / core_s
    baseline = len(stock) / 2 / baseline_s
    return {"recompute_skus_per_s": round(core), "baseline_skus_per_s": round(baseline),
            "ratio_vs_baseline": round(core / baseline, 3), "skus": len(names)}  # fmt: skip


def store_recompute_rate(store: Store, sample: int, rng: random.Random) -> float:
    """``recompute`` as ``inventory.apply`` runs it: ledger read from the store, quantities upserted."""
    names = [f"STORE-{n:06d}" for n in range(sample)]
    with store.db.write() as session:
        store.inventory.apply(session, [StockUpdate(s, "COL1", rng.randint(0, 500), T0, 0, "bench") for s in names])
    start = time.perf_counter()
    with store.db.write() as session:
        inventory.recompute(store, RULES, names, session=session)
    return sample / (time.perf_counter() - start)


class Timed:
    """An inventory channel that notes when its first call of a burst happens, then calls the real one."""

    def __init__(self, inner: InventoryChannel, marks: list[float]) -> None:
        self.inner = inner
        self.marks = marks

    def set_quantities(self, quantities: Mapping[str, int]) -> int:
        self.marks.append(time.perf_counter())
        return self.inner.set_quantities(quantities)

    def read_quantities(self, skus: Sequence[str]) -> dict[str, int | None]:
        return self.inner.read_quantities(skus)

    def close(self) -> None:
        self.inner.close()


ADVICE = (
    "ISA*00*          *00*          *ZZ*NORTHSTAR3PL   *ZZ*CROSSDOCK      *261201*0615*U*00401*{isa:09d}*0*P*>~"
    "GS*IB*NORTHSTAR3PL*CROSSDOCK*20261201*0615*{isa}*X*004010~ST*846*0001~"
    "BIA*00*MM*INV-{isa}*{day}*{clock}~N1*WH*NORTHSTAR*92*MAIN~{lines}CTT*{count}~SE*{segments}*0001~"
    "GE*1*{isa}~IEA*1*{isa:09d}~"
)


def advice(isa: int, at: datetime, quantities: Mapping[str, int]) -> bytes:
    lines = "".join(f"LIN*{n}*VN*{sku}~QTY*17*{qty}*EA~" for n, (sku, qty) in enumerate(quantities.items(), 1))
    text = ADVICE.format(isa=isa, day=at.strftime("%Y%m%d"), clock=at.strftime("%H%M%S"), lines=lines,
                         count=len(quantities), segments=5 + 2 * len(quantities))  # fmt: skip
    return text.encode()


def latency(store: Store, advices: int, reservations: int, rng: random.Random, folder: Path) -> dict[str, float]:
    skus = [f"CD-{n:03d}" for n in range(20)]
    marks: list[float] = []
    with ServerThread(create_sim_app(SimState(orders_per_channel=0))) as sim:
        state = sim.app.state.sim
        for bucket in state.buckets.values():
            bucket.capacity, bucket.refill_per_s = 100_000.0, 100_000.0

        def client(channel: str) -> MarketplaceClient:
            return MarketplaceClient(channel, sim.url, auth_headers=TOKEN_HEADERS[channel], timeout=5.0)

        channels: dict[str, InventoryChannel] = {
            "shopify": Timed(ShopifyInventory(client("shopify"), api_version="2024-01", location_id=1,
                                              item_ids={s: 1000 + n for n, s in enumerate(skus)}), marks),
            "walmart": Timed(WalmartInventory(client("walmart")), marks),
            "amazon": Timed(AmazonInventory(client("amazon"), seller_id="A1", marketplace_id="ATVPDKIKX0DER"), marks),
        }  # fmt: skip
        partner = load_partner_profile((ROOT / "examples/partners/northstar-3pl.yaml").read_bytes())
        ports = FlowPorts(store, MemoryErp(), (TradingPartner(partner, FolderOutbound(folder, partner.name),
                          erp_location_code="MAIN"),), partner.name,
                          inventory=InventoryPorts(RULES, channels, "MAIN"))  # fmt: skip

        def run(outgoing: list[Outgoing]) -> None:
            queue = list(outgoing)
            while queue:
                out = queue.pop(0)
                envelope = Envelope(idempotency_key=out.idempotency_key, source="bench",
                                    document_type=out.document_type)  # fmt: skip
                queue += call(ports, out.step, envelope, out.document)

        samples: list[float] = []
        for n in range(-1, advices):  # n = -1: one unmeasured 846 first (pyx12 loads its maps once per process)
            for r in range(reservations):  # the stream of orders between two 846s
                held = StockReservation(order_ref=f"PO-{n}-{r}", line="1", sku=rng.choice(skus), location="MAIN",
                                        quantity=rng.randint(1, 3), as_of=datetime.now(UTC))  # fmt: skip
                run([Outgoing(INVENTORY_APPLY,
                              InventoryChange(source="order", reservations=[held]), f"r-{n}-{r}")])  # fmt: skip
            data = advice(1001 + n, T0 + timedelta(minutes=n + 1), {s: rng.randint(100, 400) for s in skus})
            ref = store.raw.put_once(data, source="sftp:northstar-3pl", name=f"846-{n}.x12")
            payload = InboundPayload(payload_id=ref.id, source="sftp:northstar-3pl", name=f"846-{n}.x12",
                                     sha256=ref.sha256, size=ref.size)  # fmt: skip
            marks.clear()
            start = time.perf_counter()
            run(call(ports, EDI_INBOUND, Envelope(idempotency_key=f"846-{n}", source="bench",
                                                   document_type="inbound_payload"), payload))  # fmt: skip
            if marks and n >= 0:
                samples.append((marks[0] - start) * 1000)
        ports.close()
    samples.sort()
    return {"p50_846_to_push_ms": round(statistics.median(samples), 2),
            "p99_846_to_push_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 2),
            "advices_pushed": len(samples)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--store-sample", type=int, default=5_000)
    parser.add_argument("--advices", type=int, default=60)
    parser.add_argument("--reservations", type=int, default=10)
    parser.add_argument("--database-url", default=None, help="A migrated database (default: a new SQLite file).")
    args = parser.parse_args()
    rng = random.Random(15)
    result = recompute_rate(args.skus, rng)
    print(f"full recompute: {result['recompute_skus_per_s']:,} SKUs/s x 3 channels "
          f"({result['skus']:,} SKUs); bare arithmetic {result['baseline_skus_per_s']:,}/s; "
          f"ratio {result['ratio_vs_baseline']}", file=sys.stderr)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="crossdock-inventory-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'crossdock.db'}"
        store = Store.from_url(url)
        store.upgrade()
        try:
            stored = store_recompute_rate(store, args.store_sample, rng)
            print(f"store recompute: {stored:,.0f} SKUs/s ({args.store_sample:,} SKUs, {url.split(':')[0]})",
                  file=sys.stderr)  # fmt: skip
            result |= latency(store, args.advices, args.reservations, rng, Path(tmp) / "out")
        finally:
            store.close()
    result["store_recompute_skus_per_s"] = round(stored)
    print(f"846 -> push: p50 {result['p50_846_to_push_ms']} ms, p99 {result['p99_846_to_push_ms']} ms "
          f"({result['advices_pushed']} advices, {args.reservations} reservations between two)",
          file=sys.stderr)  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
