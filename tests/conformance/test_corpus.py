"""Every real X12 file in ../shared/corpus/x12 read, validated and translated (skipped when absent).

Per file: reading must succeed or fail with an :class:`EdiError` that says where; validation (pyx12,
``crossdock.edi.validate``) gives a status; each set is translated (``translated`` with warnings and
unmapped segments that say where, ``failed`` with field-level errors naming X12 positions, or
``unsupported``), and every translated document renders back to X12 that translates again. Nothing
else may escape. The table is printed (``pytest -s``) and written as JSON to the pytest tmp dir; the
outcomes of the files known today are pinned so a regression fails.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crossdock.edi.control import InMemoryControlNumbers
from crossdock.edi.partners import PartnerProfile
from crossdock.edi.reader import X12Reader
from crossdock.edi.translate import render, translate
from crossdock.edi.validate import validate
from crossdock.errors import EdiError, MappingError
from tests.conftest import CORPUS

X12_DIR = CORPUS / "x12"
FILES = sorted(p for p in X12_DIR.rglob("*") if p.is_file() and p.suffix.lower() != ".md") if X12_DIR.is_dir() else []

# Set outcomes of the files known today, in file order, and why a set fails.
EXPECTED: dict[str, list[str]] = {
    "staedi__simple810.edi": ["unsupported", "unsupported"],
    "bots-plugins__850-004010-08.x12": ["translated", "translated"],
    "bots-plugins__850-004010-10.x12": ["translated", "translated"],
    # the 4th set has UP values that are not GTINs (11 digits, a dot, an ASIN) on four lines
    "bots-plugins__850-004010.15.x12": ["translated", "translated", "translated", "failed"],
    "bots-plugins__850-004030-03.x12": ["translated"],
    "bots-plugins__850_01.x12": ["translated"],
    "node-x12__850.edi": ["translated"],
    "node-x12__850_fat.edi": ["translated", "translated"],
    "EdiEngine__856.Crossdock.OK.edi": ["translated"],
    "bots-plugins__856_2.x12": ["translated", "translated"],
    "bots-plugins__PARTNER2_20130123_1.x12": ["translated", "translated"],
    "node-x12__856.edi": ["translated"],
    # NEGATIVE: a segment ending in "~" swallows the next ones, so HL*3 names a parent that is not there
    "stupidedi-SH856-fail__2.edi": ["failed"],
    "EdiEngine__940.2.OK.edi": ["translated"],
    "EdiEngine__940.OK.edi": ["translated"],
    # NEGATIVE: W01 elements shifted, no quantity in W0101
    "EdiEngine__940_Failed_SE01.edi": ["failed"],
    "EdiEngine__AckTest.edi": ["translated", "translated", "translated"],
    # template: W06 date is the placeholder "CCYYMMDD"
    "EdiFabric-X12.NET__WarehouseShippingAdvice.txt": ["failed"],
    "staedi__simple997.edi": ["translated"],
    "stupidedi-FA997-pass__1.edi": ["translated"],
}

SUMMARY: dict[str, dict[str, Any]] = {}
PROFILE = PartnerProfile(name="corpus", sender_id="CROSSDOCK", receiver_id="PARTNER")
NOW = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


def _read(path: Path) -> tuple[int, str | None]:
    """Sets read, or the read error (which must say where)."""
    count = 0
    try:
        with path.open("rb") as stream:
            for _ in X12Reader(stream, source=path.name).transaction_sets():
                count += 1
    except EdiError as exc:
        assert exc.where, f"{path.name}: read error without a position: {exc}"
        return count, str(exc)
    return count, None


def _validation(data: bytes, name: str) -> str:
    try:
        return validate(data, source=name).status.value
    except EdiError as exc:
        return f"unreadable: {exc}"


def _rerender(set_id: str, document: Any) -> str:
    """Canonical → X12 (with a partner envelope) → canonical again: never a crash."""
    try:
        out = render(set_id, document, PROFILE, InMemoryControlNumbers(), now=NOW)
    except (MappingError, EdiError) as exc:
        return f"not renderable: {exc}"
    again = translate(out).sets
    assert len(again) == 1 and again[0].status in ("translated", "failed"), again
    return "rerendered" if again[0].status == "translated" else f"rerender failed: {again[0].errors[:2]}"


@pytest.mark.skipif(not FILES, reason=f"no corpus at {X12_DIR}")
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_file_reads_validates_and_translates(path: Path) -> None:
    data = path.read_bytes()
    read_count, read_error = _read(path)
    result = translate(data, source=path.name)
    outcomes = [s.status for s in result.sets]
    entry: dict[str, Any] = {
        "file": f"{path.parent.name}/{path.name}",
        "read": read_error or f"ok ({read_count} sets)",
        "validation": _validation(data, path.name),
        "sets": [],
    }
    for item in result.sets:
        for where, what in item.errors:
            assert where and what, f"{path.name}: an error must name its position and field"
        for warning in item.warnings:
            assert warning.location
        for seg in item.unmapped:
            assert seg.raw.startswith(seg.segment_id) and seg.location
        detail: dict[str, Any] = {
            "set": f"{item.set_id} {item.control_number}",
            "status": item.status,
            "warnings": len(item.warnings),
            "unmapped": len(item.unmapped),
            "errors": [f"{where}: {what}" for where, what in item.errors],
        }
        if item.document is not None and item.set_id != "997":
            detail["rerender"] = _rerender(item.set_id, item.document)
        entry["sets"].append(detail)
    SUMMARY[entry["file"]] = entry
    print(f"{entry['file']:<60} read={entry['read']:<14} validation={entry['validation']:<22} translate={outcomes}")
    for detail in entry["sets"]:
        for error in detail["errors"][:3]:
            print(f"    {detail['set']}: {error}")
    assert read_count == len(result.sets) or read_error is not None
    if path.name in EXPECTED:
        assert outcomes == EXPECTED[path.name]


def test_write_summary(tmp_path_factory: pytest.TempPathFactory) -> None:
    if not SUMMARY:
        pytest.skip("no corpus files were run")
    out = tmp_path_factory.mktemp("corpus") / "corpus_summary.json"
    out.write_text(json.dumps(list(SUMMARY.values()), indent=2))
    print(f"corpus summary: {out}")
    assert json.loads(out.read_text())
