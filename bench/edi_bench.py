"""EDI speed and memory: crossdock's read + translate against node-x12's parse of the same bytes.

What it does (all files in a temporary directory, removed at the end):

1. Writes an 8 MB file of 850s and an 8 MB file of 856s with crossdock's writer (``iter_interchange``),
   from hand-written set bodies (40 PO1/PID lines per 850; S/O then 30 P/I packs per 856), many sets
   per interchange, several interchanges per file; and one interchange holding one 2 KB 850.
2. Times, interleaved round by round and best of ``--repeat`` rounds, in segments (ST..SE) per second:
   (a) read + translate exactly as the worker's ``edi.inbound`` step does it: ``X12Reader(data)``
   feeding ``crossdock.edi.translate.iter_translations`` (results dropped as they come); (b) node-x12's
   ``X12Parser(true).parse`` of the same file in a node process (``bench/node/parse.js``: the file
   read once, one warm-up parse, then the timed parse; node-x12 is installed into ``bench/node`` by
   ``npm ci`` from the committed lock file when missing, and skipped with a note when Node.js or npm
   is absent); for reference, the reader alone and the validation floor (the canonical documents of
   the first 400 sets validated again from plain dicts: what any translator producing them must
   spend); and pyx12 validation on a 256 KiB slice. Wall clock and CPU time of the process that did
   the work are both kept: the ratio by CPU time is the steadier one on a loaded machine.
3. The 2 KB 850: 2,000 files read and translated per round (per-file microseconds), against 2,000
   node-x12 parses of it in one node process.
4. Peak RSS of ``crossdock edi translate --json`` (the command's own code, output to /dev/null) over
   64 KiB, 10 MB and 100 MB of 850s, each in a fresh child that reports its OWN high-water mark
   (``VmHWM``; ``ru_maxrss`` would carry the parent's peak into the child).

Targets (issue 14): read + translate at least 1.5x node-x12's parse on the 850 and the 856 file; a
2 KB 850 in at most 300 us; memory flat. The last line is one JSON object: translate_seg_per_s_850,
translate_seg_per_s_856, nodex12_seg_per_s_850, nodex12_seg_per_s_856, ratio_vs_nodex12_850,
ratio_vs_nodex12_856, per_file_us_2kb_850, peak_rss_mb_10mb, peak_rss_mb_100mb, then the CPU-time
ratios and per-file figure, the reference rates and the baseline peak.

Run: ``.venv/bin/python bench/edi_bench.py`` (``--quick`` for a smoke run with small files).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pydantic import BaseModel  # noqa: E402

from crossdock.canonical import gs1_check_digit  # noqa: E402
from crossdock.edi.control import InMemoryControlNumbers  # noqa: E402
from crossdock.edi.partners import PartnerProfile  # noqa: E402
from crossdock.edi.reader import X12Reader  # noqa: E402
from crossdock.edi.segment import Segment  # noqa: E402
from crossdock.edi.writer import build_interchange, iter_interchange  # noqa: E402

NOW = datetime(2026, 11, 24, 12, 0)
PROFILE = PartnerProfile(name="bench", sender_id="BUYER", receiver_id="CROSSDOCK")
SETS_PER_INTERCHANGE = 500


def order_body(number: int, lines: int = 40) -> list[Segment]:
    body = [
        Segment.of("BEG", "00", "SA", f"PO-{number}", None, "20261120"),
        Segment.of("CUR", "BY", "USD"),
        Segment.of("REF", "DP", "038"),
        Segment.of("DTM", "002", "20261128"),
        Segment.of("TD5", None, "2", "UPSN", None, "UPS GROUND"),
        Segment.of("N1", "ST", "STORE 12", "92", "0012"),
        Segment.of("N3", "1 MAIN ST"),
        Segment.of("N4", "TORONTO", "ON", "M5V 2T6", "CAN"),
        Segment.of("N1", "BY", "THE BUYER CO", "9", "123456789"),
    ]
    for line in range(1, lines + 1):
        body.append(Segment.of("PO1", str(line), "24", "EA", "12.5", "PE", "UP", "012345678905", "SK", f"TEE-{line}"))
        body.append(Segment.of("PID", "F", None, None, None, "TEE SHIRT"))
    body.append(Segment.of("CTT", str(lines), str(24 * lines)))
    return body


def shipment_body(number: int, packs: int = 30) -> list[Segment]:
    body = [
        Segment.of("BSN", "00", f"ASN-{number}", "20261124", "1200", "0001"),
        Segment.of("HL", "1", None, "S"),
        Segment.of("TD1", "CTN25", str(packs), None, None, None, "G", "40.5", "LB"),
        Segment.of("TD5", None, "2", "FDEG", None, "FEDEX GROUND"),
        Segment.of("REF", "BM", f"BOL-{number}"),
        Segment.of("DTM", "011", "20261124", "1530"),
        Segment.of("N1", "SF", "VENDOR WH", "9", "0614141000005"),
        Segment.of("N4", "RENO", "NV", "89501", "USA"),
        Segment.of("N1", "ST", "ACME DC 7", "92", "0007"),
        Segment.of("HL", "2", "1", "O"),
        Segment.of("PRF", f"PO-{number}", None, None, "20261120"),
    ]
    hl = 2
    for pack in range(packs):
        serial = f"00614141{(number * packs + pack) % 10**9:09d}"
        hl += 1
        body.append(Segment.of("HL", str(hl), "2", "P"))
        body.append(Segment.of("MAN", "GM", serial + str(gs1_check_digit(serial))))
        hl += 1
        body.append(Segment.of("HL", str(hl), str(hl - 1), "I"))
        body.append(Segment.of("LIN", str(pack + 1), "UP", "012345678905", "SK", "TEE-M"))
        body.append(Segment.of("SN1", None, "24", "EA"))
        body.append(Segment.of("PID", "F", None, None, None, "TEE SHIRT"))
    body.append(Segment.of("CTT", str(hl)))
    return body


KINDS: dict[str, tuple[str, Callable[[int], list[Segment]]]] = {
    "850": ("PO", order_body),
    "856": ("SH", shipment_body),
}


def write_file(path: Path, set_id: str, target_bytes: int) -> int:
    """Write interchanges of ``set_id`` sets until the file reaches ``target_bytes``; returns its size."""
    functional_id, make_body = KINDS[set_id]
    allocator = InMemoryControlNumbers()
    template = make_body(1)
    written = 0

    def bodies() -> Iterator[tuple[str, list[Segment]]]:
        for _ in range(SETS_PER_INTERCHANGE):
            if written >= target_bytes:
                return
            yield set_id, template

    with path.open("wb") as out:
        while written < target_bytes:
            for chunk in iter_interchange(PROFILE, [(functional_id, bodies())], allocator, now=NOW):
                out.write(chunk)
                written += len(chunk)
    return written


def read_and_translate(data: bytes) -> int:
    """``data`` through the production path: ``X12Reader(data)`` feeding ``iter_translations``, exactly
    as the worker's ``edi.inbound`` step reads a stored file; returns the sets translated."""
    from crossdock.edi.translate import iter_translations

    translated = 0
    for result in iter_translations(X12Reader(data)):
        if result.status != "translated":
            raise SystemExit(f"bench data did not translate: {result.errors}")
        translated += 1
    return translated


def read_only(data: bytes) -> int:
    """``data`` through the reader alone (no translation); returns its segments ST..SE (the unit of
    every rate here, node-x12's included)."""
    segments = 0
    for ts in X12Reader(data).transaction_sets():
        segments += len(ts.segments) + 2
    return segments


def validation_floor(path: Path, max_sets: int = 400) -> Callable[[], int]:
    """A run that only VALIDATES the canonical documents of the first ``max_sets`` sets of ``path``
    (rebuilt from plain dicts with ``model_validate``, as every translator must): the least any
    translator producing these pydantic documents can cost, reading and mapping aside. Returns the run
    (counting the sets' segments)."""
    from crossdock.edi.translate import translate_set

    dumped: list[tuple[type[BaseModel], dict[str, object]]] = []
    segments = 0
    with path.open("rb") as stream:
        for ts in X12Reader(stream).transaction_sets():
            document = translate_set(ts).document
            assert document is not None
            dumped.append((type(document), document.model_dump()))
            segments += len(ts.segments) + 2
            if len(dumped) == max_sets:
                break

    def run() -> int:
        for model, data in dumped:
            model.model_validate(data)
        return segments

    return run


Timed = tuple[int, float | None, float | None]
"""What a run returns: units counted, and its own measured wall and CPU seconds (``None``: those of
the call, in this process)."""


def best_of(repeat: int, runs: dict[str, Callable[[], Timed]]) -> dict[str, tuple[float, int, float]]:
    """For each named run: (fastest wall time, units counted, least CPU time) over ``repeat`` rounds.
    The runs are interleaved round by round, so load from other processes hits all of them alike; the
    CPU time (of the process that did the work) is the steadier figure on a loaded machine."""
    best: dict[str, tuple[float, int, float]] = {name: (float("inf"), 0, float("inf")) for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            start, cpu = time.perf_counter(), time.process_time()
            units, wall, used = run()
            wall = time.perf_counter() - start if wall is None else wall
            used = time.process_time() - cpu if used is None else used
            fastest, _, least = best[name]
            best[name] = (min(wall, fastest), units, min(used, least))
    return best


# --- node-x12, the peer ---------------------------------------------------------------------------
NODE_DIR = Path(__file__).resolve().parent / "node"
"""``package.json`` and ``package-lock.json`` pin node-x12; ``npm ci`` installs it here when missing."""


def node_x12_ready() -> str | None:
    """None when node-x12 can run (installing it from the lock file if needed), else why not."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        return "Node.js is not installed: node-x12 not measured"
    if (NODE_DIR / "node_modules" / "node-x12" / "package.json").is_file():
        return None
    if npm is None:
        return "npm is not installed: node-x12 not measured"
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, capture_output=True, text=True,
                          timeout=600)  # fmt: skip
    if done.returncode != 0:
        return f"npm ci failed in {NODE_DIR}: node-x12 not measured ({done.stderr.strip()[-300:]})"
    return None


def node_parse(path: Path, parses: int = 1) -> dict[str, float]:
    """node-x12's parse of ``path`` in a fresh node process (one warm-up parse, then one round of
    ``parses`` parses): its figures (sets, segments, best_round_s, per_parse_s)."""
    done = subprocess.run(["node", str(NODE_DIR / "parse.js"), str(path), "1", str(parses)], check=True,
                          capture_output=True, text=True, timeout=3600)  # fmt: skip
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def small_850(lines: int = 22) -> bytes:
    """One interchange holding one 850 of ``lines`` PO1/PID pairs: about 2 KB with the default."""
    return build_interchange(PROFILE, "PO", [("850", order_body(1, lines))], InMemoryControlNumbers(), now=NOW)


def child_peak_rss_mb(path: Path) -> float:
    """Run ``crossdock edi translate --json path`` in a fresh interpreter; its own VmHWM, in MB."""
    out = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True, capture_output=True,
                         text=True, timeout=3600)
    return float(out.stdout.strip().splitlines()[-1])


def own_peak_rss_mb() -> float:
    """This process's resident high-water mark (VmHWM; reset by exec, unlike ru_maxrss), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)  # kB
    raise SystemExit("no VmHWM in /proc/self/status (this figure needs Linux)")


def child(path: Path) -> None:
    """The production command, in this process, its JSON to /dev/null; then print this process's peak."""
    from crossdock.cli import app

    real = sys.stdout
    with open(os.devnull, "w") as sink:
        sys.stdout = sink
        try:
            code = app(["edi", "translate", "--json", str(path)], standalone_mode=False)
        finally:
            sys.stdout = real
    if code not in (0, None):
        raise SystemExit(f"edi translate exited {code} on the bench file")
    print(own_peak_rss_mb())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small files, one repeat (a smoke run)")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds; the best of each is kept")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    mb = 1024 * 1024
    size, pyx12_size, rss_sizes, small_runs = (8 * mb, 256 * 1024, (10 * mb, 100 * mb), 2000)
    repeat = args.repeat
    if args.quick:
        size, pyx12_size, rss_sizes, repeat, small_runs = (mb, 64 * 1024, (mb, 4 * mb), 1, 200)
    missing = node_x12_ready()
    if missing:
        print(missing)

    from crossdock.edi.validate import X12Validator

    validator = X12Validator()
    figures: dict[str, float | None] = {}
    with tempfile.TemporaryDirectory(prefix="edi-bench-") as tmp:
        folder = Path(tmp)
        for set_id in KINDS:
            big = folder / f"big-{set_id}.x12"
            write_file(big, set_id, size)
            data = big.read_bytes()
            segments = read_only(data)
            floor = validation_floor(big)
            runs: dict[str, Callable[[], Timed]] = {
                "translate": lambda data=data, segments=segments: (read_and_translate(data) and segments, None, None),
                "read": lambda data=data: (read_only(data), None, None),
                "floor": lambda floor=floor: (floor(), None, None),
            }
            if not missing:
                runs["nodex12"] = lambda big=big, segments=segments: _node_timed(node_parse(big), segments)
            timed = best_of(repeat, runs)
            rate = {name: units / seconds for name, (seconds, units, _) in timed.items()}
            cpu_rate = {name: units / cpu for name, (_, units, cpu) in timed.items()}
            small = folder / f"small-{set_id}.x12"
            write_file(small, set_id, pyx12_size)
            small_data = small.read_bytes()

            def validate(small_data: bytes = small_data) -> Timed:
                report = validator.validate(small_data)
                if not report.valid:
                    raise SystemExit(f"bench data is not valid for pyx12: {report.all_issues()[:3]}")
                return sum(s.segment_count for s in report.sets()), None, None

            validator.validate(small_data)  # load the maps outside the timing
            pyx12_seconds, pyx12_segments, _ = best_of(1, {"pyx12": validate})["pyx12"]
            rate["pyx12"] = pyx12_segments / pyx12_seconds
            node_rate = rate.get("nodex12")
            node_cpu_rate = cpu_rate.get("nodex12")
            print(f"{set_id}: {len(data) / mb:.1f} MB, {segments} segments; read+translate "
                  f"{rate['translate']:,.0f} seg/s; node-x12 parse "
                  + (f"{node_rate:,.0f} seg/s (ratio {rate['translate'] / node_rate:.2f}, target >= 1.5; "
                     f"by CPU time {cpu_rate['translate'] / node_cpu_rate:.2f})" if node_rate and node_cpu_rate
                     else "not measured")
                  + f"; read only {rate['read']:,.0f} seg/s; model validation alone {rate['floor']:,.0f} seg/s; "
                  f"pyx12 validation on a {len(small_data) / 1024:.0f} KiB slice {rate['pyx12']:,.0f} seg/s")
            figures[f"translate_seg_per_s_{set_id}"] = round(rate["translate"])
            figures[f"nodex12_seg_per_s_{set_id}"] = round(node_rate) if node_rate else None
            figures[f"ratio_vs_nodex12_{set_id}"] = round(rate["translate"] / node_rate, 2) if node_rate else None
            figures[f"ratio_vs_nodex12_{set_id}_cpu"] = (
                round(cpu_rate["translate"] / node_cpu_rate, 2) if node_cpu_rate else None)
            figures[f"read_seg_per_s_{set_id}"] = round(rate["read"])
            figures[f"validate_floor_seg_per_s_{set_id}"] = round(rate["floor"])
            figures[f"pyx12_seg_per_s_{set_id}"] = round(rate["pyx12"])
        one = small_850()
        one_path = folder / "one-850.x12"
        one_path.write_bytes(one)
        small_timed: dict[str, Callable[[], Timed]] = {
            "translate": lambda: (sum(read_and_translate(one) for _ in range(small_runs)), None, None),
        }
        if not missing:
            small_timed["nodex12"] = lambda: _node_small(node_parse(one_path, small_runs), small_runs)
        read_and_translate(one)  # first use: imports and pydantic's lazy set-up outside the timing
        small_best = best_of(repeat, small_timed)
        per_file = {name: seconds / units * 1e6 for name, (seconds, units, _) in small_best.items()}
        per_file_cpu = {name: cpu / units * 1e6 for name, (_, units, cpu) in small_best.items()}
        node_us = per_file.get("nodex12")
        print(f"one {len(one)}-byte 850 (one interchange): read+translate {per_file['translate']:,.0f} us per file "
              f"(target <= 300; CPU {per_file_cpu['translate']:,.0f} us); node-x12 parse "
              + (f"{node_us:,.0f} us (CPU {per_file_cpu['nodex12']:,.0f} us)" if node_us else "not measured"))
        figures["per_file_us_2kb_850"] = round(per_file["translate"])
        figures["per_file_us_2kb_850_cpu"] = round(per_file_cpu["translate"])
        figures["nodex12_per_file_us_2kb_850"] = round(node_us) if node_us else None
        peaks = []
        for rss_size in (64 * 1024, *rss_sizes):
            path = folder / f"rss-{rss_size}.x12"
            write_file(path, "850", rss_size)
            peaks.append(child_peak_rss_mb(path))
            path.unlink()
            print(f"peak RSS of `crossdock edi translate --json` over {rss_size / mb:.2f} MB of 850s: {peaks[-1]} MB")
    figures["peak_rss_mb_10mb"] = peaks[1]
    figures["peak_rss_mb_100mb"] = peaks[2]
    figures["peak_rss_mb_baseline"] = peaks[0]
    if missing:
        figures["nodex12_note"] = missing  # type: ignore[assignment]
    order = ["translate_seg_per_s_850", "translate_seg_per_s_856", "nodex12_seg_per_s_850", "nodex12_seg_per_s_856",
             "ratio_vs_nodex12_850", "ratio_vs_nodex12_856", "per_file_us_2kb_850", "peak_rss_mb_10mb",
             "peak_rss_mb_100mb"]  # fmt: skip
    print(json.dumps({key: figures[key] for key in order} | figures))


def _node_timed(figures: dict[str, float], segments: int) -> Timed:
    if int(figures["segments"]) != segments:
        raise SystemExit(f"node-x12 counted {figures['segments']} segments, crossdock {segments}: not the same file")
    return segments, figures["best_round_s"], figures["best_round_cpu_s"]


def _node_small(figures: dict[str, float], parses: int) -> Timed:
    return parses, figures["best_round_s"], figures["best_round_cpu_s"]


if __name__ == "__main__":
    main()
