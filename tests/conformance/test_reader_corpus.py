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
        if not issues:  # the defect is inside a set, not in its envelope: the validator must see it
            from crossdock.edi.validate import validate

            assert not validate(data, source=path.name).valid, f"{path.name}: negative sample found valid"
        return
    with path.open("rb") as stream:
        reader = X12Reader(stream, source=path.name)
        sets = list(reader.transaction_sets())
    assert sets, f"{path.name}: no transaction set read"
    assert all(s.se is not None and s.set_id.isdigit() for s in sets)
    reports = check_envelopes(data, source=path.name)
    counted = sum(len(g.sets) for report in reports for g in report.groups)
    assert counted == len(sets)
    for report in reports:
        for group in report.groups:
            for one in group.sets:
                assert one.ok, (path.name, one.issues)
