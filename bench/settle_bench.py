"""Settlement import benchmark: lines matched per second against the parse-only rate of the same file,
both measured in this run, and peak memory (VmHWM) of the import at 50,000 and 200,000 lines.

    .venv/bin/python bench/settle_bench.py [--lines 200000] [--small 50000]

Generates an Amazon V2 flat-file settlement report (8 lines per order: principal, shipping, tax,
withheld tax, commission, fulfillment fee; a refund pair on every tenth order), seeds crossdock's
records of the orders (``channel_order`` cross-reference and amounts, as ``orders.to_erp`` leaves them)
into a fresh SQLite store, then in child processes (so each peak RSS is its own):

- parse: the parser alone over the file;
- match: ``import_settlement``, the production path (parse, look up cross-references, store lines,
  link the settlement to each order, reconcile each order, open exception items), without the ERP post.

Each size runs parse, match, parse; the faster parse is the baseline. Rates are wall clock; the same
ratio over each child's CPU time (``ratio_cpu``) is printed too, as the machine is shared.
Target: ``ratio`` = match / parse >= 0.5; peak RSS flat within 20% from 50k to 200k lines. The last
line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COLUMNS = (
    "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\t"
    "transaction-type\torder-id\tmerchant-order-id\tadjustment-id\tshipment-id\tmarketplace-name\t"
    "amount-type\tamount-description\tamount\tfulfillment-id\tposted-date\tposted-date-time\t"
    "order-item-code\tmerchant-order-item-id\tmerchant-adjustment-item-id\tsku\tquantity-purchased\t"
    "promotion-id"
)
SETTLEMENT = "90000000001"


def order_id(n: int) -> str:
    return f"114-{n:07d}-{n % 9973:07d}"


def write_file(path: Path, lines: int) -> int:
    """An Amazon V2 settlement file of ``lines`` amount rows; returns how many orders it names."""
    rows: list[str] = []
    total = 0
    n = 0
    with path.open("w") as out:
        out.write(COLUMNS + "\n")
        out.write(
            f"{SETTLEMENT}\t2026-11-01 07:00:00 UTC\t2026-11-15 07:00:00 UTC\t2026-11-17 07:00:00 UTC\t"
            f"TOTAL\tUSD" + "\t" * 18 + "\n"
        )
        written = 0
        while written < lines:
            oid = order_id(n)
            amounts = [
                ("Order", "ItemPrice", "Principal", 2000),
                ("Order", "ItemPrice", "Shipping", 500),
                ("Order", "ItemPrice", "Tax", 165),
                ("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", -165),
                ("Order", "ItemFees", "Commission", -375),
                ("Order", "ItemFees", "FBAPerUnitFulfillmentFee", -350),
            ]
            if n % 10 == 0:
                amounts += [("Refund", "ItemPrice", "Principal", -2000), ("Refund", "ItemFees", "Commission", 300)]
            for transaction, amount_type, description, cents in amounts[: lines - written]:
                rows.append(
                    f"{SETTLEMENT}\t\t\t\t\t\t{transaction}\t{oid}\t\t\tS{n}\tAmazon.com\t{amount_type}\t"
                    f"{description}\t{cents / 100:.2f}\tAFN\t2026-11-05\t\t{n}\t\t\tSKU-{n % 500}\t1\t"
                )
                total += cents
                written += 1
            n += 1
            if len(rows) >= 5000:
                out.write("\n".join(rows) + "\n")
                rows = []
        out.write("\n".join(rows) + ("\n" if rows else ""))
    text = path.read_text().replace("\tTOTAL\t", f"\t{total / 100:.2f}\t", 1)
    path.write_text(text)
    return n


def seed(url: str, orders: int) -> None:
    from decimal import Decimal

    from crossdock.store import Store
    from crossdock.store.finance_rows import FinanceOrderRow
    from crossdock.store.insert_ignore import insert_ignore_many
    from crossdock.store.models import DocumentLinkRow

    store = Store.from_url(url)
    store.upgrade()
    now = datetime.now(UTC)
    with store.db.write() as s:
        for start in range(0, orders, 5000):
            ids = [order_id(n) for n in range(start, min(orders, start + 5000))]
            insert_ignore_many(
                s,
                DocumentLinkRow,
                [
                    {
                        "a_type": "channel_order",
                        "a_id": f"amazon:{i}",
                        "a_line": "",
                        "b_type": "marketplace_order",
                        "b_id": i,
                        "b_line": "",
                        "message_id": None,
                        "created_at": now,
                    }
                    for i in ids
                ],
            )
            insert_ignore_many(
                s,
                FinanceOrderRow,
                [
                    {
                        "channel": "amazon",
                        "order_id": i,
                        "currency": "USD",
                        "principal_e4": 200_000,
                        "shipping_e4": 50_000,
                        "tax_e4": 16_500,
                        "units_e4": 10_000,
                        "recorded_at": now,
                    }
                    for i in ids
                ],
            )
    del Decimal
    store.close()


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(mode: str, file: Path, url: str) -> None:
    from decimal import Decimal

    from crossdock.canonical.finance import FinanceConfig, ParsedLine, parser_for

    config = FinanceConfig(
        fees={
            "amazon": FinanceConfig()
            .fees_for("amazon")
            .model_copy(update={"fulfillment_fee_per_unit": Decimal("3.50")})
        }
    )
    from crossdock.actors.handlers.settlements import import_settlement
    from crossdock.store import Store

    started = time.perf_counter()  # modules loaded above: the rates are of the work alone
    cpu_started = time.process_time()
    if mode == "parse":
        with file.open("rb") as stream:
            lines = sum(1 for event in parser_for("amazon")(stream, file.name) if isinstance(event, ParsedLine))
        extra: dict[str, object] = {}
    else:
        store = Store.from_url(url)
        with file.open("rb") as stream:
            result = import_settlement(store, stream, source=file.name, channel="amazon", config=config)
        store.close()
        lines = result.lines_read
        extra = {
            "matched": result.lines_matched,
            "differences": result.differences,
            "items": len(result.exception_items),
        }
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(
        json.dumps(
            {
                "mode": mode,
                "lines": lines,
                "seconds": round(elapsed, 3),
                "lines_per_s": round(lines / elapsed),
                "cpu_seconds": round(cpu, 3),
                "lines_per_cpu_s": round(lines / cpu),
                "peak_rss_mb": round(peak_rss_mb(), 1),
                **extra,
            }
        )
    )


def run_child(mode: str, file: Path, url: str) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", mode, "--file", str(file), "--url", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child {mode} failed: {done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  {mode:5} {file.name}: {result}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=50_000)
    parser.add_argument("--child", choices=("parse", "match"))
    parser.add_argument("--file", type=Path)
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file, args.url)
        return
    with tempfile.TemporaryDirectory(prefix="settle-bench-") as tmp:
        work = Path(tmp)
        measured: dict[int, dict[str, dict[str, float]]] = {}
        for lines in (args.small, args.lines):
            file = work / f"amazon-{lines}.tsv"
            orders = write_file(file, lines)
            url = f"sqlite:///{work / f'store-{lines}.db'}"
            seed(url, orders)
            print(f"{lines} lines, {orders} orders, {file.stat().st_size / 1e6:.1f} MB")
            # parse, match, parse: the faster parse is the baseline (the machine's load moves; this way
            # the ratio is never flattered by a parse run that happened to be slowed down)
            before = run_child("parse", file, url)
            match = run_child("match", file, url)
            after = run_child("parse", file, url)
            measured[lines] = {"parse": max(before, after, key=lambda r: r["lines_per_s"]), "match": match}
    big, small = measured[args.lines], measured[args.small]
    ratio = big["match"]["lines_per_s"] / big["parse"]["lines_per_s"]
    cpu_ratio = big["match"]["lines_per_cpu_s"] / big["parse"]["lines_per_cpu_s"]
    growth = big["match"]["peak_rss_mb"] / small["match"]["peak_rss_mb"]
    print(
        f"match/parse ratio {ratio:.2f} wall clock, {cpu_ratio:.2f} CPU time (target >= 0.5); "
        f"peak RSS {small['match']['peak_rss_mb']} MB at "
        f"{args.small} lines, {big['match']['peak_rss_mb']} MB at {args.lines} ({growth:.2f}x, target <= 1.2)"
    )
    print(
        json.dumps(
            {
                "lines": args.lines,
                "parse_lines_per_s": big["parse"]["lines_per_s"],
                "match_lines_per_s": big["match"]["lines_per_s"],
                "ratio": round(ratio, 3),
                "ratio_cpu": round(cpu_ratio, 3),
                "peak_rss_mb_50k": small["match"]["peak_rss_mb"],
                "peak_rss_mb_200k": big["match"]["peak_rss_mb"],
                "rss_growth": round(growth, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
