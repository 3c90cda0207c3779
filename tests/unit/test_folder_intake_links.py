"""A local mailbox never reads through a symbolic link: a link could point outside the folder."""

from __future__ import annotations

from pathlib import Path

from crossdock.actors.folder_intake import poll_folder
from crossdock.bridges.sftp.sink import MemorySink


def test_symlink_in_inbound_is_refused_and_its_target_never_read(tmp_path: Path) -> None:
    # Given a secret outside the mailbox and a link to it in the inbound folder
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_bytes(b"ISA*00*not for the partner~")
    inbound = tmp_path / "mailbox" / "inbound"
    inbound.mkdir(parents=True)
    (inbound / "order.edi").symlink_to(secret)
    sink = MemorySink()

    # When the folder is polled
    report = poll_folder(tmp_path / "mailbox", "acme", sink)

    # Then the link is reported unsafe, nothing of the target is stored, and the link stays put
    assert [name for name, _ in report.unsafe] == ["order.edi"]
    assert not sink.stored and not sink.rejected and not sink.queue
    assert (inbound / "order.edi").is_symlink()
    assert secret.read_bytes() == b"ISA*00*not for the partner~"


def test_a_link_planted_as_the_reason_file_is_replaced_not_written_through(tmp_path: Path) -> None:
    # Given a file that is not X12 and, in the error folder, a link named like its reason file
    victim = tmp_path / "outside" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text("keep me\n")
    mailbox = tmp_path / "mailbox"
    (mailbox / "inbound").mkdir(parents=True)
    (mailbox / "inbound" / "junk.edi").write_bytes(b"not x12 at all")
    (mailbox / "error").mkdir()
    (mailbox / "error" / "junk.edi.reason.txt").symlink_to(victim)

    # When the folder is polled
    report = poll_folder(mailbox, "acme", MemorySink())

    # Then the file is rejected with its reason beside it, and the link's target is untouched
    assert [name for name, _ in report.rejected] == ["junk.edi"]
    reason = mailbox / "error" / "junk.edi.reason.txt"
    assert not reason.is_symlink() and reason.read_text().strip() == report.rejected[0][1]
    assert victim.read_text() == "keep me\n"


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    # Given a file larger than the mailbox accepts, beside a normal one
    mailbox = tmp_path / "mailbox"
    (mailbox / "inbound").mkdir(parents=True)
    (mailbox / "inbound" / "huge.edi").write_bytes(b"ISA" + b"*" * 2000)
    sink = MemorySink()

    # When the folder is polled with a 1 KiB limit
    report = poll_folder(mailbox, "acme", sink, max_file_bytes=1024)

    # Then it goes to the error folder with a reason naming the limit; nothing is stored or enqueued
    [(name, reason)] = report.rejected
    assert name == "huge.edi" and "max_file_bytes 1024" in reason
    assert not sink.stored and not sink.queue
    assert (mailbox / "error" / "huge.edi").exists()
    assert "max_file_bytes" in (mailbox / "error" / "huge.edi.reason.txt").read_text()
