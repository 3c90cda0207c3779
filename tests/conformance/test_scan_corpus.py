"""The envelope scan and the reader agree on every file of the shared corpus and the examples: the
same senders, ISA13s and sets when the reader reads the file, a refusal when it does not (skipped
without the corpus; the examples always run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.edi.reader import X12Reader
from crossdock.edi.scan import scan_envelopes
from crossdock.errors import EdiError
from tests.conftest import CORPUS

ROOT = Path(__file__).resolve().parents[2]
X12_DIR = CORPUS / "x12"
CORPUS_FILES = sorted(p for p in X12_DIR.rglob("*") if p.is_file() and p.suffix.lower() != ".md")
FILES = [*sorted((ROOT / "examples").glob("*.x12")), *CORPUS_FILES]

Verdict = list[tuple[str, str, str, str, str]] | None


def by_reader(data: bytes) -> Verdict:
    try:
        return [(ts.sender_qualifier, ts.sender_id, ts.interchange_control_number.strip(), ts.set_id,
                 ts.control_number) for ts in X12Reader(data).transaction_sets()]  # fmt: skip
    except EdiError:
        return None


def by_scan(data: bytes) -> Verdict:
    try:
        scan = scan_envelopes(data)
    except EdiError:
        return None
    return [(ic.sender_qualifier, ic.sender_id, ic.control_number, set_id, control)
            for ic in scan.interchanges for _, set_id, control in ic.sets]  # fmt: skip


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_the_scan_agrees_with_the_reader(path: Path) -> None:
    data = path.read_bytes()
    assert by_scan(data) == by_reader(data)
