"""Real 860s and 855s from ../shared/corpus/x12/860 and /855 (skipped when there are none): each is
checked by our own 860 and 855 maps (never "no map"), and each 860 set either translates to an amendment
Order (purpose cancellation or change, lines only the changed ones unless the whole PO is cancelled) or
fails with errors naming the X12 segment and element. Nothing else may escape."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crossdock.canonical import Order, OrderPurpose
from crossdock.edi.report import Status
from crossdock.edi.translate import translate
from crossdock.edi.validate import validate
from tests.conftest import CORPUS

FOLDERS = [CORPUS / "x12" / "860", CORPUS / "x12" / "855"]
FILES = sorted(p for folder in FOLDERS if folder.is_dir() for p in folder.iterdir() if p.is_file())
POSITION = re.compile(r"^(BCH|POC|[A-Z][A-Z0-9]{1,2})(\[\d+\](/[A-Z0-9]{2,3}\d{2})?)?$|^ST\[")


@pytest.mark.skipif(not FILES, reason=f"no 855 or 860 files under {CORPUS / 'x12'}")
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_855_and_860_are_checked_by_our_maps_and_860s_translate(path: Path) -> None:
    data = path.read_bytes()
    report = validate(data, source=path.name)
    for set_report in report.sets():
        if set_report.set_id in ("855", "860"):
            assert set_report.status is not Status.NOT_VALIDATED, set_report.issues
    for item in translate(data, source=path.name).sets:
        if item.set_id != "860":
            continue
        if item.status == "failed":
            assert item.errors and all(POSITION.match(where) for where, _ in item.errors), item.errors
            continue
        order = item.document
        assert isinstance(order, Order)
        assert order.purpose in (OrderPurpose.CANCELLATION, OrderPurpose.CHANGE)
        assert order.line_changes_only or (order.purpose is OrderPurpose.CANCELLATION and not order.lines)
