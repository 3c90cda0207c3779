"""The bridges benchmark: each bridge against its bare-library baseline, measured in the same run.

* SFTP (``bench/_sftp_bench.py``): uploads per second, temp name + rename vs plain paramiko put.
* SOAP (``bench/_soap_bench.py``): ERP CreateSalesOrder round trips, hardened client vs plain zeep.
* Webhooks (``bench/bench_webhook.py``): receiver requests per second and p99 vs a bare ASGI app.

Usage: ``.venv/bin/python bench/bridges_bench.py [SECONDS_PER_BRIDGE]``. A part whose module is missing
or whose servers cannot start is reported as null with the reason, never invented. Target: each
ratio >= 0.70. The last line is one JSON object.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TARGET = 0.70
PARTS = {
    # name: (module file, rate key, baseline key, ratio key, unit)
    "sftp": ("_sftp_bench.py", "sftp_uploads_per_s", "sftp_bare_uploads_per_s", "sftp_ratio", "uploads/s"),
    "soap": ("_soap_bench.py", "soap_rps", "soap_bare_rps", "soap_ratio", "round trips/s"),
    "webhook": ("bench_webhook.py", "webhook_rps", "webhook_bare_rps", "webhook_ratio", "req/s"),
}


def _load(filename: str) -> Callable[[float], dict[str, float]]:
    path = HERE / filename
    if not path.exists():
        raise FileNotFoundError(f"{path.name} is missing")
    spec = importlib.util.spec_from_file_location(f"crossdock_bench_{path.stem.lstrip('_')}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path.name}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    measure: Callable[[float], dict[str, float]] = module.measure
    return measure


def run(seconds: float) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    missing: dict[str, str] = {}
    for name, (filename, rate, base, ratio, unit) in PARTS.items():
        try:
            result = _load(filename)(seconds)
        except Exception as exc:  # a bench part failing must not hide the others; say why
            traceback.print_exc(file=sys.stderr)
            missing[name] = f"{type(exc).__name__}: {exc}"
            figures.update({rate: None, base: None, ratio: None})
            print(f"{name:8s} missing: {missing[name]}")
            continue
        figures.update(result)
        verdict = "ok" if result[ratio] >= TARGET else f"BELOW target {TARGET:.2f}"
        line = f"{name:8s} {result[rate]:10.1f} {unit:14s} bare {result[base]:10.1f}"
        line += f"   ratio {result[ratio]:.2f}  {verdict}"
        if name == "webhook":
            line += f"   p99 {result['webhook_p99_ms']:.1f} ms (bare {result['webhook_bare_p99_ms']:.1f} ms)"
        print(line, flush=True)
    figures.setdefault("webhook_p99_ms", None)
    if missing:
        figures["missing"] = missing
    return figures


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    figures = run(seconds)
    ordered = {key: figures.get(key) for key in ("sftp_ratio", "soap_ratio", "webhook_ratio", "webhook_p99_ms")}
    print(json.dumps({**ordered, **{k: v for k, v in figures.items() if k not in ordered}}))


if __name__ == "__main__":
    main()
