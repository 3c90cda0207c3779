"""Delivering into a local outbound folder: once per name, never through a planted link."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crossdock.actors.handlers.outbound import FolderOutbound
from crossdock.errors import BusinessError

AT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_a_retried_delivery_writes_the_file_once(tmp_path: Path) -> None:
    outbound = FolderOutbound(tmp_path / "out", "acme")
    first = outbound.deliver(b"ISA-one", set_id="940", control=7, at=AT)
    again = outbound.deliver(b"ISA-two", set_id="940", control=7, at=AT)
    assert first == again
    assert Path(first).read_bytes() == b"ISA-one"
    assert [p.name for p in (tmp_path / "out").iterdir()] == [Path(first).name]


def test_a_link_planted_under_the_name_is_not_taken_as_delivered(tmp_path: Path) -> None:
    # Given a dangling link planted under the name the 940 will get
    outbound = FolderOutbound(tmp_path / "out", "acme")
    (tmp_path / "out").mkdir()
    name = Path(outbound.deliver(b"probe", set_id="997", control=1, at=AT)).name.replace("997", "940")
    elsewhere = tmp_path / "elsewhere.edi"
    (tmp_path / "out" / name).symlink_to(elsewhere)
    # When the 940 is delivered, then it fails for a person to look at, and nothing is written through
    with pytest.raises(BusinessError, match="symbolic link"):
        outbound.deliver(b"ISA-940", set_id="940", control=1, at=AT)
    assert not elsewhere.exists()
