"""Run the validator over every real X12 file in ../shared/corpus/x12 (skipped when the folder is absent).

Every file must produce a report (valid, or invalid with precise errors) or, when it is not X12 at
all, an EdiError; nothing else may escape. The per-file result is printed (``pytest -s``) and the
files known to be valid or invalid are pinned, with the reason, so a regression shows up as a failure.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crossdock.edi.ack import build_acks
from crossdock.edi.control import InMemoryControlNumbers
from crossdock.edi.report import Status
from crossdock.edi.validate import X12Validator
from crossdock.errors import EdiError
from tests.conftest import CORPUS

X12_DIR = CORPUS / "x12"
FILES = sorted(p for p in X12_DIR.rglob("*") if p.is_file() and p.suffix.lower() != ".md") if X12_DIR.is_dir() else []

# Files that are wrong about the standard, and why.
EXPECTED_INVALID = {
    "bots-plugins__850-004010-08.x12": "DTM*037*19980205***19 puts a century in DTM05 (3040 style): P0506 fails",
    "stupidedi-SH856-fail__2.edi": "NEGATIVE: mixed terminators, SE01=25 for 22 segments",
    "EdiEngine__940_Failed_SE01.edi": "NEGATIVE: SE01=12 for 9 segments; W01 and W66 elements misplaced",
    "EdiEngine__AckTest.edi": "made to exercise 997s: N9 without N901, W6606 holding an amount",
    "EdiFabric-X12.NET__WarehouseShippingAdvice.txt": "template: GE01=2 for 1 set, W06 date 'CCYYMMDD'",
}

# Files studied and found right about the standard: a regression in our maps fails on them.
KNOWN_VALID = {
    "bots-plugins__850-004010-10.x12",
    "bots-plugins__850-004010.15.x12",
    "bots-plugins__850-004030-03.x12",
    "bots-plugins__850_01.x12",
    "node-x12__850.edi",
    "node-x12__850_fat.edi",
    "EdiEngine__856.Crossdock.OK.edi",
    "bots-plugins__856_2.x12",
    "bots-plugins__PARTNER2_20130123_1.x12",
    "node-x12__856.edi",
    "EdiEngine__940.2.OK.edi",
    "EdiEngine__940.OK.edi",
    "staedi__simple997.edi",
    "stupidedi-FA997-pass__1.edi",
    "staedi__simple810.edi",
}


@pytest.fixture(scope="module")
def validator(tmp_path_factory: pytest.TempPathFactory) -> X12Validator:
    return X12Validator(cache_root=tmp_path_factory.mktemp("maps"))


@pytest.mark.skipif(not FILES, reason=f"no corpus at {X12_DIR}")
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_file_gets_a_report(validator: X12Validator, path: Path) -> None:
    try:
        report = validator.validate(path.read_bytes(), source=path.name)
    except EdiError as exc:
        print(f"{path.name}: unreadable: {exc}")
        return
    errors = [i for i in report.all_issues() if i.is_error]
    print(f"{path.parent.name}/{path.name}: {report.status.value} ({len(errors)} errors)")
    for issue in errors:
        print(f"    {issue.level.value} {issue.code} {issue.segment_id} pos {issue.segment_position}: {issue.message}")
        assert issue.segment_id or issue.level.value in ("interchange", "group"), "an error must say where"
    if path.name in EXPECTED_INVALID:
        assert report.status is Status.INVALID, EXPECTED_INVALID[path.name]
    elif path.name in KNOWN_VALID:
        assert report.status is not Status.INVALID, [i.message for i in errors]
    # Any other file (partners' files we have not studied yet) is recorded, not judged: it must get a
    # report whose errors say where, which the lines above check.
    # every report can be acknowledged, and the acknowledgment validates against our 997 map
    for ack in build_acks(report, InMemoryControlNumbers(), now=datetime(2024, 1, 1, tzinfo=UTC)):
        assert validator.validate(ack).status is Status.VALID
