from __future__ import annotations

import json
from pathlib import Path

import pytest

from crossdock.bridges.sftp import identify
from crossdock.bridges.sftp.folder_sink import FolderSink
from crossdock.errors import ConfigError
from tests.fixtures.sshd import interchange


def test_stored_enqueued_files_are_duplicates_after_a_restart(tmp_path: Path) -> None:
    data = interchange(control=3)
    item, _ = identify("acme", "a.edi", data)
    sink = FolderSink(tmp_path)
    ref = sink.store_raw(item, data)
    assert sink.find_duplicate(item) is None
    sink.enqueue(ref, item)
    assert (tmp_path / "raw" / ref.removeprefix("sha256:")).read_bytes() == data
    # Given a new process on the same folder
    restarted = FolderSink(tmp_path)
    assert "same content" in (restarted.find_duplicate(item) or "")
    renamed, _ = identify("acme", "b.edi", data)
    assert "ZZ:ACME3PL#000000003" in (restarted.find_duplicate(renamed) or "")
    reused, _ = identify("acme", "c.edi", interchange(control=3, body="Q"))
    assert restarted.find_duplicate(reused) is None  # same ISA13, other content: a new interchange


def test_another_process_on_the_same_folder_is_seen_once_the_lock_is_taken(tmp_path: Path) -> None:
    # Given two sinks on one folder (two pollers), each with its duplicate index loaded
    data = interchange(control=7)
    item, _ = identify("acme", "a.edi", data)
    first, second = FolderSink(tmp_path), FolderSink(tmp_path)
    assert second.find_duplicate(item) is None
    # When the first one delivers the file under the mailbox lock
    with first.hold("mailbox") as held:
        assert held
        first.enqueue(first.store_raw(item, data), item)
    # Then the second one, once it holds the lock, knows the file
    with second.hold("mailbox") as held:
        assert held and second.find_duplicate(item) is not None


def test_rejected_and_duplicate_events_are_journaled(tmp_path: Path) -> None:
    sink = FolderSink(tmp_path)
    item, reason = identify("acme", "junk.txt", b"junk")
    assert reason is not None
    sink.record_rejected(item, b"junk", reason)
    sink.record_duplicate(item, "seen before")
    events = [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]
    assert [e["event"] for e in events] == ["rejected", "duplicate"]
    assert events[0]["ref"] == "sha256:" + item.sha256 and events[1]["reason"] == "seen before"
    assert FolderSink(tmp_path).find_duplicate(item) is None  # rejected is not delivered


def test_enqueue_before_store_is_refused(tmp_path: Path) -> None:
    item, _ = identify("acme", "a.edi", interchange())
    with pytest.raises(KeyError, match="before it was stored"):
        FolderSink(tmp_path).enqueue("sha256:" + item.sha256, item)


def test_corrupt_journal_is_named(tmp_path: Path) -> None:
    (tmp_path / "journal.jsonl").write_text('{"event": "enqueued"\n')
    item, _ = identify("acme", "a.edi", interchange())
    with pytest.raises(ConfigError, match=r"journal\.jsonl line 1"):
        FolderSink(tmp_path).find_duplicate(item)
