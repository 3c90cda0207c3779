"""The local mailbox poller (folder intake) with two pollers on one folder: the mailbox lock makes the
second one report ``busy``; pollers that do not share a lock lose races without raising, and each file
is stored once and handed on once (the store-backed sink on SQLite, the in-memory broker)."""

from __future__ import annotations

from pathlib import Path

from dramatiq.brokers.stub import StubBroker

from crossdock.actors.folder_intake import poll_folder
from crossdock.actors.intake import StoreInboundSink
from crossdock.actors.steps import sender
from crossdock.bridges.sftp import InboundFile, MemorySink, PollReport
from crossdock.canonical.inbound import InboundPayload
from crossdock.store import Store
from tests.fixtures.sshd import interchange
from tests.unit.flows.test_intake import broker, drain

__all__ = ["broker"]  # the fixture, imported for the tests below


class InterleavingSink(StoreInboundSink):
    """The real store-backed sink; while it hands on its first file, another poller polls the same
    folder (its whole poll inside this one's)."""

    def __init__(self, store: Store, send: object, other: object) -> None:
        super().__init__(store, send)  # type: ignore[arg-type]
        self.other = other
        self.other_reports: list[PollReport] = []

    def enqueue(self, ref: str, item: InboundFile) -> None:
        super().enqueue(ref, item)
        if self.other is not None:
            other, self.other = self.other, None
            self.other_reports.append(other())  # type: ignore[operator]


def _mailbox(root: Path) -> dict[str, bytes]:
    (root / "inbound").mkdir(parents=True)
    files = {f"po_{n}.x12": interchange("BUYER", control=n, set_id="850") for n in (1, 2, 3)}
    for name, data in files.items():
        (root / "inbound" / name).write_bytes(data)
    return files


def test_pollers_without_a_shared_lock_lose_races_and_store_each_file_once(
    sqlite_store: Store, broker: StubBroker, tmp_path: Path
) -> None:
    # Given three files and two pollers that do NOT share a lock (each has its own)
    root = tmp_path / "mailbox"
    files = _mailbox(root)
    send = sender(broker)
    second_sink = StoreInboundSink(sqlite_store, send)
    first_sink = InterleavingSink(
        sqlite_store, send, lambda: poll_folder(root, "buyer", second_sink, lock=MemorySink())
    )
    # When the second polls the whole folder while the first hands on its first file
    report = poll_folder(root, "buyer", first_sink, lock=MemorySink())
    [other] = first_sink.other_reports
    # Then the first reports all three as gone (no exception), the second took the other two and saw
    # the first one as a duplicate (it was accepted already)
    assert [name for name, _ in report.gone] == sorted(files) and report.accepted == []
    assert [name for name, _ in other.accepted] == ["po_2.x12", "po_3.x12"]
    assert [name for name, _ in other.duplicates] == ["po_1.x12"]
    # And each file is stored once and handed on once, and archived
    messages = drain(broker)
    ids = sorted(m.document.payload_id for m in messages if isinstance(m.document, InboundPayload))
    assert len(ids) == 3 and len(set(ids)) == 3
    stored = {ref.name for ref in (sqlite_store.raw.ref(i) for i in ids) if ref is not None}
    assert stored == set(files)
    assert sorted(p.name for p in (root / "archive").iterdir()) == sorted(files)
    assert not (root / "error").exists()


def test_with_the_folder_lock_the_second_poller_reports_busy(
    sqlite_store: Store, broker: StubBroker, tmp_path: Path
) -> None:
    root = tmp_path / "mailbox"
    files = _mailbox(root)
    send = sender(broker)
    second_sink = StoreInboundSink(sqlite_store, send)
    first_sink = InterleavingSink(sqlite_store, send, lambda: poll_folder(root, "buyer", second_sink))
    report = poll_folder(root, "buyer", first_sink)  # both on the default lock: <root>/.poll.lock
    [other] = first_sink.other_reports
    assert other.busy is not None and "another poller" in other.busy and other.accepted == []
    assert [name for name, _ in report.accepted] == sorted(files) and report.gone == []
    assert len(drain(broker)) == 3


def test_the_store_sink_is_the_folder_intakes_lock_across_processes(
    sqlite_store: Store, broker: StubBroker, tmp_path: Path
) -> None:
    # Given the mailbox's lock held in the store (another poller, here or on another host)
    root = tmp_path / "mailbox"
    _mailbox(root)
    sink = StoreInboundSink(sqlite_store, sender(broker))
    with sqlite_store.locks.hold(f"mailbox:folder://{(root / 'inbound').resolve()}") as held:
        assert held
        report = poll_folder(root, "buyer", sink, lock=sink)
    # Then the poll does nothing and says so; afterwards it takes the files
    assert report.busy is not None and report.accepted == [] and len(list((root / "inbound").iterdir())) == 3
    assert len(poll_folder(root, "buyer", sink, lock=sink).accepted) == 3
