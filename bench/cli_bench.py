"""How fast the ``crossdock`` command starts: ``crossdock --help`` and ``crossdock edi validate`` of a
2 KB file against ``python -c "import typer, rich.console"`` (the floor any typer + rich command pays),
measured in the same run, interleaved (one of each in turn), medians compared.

Targets (issue 11): ``--help`` within 2x the baseline, ``edi validate`` within 4x. Each figure is a
whole process: interpreter start, imports, the command's work. Prints one line per command and, last,
one JSON object with the medians (seconds) and the ratios.

    .venv/bin/python bench/cli_bench.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "crossdock" / "examples"


def _time(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="Runs of each command (interleaved).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crossdock-cli-bench-") as temp:
        x12 = Path(temp) / "two-interchanges.x12"  # the buyer's 850 and the 3PL's 945: ~1.9 KB
        x12.write_bytes((EXAMPLES / "850_from_buyer.x12").read_bytes() + (EXAMPLES / "945_from_3pl.x12").read_bytes())
        commands = {
            "baseline": [sys.executable, "-c", "import typer, rich.console"],
            "help": [sys.executable, "-m", "crossdock", "--help"],
            "edi_validate": [sys.executable, "-m", "crossdock", "edi", "validate", str(x12)],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for argv in commands.values():  # warm the file cache once
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(_time(argv))
    medians = {name: statistics.median(values) for name, values in times.items()}
    result: dict[str, float | int] = {f"{name}_s": round(value, 4) for name, value in medians.items()}
    result["help_ratio"] = round(medians["help"] / medians["baseline"], 2)
    result["edi_validate_ratio"] = round(medians["edi_validate"] / medians["baseline"], 2)
    result["runs"] = args.runs
    for name in commands:
        print(f"{name:13} median {medians[name] * 1000:7.1f} ms  (min {min(times[name]) * 1000:.1f}, "
              f"max {max(times[name]) * 1000:.1f})")  # fmt: skip
    print(f"crossdock --help: {result['help_ratio']}x the baseline (target 2x); "
          f"edi validate: {result['edi_validate_ratio']}x (target 4x)")  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
