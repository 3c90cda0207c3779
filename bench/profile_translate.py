"""Where read + translate spends its time: cProfile over the same 850 / 856 files as ``edi_bench.py``.

Writes a file of 850s and a file of 856s (``bench/edi_bench.py``'s generators) into a temporary
directory, times read + translate (the production path, as ``edi_bench.py``) and the reader alone,
then prints the top functions of a cProfile run of read + translate, by own time and by cumulative
time.

Run: ``.venv/bin/python bench/profile_translate.py [--mb 2] [--set 850|856] [--top 30]``. The last line
is one JSON object with the segments per second of each set, translated and read only.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (ROOT, ROOT / "bench"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from edi_bench import KINDS, read_and_translate, read_only, write_file  # noqa: E402


def rate(run: Callable[[bytes], int], data: bytes, segments: int, repeat: int) -> float:
    """Segments per second of ``run(data)``, best of ``repeat`` rounds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run(data)
        best = min(best, time.perf_counter() - start)
    return segments / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=2.0, help="size of each file, MB")
    parser.add_argument("--set", choices=sorted(KINDS), action="append", help="set(s) to profile (default: all)")
    parser.add_argument("--top", type=int, default=30, help="functions listed per table")
    parser.add_argument("--repeat", type=int, default=3, help="timing rounds (best kept)")
    parser.add_argument("--no-profile", action="store_true", help="timings only")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="edi-profile-") as tmp:
        for set_id in args.set or sorted(KINDS):
            path = Path(tmp) / f"{set_id}.x12"
            write_file(path, set_id, int(args.mb * 1024 * 1024))
            data = path.read_bytes()
            segments = read_only(data)
            translated = rate(read_and_translate, data, segments, args.repeat)
            read = rate(read_only, data, segments, args.repeat)
            figures[f"{set_id}_translate_seg_per_s"] = round(translated)
            figures[f"{set_id}_read_seg_per_s"] = round(read)
            print(
                f"{set_id}: read+translate {translated:,.0f} seg/s; read only {read:,.0f} seg/s; "
                f"translation alone ~{1e6 / translated - 1e6 / read:.2f} µs/segment"
            )
            if args.no_profile:
                continue
            profiler = cProfile.Profile()
            profiler.runcall(read_and_translate, data)
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(args.top)
            stats.sort_stats("cumulative").print_stats(args.top)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
