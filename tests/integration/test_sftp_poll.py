"""Inbound polling against a real OpenSSH sshd: complete files only, store and enqueue before the move,
duplicates archived and journaled, unreadable or non-X12 files moved to error with a reason file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crossdock.bridges.sftp import InboundFile, InboundPoller, MemorySink, SftpSession, profile_from_dict
from tests.fixtures.sshd import SshServer, interchange

pytestmark = pytest.mark.integration


def _poller(sshd: SshServer, sink: MemorySink, **overrides: object) -> tuple[SftpSession, InboundPoller]:
    session = SftpSession(profile_from_dict(sshd.profile_dict(**overrides)))
    return session, InboundPoller(session, sink)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_complete_file_is_stored_enqueued_then_archived(sshd: SshServer) -> None:
    data = interchange(control=7)
    (sshd.folder("inbound") / "ASN_7.edi").write_bytes(data)
    sink = MemorySink()
    session, poller = _poller(sshd, sink)
    with session:
        first = poller.poll_once()  # first look: not yet known to be complete
        second = poller.poll_once()
    assert first.waiting == ["ASN_7.edi"] and not first.accepted
    assert [name for name, _ in second.accepted] == ["ASN_7.edi"]
    ref, item = sink.queue[0]
    assert sink.stored[ref] == data
    assert item.isa is not None and item.isa.control_number == "000000007" and item.isa.sender_id == "ACME3PL"
    assert names(sshd.folder("inbound")) == []
    assert names(sshd.folder("archive")) == ["ASN_7.edi"]
    assert session.connects == 1  # one connection reused for both polls


def test_settle_wait_gives_the_second_look_within_one_poll(sshd: SshServer) -> None:
    (sshd.folder("inbound") / "ASN_8.edi").write_bytes(interchange(control=8))
    sink = MemorySink()
    session, poller = _poller(sshd, sink, settle_s=0.2)
    with session:
        report = poller.poll_once()
    assert [name for name, _ in report.accepted] == ["ASN_8.edi"]


def test_half_written_file_is_skipped_until_it_stops_growing(sshd: SshServer) -> None:
    # Given a partner still writing a file
    data = interchange(control=9)
    path = sshd.folder("inbound") / "ASN_9.edi"
    path.write_bytes(data[:50])
    sink = MemorySink()
    session, poller = _poller(sshd, sink)
    with session:
        poller.poll_once()
        with path.open("ab") as handle:
            handle.write(data[50:120])
        growing = poller.poll_once()
        with path.open("ab") as handle:
            handle.write(data[120:])
        just_finished = poller.poll_once()
        settled = poller.poll_once()
    # Then nothing was fetched while it grew, and the full file was taken once it was stable
    assert growing.waiting == ["ASN_9.edi"] and not growing.accepted
    assert just_finished.waiting == ["ASN_9.edi"] and not just_finished.accepted
    assert [name for name, _ in settled.accepted] == ["ASN_9.edi"]
    assert sink.stored[sink.queue[0][0]] == data
    assert not sink.rejected


def test_done_marker_decides_completeness_and_is_removed(sshd: SshServer) -> None:
    inbound = sshd.folder("inbound")
    (inbound / "ASN_10.edi").write_bytes(interchange(control=10))
    sink = MemorySink()
    session, poller = _poller(sshd, sink, done_marker=".done")
    with session:
        before = poller.poll_once()
        (inbound / "ASN_10.edi.done").write_bytes(b"")
        after = poller.poll_once()
    assert before.waiting == ["ASN_10.edi"]
    assert [name for name, _ in after.accepted] == ["ASN_10.edi"]
    assert names(inbound) == []
    assert names(sshd.folder("archive")) == ["ASN_10.edi"]


def test_duplicates_by_name_and_hash_and_by_isa_control_number_and_hash(sshd: SshServer) -> None:
    inbound, archive = sshd.folder("inbound"), sshd.folder("archive")
    data = interchange(control=11)
    sink = MemorySink()
    session, poller = _poller(sshd, sink)
    with session:
        (inbound / "ASN_11.edi").write_bytes(data)
        poller.poll_once()
        poller.poll_once()
        # Given the same file dropped again, the same interchange under a new name, and the same
        # ISA13 reused for another interchange (the partner's counter wrapped)
        (inbound / "ASN_11.edi").write_bytes(data)
        (inbound / "RESENT_ASN_11.edi").write_bytes(data)
        (inbound / "WRAPPED_11.edi").write_bytes(interchange(control=11, body="X"))
        poller.poll_once()
        report = poller.poll_once()
    # Then the first two are not enqueued again, but archived and journaled as duplicates; the
    # reused ISA13 with other content is a new interchange, enqueued
    assert [item.name for _, item in sink.queue] == ["ASN_11.edi", "WRAPPED_11.edi"]
    assert [name for name, _ in report.accepted] == ["WRAPPED_11.edi"]
    dup_names = sorted(name for name, _ in report.duplicates)
    assert dup_names == ["ASN_11.edi", "RESENT_ASN_11.edi"]
    reasons = dict(report.duplicates)
    assert "same content" in reasons["ASN_11.edi"]
    assert "ZZ:ACME3PL#000000011" in reasons["RESENT_ASN_11.edi"]
    assert sorted(item.name for item, _ in sink.duplicates) == dup_names
    assert names(inbound) == []
    archived = names(archive)
    assert len(archived) == 4 and "ASN_11.edi" in archived and "RESENT_ASN_11.edi" in archived
    assert any(n.startswith("ASN_11.edi.") for n in archived)  # never over the first archived copy
    assert (archive / "ASN_11.edi").read_bytes() == data


def test_non_x12_file_goes_to_error_with_a_reason_and_is_kept(sshd: SshServer) -> None:
    (sshd.folder("inbound") / "notes.txt").write_bytes(b"hello, this is not EDI")
    sink = MemorySink()
    session, poller = _poller(sshd, sink)
    with session:
        poller.poll_once()
        report = poller.poll_once()
    assert [name for name, _ in report.rejected] == ["notes.txt"]
    assert not sink.queue and not sink.stored
    assert sink.rejected[0][1] == b"hello, this is not EDI"
    error = sshd.folder("error")
    assert names(error) == ["notes.txt", "notes.txt.reason.txt"]
    reason = (error / "notes.txt.reason.txt").read_text()
    assert "not readable X12" in reason and "file: notes.txt" in reason


def test_a_stale_reason_file_is_kept_and_ours_written_beside_it(sshd: SshServer) -> None:
    (sshd.folder("error") / "notes.txt.reason.txt").write_text("from last year")
    (sshd.folder("inbound") / "notes.txt").write_bytes(b"still not EDI")
    session, poller = _poller(sshd, MemorySink())
    with session:
        poller.poll_once()
        report = poller.poll_once()
    assert [name for name, _ in report.rejected] == ["notes.txt"]
    error = names(sshd.folder("error"))
    assert (sshd.folder("error") / "notes.txt.reason.txt").read_text() == "from last year"
    fresh = [n for n in error if n.startswith("notes.txt.2") and n.endswith(".reason.txt")]
    assert len(fresh) == 1
    assert "not readable X12" in (sshd.folder("error") / fresh[0]).read_text()


def test_truncated_interchange_is_rejected(sshd: SshServer) -> None:
    data = interchange(control=12)
    (sshd.folder("inbound") / "ASN_12.edi").write_bytes(data[: data.index(b"SE*")])
    sink = MemorySink()
    session, poller = _poller(sshd, sink)
    with session:
        poller.poll_once()
        report = poller.poll_once()
    assert [name for name, _ in report.rejected] == ["ASN_12.edi"]
    assert "ASN_12.edi.reason.txt" in names(sshd.folder("error"))


def test_unreadable_file_goes_to_error(sshd: SshServer) -> None:
    # Given an entry the server cannot open (a link to a file that does not exist) and a file too large
    inbound = sshd.folder("inbound")
    os.symlink(sshd.root / "missing.edi", inbound / "LINKED.edi")
    (inbound / "BIG.edi").write_bytes(b"x" * 2048)
    sink = MemorySink()
    session, poller = _poller(sshd, sink, max_file_bytes=1024)
    with session:
        poller.poll_once()
        report = poller.poll_once()
    reasons = dict(report.rejected)
    assert set(reasons) == {"LINKED.edi", "BIG.edi"}
    assert "more than max_file_bytes" in reasons["BIG.edi"]
    assert names(sshd.folder("error")) == ["BIG.edi", "BIG.edi.reason.txt", "LINKED.edi", "LINKED.edi.reason.txt"]
    assert names(inbound) == []


def test_sink_failure_leaves_the_remote_file_in_place(sshd: SshServer) -> None:
    class FailingEnqueue(MemorySink):
        def enqueue(self, ref: str, item: InboundFile) -> None:
            raise RuntimeError("broker down")

    (sshd.folder("inbound") / "ASN_13.edi").write_bytes(interchange(control=13))
    failing = FailingEnqueue()
    session, poller = _poller(sshd, failing)
    with session:
        poller.poll_once()
        with pytest.raises(RuntimeError, match="broker down"):
            poller.poll_once()
    # Then the file was stored but not moved: the next poll tries again
    assert failing.stored and not failing.queue
    assert names(sshd.folder("inbound")) == ["ASN_13.edi"]
    assert names(sshd.folder("archive")) == []


def test_unsafe_remote_names_are_refused_and_left_alone(sshd: SshServer) -> None:
    inbound = sshd.folder("inbound")
    (inbound / "has space.edi").write_bytes(interchange(control=14))
    (inbound / "-rf.edi").write_bytes(interchange(control=15))
    sink = MemorySink()
    session, poller = _poller(sshd, sink)
    with session:
        poller.poll_once()
        report = poller.poll_once()
    assert sorted(name for name, _ in report.unsafe) == ["-rf.edi", "has space.edi"]
    assert not sink.queue
    assert names(inbound) == ["-rf.edi", "has space.edi"]
