"""The InboundSink contract, run against every sink that ships (the store-backed one joins later)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.bridges.sftp import InboundSink, MemorySink, identify
from crossdock.bridges.sftp.folder_sink import FolderSink
from tests.fixtures.sshd import interchange


@pytest.fixture(params=["memory", "folder"])
def sink(request: pytest.FixtureRequest, tmp_path: Path) -> InboundSink:
    return MemorySink() if request.param == "memory" else FolderSink(tmp_path / "sink")


def test_store_is_idempotent(sink: InboundSink) -> None:
    data = interchange(control=1)
    item, _ = identify("acme", "a.edi", data)
    assert sink.store_raw(item, data) == sink.store_raw(item, data)


def test_a_file_is_a_duplicate_only_after_enqueue(sink: InboundSink) -> None:
    data = interchange(control=2)
    item, _ = identify("acme", "a.edi", data)
    ref = sink.store_raw(item, data)
    assert sink.find_duplicate(item) is None
    sink.enqueue(ref, item)
    assert sink.find_duplicate(item) is not None


def test_same_interchange_from_the_same_partner_under_another_name_is_a_duplicate(sink: InboundSink) -> None:
    first, _ = identify("acme", "a.edi", interchange(control=3))
    sink.enqueue(sink.store_raw(first, interchange(control=3)), first)
    renamed, _ = identify("acme", "b.edi", interchange(control=3))
    other_control, _ = identify("acme", "c.edi", interchange(control=4))
    other_partner, _ = identify("globex", "b.edi", interchange(control=3))
    assert sink.find_duplicate(renamed) is not None
    assert sink.find_duplicate(other_control) is None
    assert sink.find_duplicate(other_partner) is None


def test_a_reused_isa13_with_other_content_is_not_a_duplicate(sink: InboundSink) -> None:
    # Given an interchange delivered, then the partner's counter reset and ISA13 3 came back
    first, _ = identify("acme", "a.edi", interchange(control=3))
    sink.enqueue(sink.store_raw(first, interchange(control=3)), first)
    reused, _ = identify("acme", "b.edi", interchange(control=3, body="R"))
    # Then the new interchange is not a duplicate, under a new name or under the same one
    assert sink.find_duplicate(reused) is None
    same_name, _ = identify("acme", "a.edi", interchange(control=3, body="R"))
    assert sink.find_duplicate(same_name) is None


def test_the_mailbox_lock_is_held_by_one_poller_at_a_time(sink: InboundSink, tmp_path: Path) -> None:
    assert isinstance(sink, MemorySink | FolderSink)
    other = sink if isinstance(sink, MemorySink) else FolderSink(tmp_path / "sink")
    with (
        sink.hold("sftp://u@h:22/inbound") as first,
        other.hold("sftp://u@h:22/inbound") as second,
        other.hold("sftp://u@h:22/other") as third,
    ):
        assert (first, second, third) == (True, False, True)
    with other.hold("sftp://u@h:22/inbound") as again:
        assert again


def test_same_name_with_new_content_is_not_a_duplicate(sink: InboundSink) -> None:
    first, _ = identify("acme", "daily.edi", interchange(control=5))
    sink.enqueue(sink.store_raw(first, interchange(control=5)), first)
    next_day, _ = identify("acme", "daily.edi", interchange(control=6))
    assert sink.find_duplicate(next_day) is None


def test_rejected_files_are_not_duplicates(sink: InboundSink) -> None:
    item, reason = identify("acme", "junk.txt", b"junk")
    assert reason is not None
    sink.record_rejected(item, b"junk", reason)
    sink.record_duplicate(item, "journal only")
    assert sink.find_duplicate(item) is None
