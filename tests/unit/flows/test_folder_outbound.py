"""Delivering into a local outbound folder: one file per document name, an existing file counts as
delivered only with the same bytes, never through a planted link."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crossdock.actors.handlers.outbound import FolderOutbound, OutboundConflictError
from crossdock.errors import BusinessError, Owner

AT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_names_carry_the_isa13_and_the_document_id(tmp_path: Path) -> None:
    outbound = FolderOutbound(tmp_path / "out", "acme")
    first = outbound.file_name(set_id="940", control=7, at=AT, doc_id=1)
    second = outbound.file_name(set_id="940", control=7, at=AT, doc_id=2)
    assert first == "acme_940_000000007_20261124T120000_1.edi"
    assert first != second
    bare = FolderOutbound(tmp_path / "out", "acme", pattern="{partner}.x12")
    assert bare.file_name(set_id="940", control=7, at=AT, doc_id=3) == "acme_000000007_3.x12"


def test_a_retried_delivery_of_the_same_bytes_writes_the_file_once(tmp_path: Path) -> None:
    outbound = FolderOutbound(tmp_path / "out", "acme")
    first = outbound.put("acme_940_1.edi", b"ISA-one")
    again = outbound.put("acme_940_1.edi", b"ISA-one")
    assert first == again
    assert Path(first).read_bytes() == b"ISA-one"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["acme_940_1.edi"]


def test_another_file_under_the_name_is_an_error_for_a_person_not_a_delivery(tmp_path: Path) -> None:
    # Given a file with other bytes under the name of a document
    outbound = FolderOutbound(tmp_path / "out", "acme")
    outbound.put("acme_940_1.edi", b"ISA-one")
    # When the document is delivered, then it fails for the integration owner, and nothing is overwritten
    with pytest.raises(OutboundConflictError, match="other content") as caught:
        outbound.put("acme_940_1.edi", b"ISA-two")
    assert caught.value.owner is Owner.INTEGRATION
    assert (tmp_path / "out" / "acme_940_1.edi").read_bytes() == b"ISA-one"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["acme_940_1.edi"]


def test_a_link_planted_under_the_name_is_not_taken_as_delivered(tmp_path: Path) -> None:
    # Given a dangling link planted under the name the 940 will get
    outbound = FolderOutbound(tmp_path / "out", "acme")
    (tmp_path / "out").mkdir()
    elsewhere = tmp_path / "elsewhere.edi"
    (tmp_path / "out" / "acme_940_1.edi").symlink_to(elsewhere)
    # When the 940 is delivered, then it fails for a person to look at, and nothing is written through
    with pytest.raises(BusinessError, match="symbolic link"):
        outbound.put("acme_940_1.edi", b"ISA-940")
    assert not elsewhere.exists()
