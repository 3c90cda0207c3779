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
