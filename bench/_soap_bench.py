"""ERP CreateSalesOrder round trips per second against the simulator: crossdock's hardened client
(mapping from a canonical Order, circuit breaker, error mapping, hardened zeep settings, timeouts)
versus a plain zeep client with default settings sending the same request, measured in the same run
in alternating slices so both see the same machine load.

``measure(seconds)`` is imported by ``bench/bridges_bench.py``; run alone it prints one JSON line.
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import zeep  # noqa: E402

from crossdock.bridges.soap import ErpClient, ErpConnection, build_breaker, build_erp_client  # noqa: E402
from crossdock.canonical import Order  # noqa: E402
from crossdock.soap import build_request, default_mapping  # noqa: E402
from tests.fixtures.erp_sim import ErpSimServer  # noqa: E402

SLICE_S = 0.5
_counter = itertools.count(1)


def _order(prefix: str) -> Order:
    return Order.model_validate(
        {
            "channel": "shopify",
            "external_id": f"{prefix}-{next(_counter)}",
            "ordered_at": "2026-11-20T10:00:00+00:00",
            "references": {"erp_customer_no": "C10000"},
            "parties": [{"role": "ship_to", "name": "Bench", "address": {"lines": ["1 Main St"], "city": "Austin"}}],
            "lines": [
                {"line_number": "1", "sku": "ITEM-1", "quantity": 1, "unit_price": "89.00"},
                {"line_number": "2", "sku": "ITEM-2", "quantity": 2},
            ],
        }
    )


def _run_slice(call: Callable[[], Any], seconds: float) -> int:
    done = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        call()
        done += 1
    return done


def measure(seconds: float = 5.0) -> dict[str, float]:
    """Round trips per second of each client over ``seconds`` each (alternating slices)."""
    server = ErpSimServer().start()
    try:
        connection = ErpConnection(endpoint=server.endpoint, read_timeout_s=10.0)
        _, service = build_erp_client(connection)
        hardened = ErpClient(service, default_mapping(), build_breaker(connection))
        bare = zeep.Client(server.wsdl_url)  # zeep's defaults: the baseline
        create = default_mapping().operation("create_sales_order")

        def hardened_call() -> None:
            hardened.call("create_sales_order", _order("H"))

        def bare_call() -> None:
            bare.service.CreateSalesOrder(**build_request(create, _order("B")))

        hardened_call()  # warm both paths (connection, zeep caches)
        bare_call()
        counts = {"hardened": 0, "bare": 0}
        spent = {"hardened": 0.0, "bare": 0.0}
        while spent["hardened"] < seconds:
            for name, call in (("hardened", hardened_call), ("bare", bare_call)):
                started = time.perf_counter()
                counts[name] += _run_slice(call, min(SLICE_S, seconds))
                spent[name] += time.perf_counter() - started
        soap_rps = counts["hardened"] / spent["hardened"]
        bare_rps = counts["bare"] / spent["bare"]
        return {
            "soap_rps": round(soap_rps, 1),
            "soap_bare_rps": round(bare_rps, 1),
            "soap_ratio": round(soap_rps / bare_rps, 3) if bare_rps else 0.0,
        }
    finally:
        server.stop()


if __name__ == "__main__":
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    print(json.dumps(measure(seconds)))
