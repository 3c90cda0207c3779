from __future__ import annotations

import stat

import pytest

from crossdock.bridges.sftp import IsaKey, MemorySink, RemoteEntry, StabilityTracker, identify
from tests.fixtures.sshd import interchange

FILE = stat.S_IFREG | 0o644
DIR = stat.S_IFDIR | 0o755


def entry(name: str, size: int = 10, mtime: int = 100, mode: int = FILE) -> RemoteEntry:
    return RemoteEntry(name, size, mtime, mode)


def test_a_file_is_ready_after_two_equal_looks() -> None:
    tracker = StabilityTracker()
    assert tracker.ready([entry("a.edi")]) == ([], ["a.edi"])
    ready, waiting = tracker.ready([entry("a.edi")])
    assert [e.name for e in ready] == ["a.edi"] and waiting == []


@pytest.mark.parametrize("changed", [entry("a.edi", size=11), entry("a.edi", mtime=101)])
def test_a_growing_or_touched_file_waits(changed: RemoteEntry) -> None:
    tracker = StabilityTracker()
    tracker.ready([entry("a.edi")])
    assert tracker.ready([changed]) == ([], ["a.edi"])
    assert [e.name for e in tracker.ready([changed])[0]] == ["a.edi"]


def test_forgotten_name_starts_over() -> None:
    tracker = StabilityTracker()
    tracker.ready([entry("a.edi")])
    tracker.forget("a.edi")
    assert tracker.ready([entry("a.edi")]) == ([], ["a.edi"])


def test_directories_hidden_files_and_markers_are_not_candidates() -> None:
    tracker = StabilityTracker()
    listing = [entry("sub", mode=DIR), entry(".a.edi.part"), entry("b.edi"), entry("b.edi.done")]
    assert tracker.ready(listing) == ([], ["b.edi", "b.edi.done"])
    assert tracker.ready(listing, ".done")[1] == []


def test_done_marker_makes_a_file_ready_on_first_look() -> None:
    tracker = StabilityTracker()
    assert tracker.ready([entry("a.edi")], ".done") == ([], ["a.edi"])
    ready, _ = tracker.ready([entry("a.edi", size=99), entry("a.edi.done", size=0)], ".done")
    assert [e.name for e in ready] == ["a.edi"]


def test_identify_reads_isa_sender_and_control_number() -> None:
    item, reason = identify("acme", "a.edi", interchange("WAREHOUSE1", 123456789))
    assert reason is None
    assert item.isa == IsaKey("ZZ", "WAREHOUSE1", "123456789")
    assert item.size == len(interchange("WAREHOUSE1", 123456789)) and len(item.sha256) == 64


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "X12"),
        (b"hello world", "not readable X12"),
        (b"ISA*00*short~", "not readable X12"),
        (interchange()[:150], "X12"),  # truncated inside the first set
    ],
)
def test_identify_says_why_a_file_is_not_x12(data: bytes, why: str) -> None:
    item, reason = identify("acme", "a.edi", data)
    assert reason is not None and why in reason
    assert item.isa is None


def test_memory_sink_reports_duplicates_only_after_enqueue() -> None:
    sink = MemorySink()
    item, _ = identify("acme", "a.edi", interchange(control=5))
    ref = sink.store_raw(item, interchange(control=5))
    assert sink.find_duplicate(item) is None  # stored but not enqueued: must be tried again
    sink.enqueue(ref, item)
    assert sink.find_duplicate(item) is not None
    renamed, _ = identify("acme", "b.edi", interchange(control=5))
    assert "interchange ZZ:ACME3PL#000000005" in (sink.find_duplicate(renamed) or "")
    reused, _ = identify("acme", "b.edi", interchange(control=5, body="Z"))
    assert sink.find_duplicate(reused) is None  # same ISA13, other content: a new interchange
    other_partner, _ = identify("other", "b.edi", interchange(control=5))
    assert sink.find_duplicate(other_partner) is None


def test_memory_sink_refuses_enqueue_before_store() -> None:
    sink = MemorySink()
    item, _ = identify("acme", "a.edi", interchange())
    with pytest.raises(KeyError, match="before it was stored"):
        sink.enqueue("sha256:nothing", item)
