"""Reader and envelope conformance over the shared corpus of third-party X12 files (skipped without it).

Every file must read; files that are genuinely invalid (named ``*fail*`` / ``*Failed*``) must come out
with a precise envelope issue or EdiError (or, when the defect is inside a set, an invalid validation
report), never any other exception. tests/conformance/test_corpus.py covers
translation and validation; this one covers only reading and envelopes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.edi.envelope import check_envelopes
from crossdock.edi.reader import X12Reader
from crossdock.errors import EdiError
from tests.conftest import CORPUS

X12_DIR = CORPUS / "x12"
FILES = sorted(p for p in X12_DIR.rglob("*") if p.is_file() and p.suffix.lower() != ".md") if X12_DIR.is_dir() else []

pytestmark = pytest.mark.timeout(60)


# Files studied today whose envelopes are clean: a reader or envelope-check regression fails on them.
# Other partner files must read (or fail with a positioned EdiError) and get positioned issues.
KNOWN_CLEAN_ENVELOPES = {
    "staedi__simple810.edi", "bots-plugins__850-004010-08.x12", "bots-plugins__850-004010-10.x12",
    "bots-plugins__850-004010.15.x12", "bots-plugins__850-004030-03.x12", "bots-plugins__850_01.x12",
    "node-x12__850.edi", "node-x12__850_fat.edi", "EdiEngine__856.Crossdock.OK.edi", "bots-plugins__856_2.x12",
    "bots-plugins__PARTNER2_20130123_1.x12", "node-x12__856.edi", "EdiEngine__940.2.OK.edi",
    "EdiEngine__940.OK.edi", "EdiEngine__AckTest.edi", "EdiFabric-X12.NET__WarehouseShippingAdvice.txt",
    "staedi__simple997.edi", "stupidedi-FA997-pass__1.edi",
}  # fmt: skip
KNOWN_NEGATIVE = {"stupidedi-SH856-fail__2.edi", "EdiEngine__940_Failed_SE01.edi"}


def _negative(name: str) -> bool:
    return "fail" in name.lower()


def test_corpus_is_present_or_skipped() -> None:
    if not FILES:
        pytest.skip(f"no X12 corpus under {X12_DIR}")
    assert any(not _negative(p.name) for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_reads_and_gets_envelope_checks(path: Path) -> None:
    data = path.read_bytes()
    if _negative(path.name):
        try:
            reports = check_envelopes(data, source=path.name)
        except EdiError as exc:
            assert exc.offset is not None or exc.segment_index is not None, str(exc)
            return
        issues = [issue for report in reports for issue in report.all_issues() if issue.is_error]
        assert all(issue.segment_index is not None and issue.code for issue in issues)
        if not issues and path.name in KNOWN_NEGATIVE:
            # the defect is inside a set, not in its envelope: the validator must see it
            from crossdock.edi.validate import validate

            assert not validate(data, source=path.name).valid, f"{path.name}: negative sample found valid"
        return
    try:
        with path.open("rb") as stream:
            reader = X12Reader(stream, source=path.name)
            sets = list(reader.transaction_sets())
    except EdiError as exc:
        assert path.name not in KNOWN_CLEAN_ENVELOPES, str(exc)
        assert exc.offset is not None or exc.segment_index is not None, str(exc)
        return
    assert sets, f"{path.name}: no transaction set read"
    assert all(s.set_id for s in sets)
    reports = check_envelopes(data, source=path.name)
    counted = sum(len(g.sets) for report in reports for g in report.groups)
    assert counted == len(sets)
    for report in reports:
        for issue in report.all_issues():
            assert issue.code and (issue.segment_index is not None or issue.offset is not None), issue
        if path.name in KNOWN_CLEAN_ENVELOPES:
            assert all(s.se is not None and s.set_id.isdigit() for s in sets)
            for group in report.groups:
                for one in group.sets:
                    assert one.ok, (path.name, one.issues)
