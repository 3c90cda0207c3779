"""The InboundSink and MailboxLock contract, run against every sink that ships: in memory, the folder
sink, and the store-backed sink (SQLite, the in-memory broker)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crossdock.actors.graph import EDI_INBOUND
from crossdock.actors.intake import StoreInboundSink
from crossdock.actors.steps import FlowStep, declare_steps, sender
from crossdock.bridges.sftp import InboundSink, MemorySink, identify
from crossdock.bridges.sftp.folder_sink import FolderSink
from crossdock.broker.setup import build_broker
from crossdock.settings import load_settings
from crossdock.store import Store
from tests.fixtures.sshd import interchange


@pytest.fixture(params=["memory", "folder", "store"])
def sink(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[InboundSink]:
    if request.param == "memory":
        yield MemorySink()
    elif request.param == "folder":
        yield FolderSink(tmp_path / "sink")
    else:
        store: Store = request.getfixturevalue("sqlite_store")
        broker = build_broker(load_settings(environ={}), metrics=False)
        declare_steps(broker, [FlowStep(EDI_INBOUND, lambda ctx, document: None)])
        yield StoreInboundSink(store, sender(broker))
        broker.close()


def _second(sink: InboundSink, tmp_path: Path) -> MemorySink | FolderSink | StoreInboundSink:
    """Another poller's sink on the same mailbox state (another process, in real life)."""
    if isinstance(sink, MemorySink):
        return sink
    if isinstance(sink, FolderSink):
        return FolderSink(tmp_path / "sink")
    assert isinstance(sink, StoreInboundSink)
    return StoreInboundSink(sink.store, sink.send)


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
    if isinstance(sink, StoreInboundSink):
        # the store sees every mailbox: the same ISA sender, ISA13 and bytes through another
        # partner's mailbox is the same interchange delivered twice
        assert sink.find_duplicate(other_partner) is not None
    else:  # the in-memory and folder sinks serve one mailbox's poller: they key by partner too
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
    assert isinstance(sink, MemorySink | FolderSink | StoreInboundSink)
    other = _second(sink, tmp_path)
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
