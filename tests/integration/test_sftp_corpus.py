"""Real third-party X12 files (../shared/corpus/x12) dropped on a real sshd: every one is picked up
as X12 (quirky delimiters, BOMs, wrapped lines, several interchanges), and interchanges that repeat a
sender's ISA13 are caught as duplicates. Envelope defects are the validator's business, not the bridge's."""

from __future__ import annotations

import shutil

import pytest

from crossdock.bridges.sftp import InboundPoller, MemorySink, SftpSession, profile_from_dict
from tests.conftest import CORPUS
from tests.fixtures.sshd import SshServer

pytestmark = pytest.mark.integration

X12_DIR = CORPUS / "x12"


def isa_key(data: bytes) -> tuple[str, str, str]:
    """Independent of crossdock's reader: the ISA is fixed width, its 4th byte is the separator."""
    text = data.decode("latin-1")
    text = text[text.index("ISA") :]
    fields = text[:106].split(text[3])
    return fields[5].strip(), fields[6].strip(), fields[13].strip()


def test_every_corpus_file_is_accepted_or_a_true_duplicate(sshd: SshServer) -> None:
    found = X12_DIR.rglob("*") if X12_DIR.exists() else iter(())
    files = sorted(p for p in found if p.is_file() and p.suffix not in {".md", ".py"})
    if not files:
        pytest.skip(f"no X12 corpus at {X12_DIR}")
    # Given every corpus file in the inbound folder, under a safe unique name
    expected_dups: set[str] = set()
    seen: set[tuple[str, str, str]] = set()
    for path in files:
        name = f"{path.parent.name}_{path.name}".replace(" ", "_")
        shutil.copyfile(path, sshd.folder("inbound") / name)
    for name in sorted(p.name for p in sshd.folder("inbound").iterdir()):
        key = isa_key((sshd.folder("inbound") / name).read_bytes())
        if key in seen:
            expected_dups.add(name)
        seen.add(key)
    sink = MemorySink()
    with SftpSession(profile_from_dict(sshd.profile_dict())) as session:
        poller = InboundPoller(session, sink)
        poller.poll_once()
        report = poller.poll_once()
    # Then none is rejected, repeats of (sender, ISA13) are duplicates, and the rest are enqueued
    assert report.rejected == []
    assert {name for name, _ in report.duplicates} == expected_dups
    assert len(report.accepted) == len(files) - len(expected_dups)
    for _, item in sink.queue:
        assert item.isa is not None
        assert (item.isa.sender_qualifier, item.isa.sender_id, item.isa.control_number) == isa_key(
            sink.stored["sha256:" + item.sha256]
        )
