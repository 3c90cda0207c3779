"""Real third-party X12 files (../shared/corpus/x12) dropped on a real sshd: every one is picked up
as X12 (quirky delimiters, BOMs, wrapped lines, several interchanges), and interchanges that repeat a
sender's ISA13 with the same bytes are caught as duplicates. Envelope defects are the validator's
business, not the bridge's."""

from __future__ import annotations

import io
import shutil

import pytest

from crossdock.bridges.sftp import InboundPoller, MemorySink, SftpSession, profile_from_dict
from crossdock.edi.reader import X12Reader
from crossdock.errors import EdiError
from tests.conftest import CORPUS
from tests.fixtures.sshd import SshServer

pytestmark = pytest.mark.integration

X12_DIR = CORPUS / "x12"


def readable(data: bytes) -> bool:
    """Whether crossdock's reader reads at least one transaction set (the poller's test for X12)."""
    try:
        return any(True for _ in X12Reader(io.BytesIO(data)).transaction_sets())
    except EdiError:
        return False


def isa_key(data: bytes) -> tuple[str, str, str] | None:
    """Independent of crossdock's reader: the 4th byte of the ISA is the element separator (fields are
    counted, not measured, as some partners do not pad them). ``None`` when there is no ISA."""
    text = data.decode("latin-1")
    start = text.find("ISA")
    if start < 0 or len(text) < start + 4:
        return None
    fields = text[start:].split(text[start + 3], 16)
    if len(fields) < 16:
        return None
    return fields[5].strip(), fields[6].strip(), fields[13].strip()


def test_every_corpus_file_is_accepted_or_a_true_duplicate(sshd: SshServer) -> None:
    found = X12_DIR.rglob("*") if X12_DIR.exists() else iter(())
    files = sorted(p for p in found if p.is_file() and p.suffix not in {".md", ".py"})
    if not files:
        pytest.skip(f"no X12 corpus at {X12_DIR}")
    # Given every corpus file in the inbound folder, under a safe unique name
    expected_dups: set[str] = set()
    no_isa: set[str] = set()
    seen: set[tuple[tuple[str, str, str], bytes]] = set()
    for path in files:
        name = f"{path.parent.name}_{path.name}".replace(" ", "_")
        shutil.copyfile(path, sshd.folder("inbound") / name)
    for name in sorted(p.name for p in sshd.folder("inbound").iterdir()):
        data = (sshd.folder("inbound") / name).read_bytes()
        key = isa_key(data)
        if key is None or not readable(data):
            no_isa.add(name)
            continue
        if (key, data) in seen:
            expected_dups.add(name)
        seen.add((key, data))
    sink = MemorySink()
    with SftpSession(profile_from_dict(sshd.profile_dict())) as session:
        poller = InboundPoller(session, sink)
        poller.poll_once()
        report = poller.poll_once()
    # Then only files that are not readable X12 (no ISA, or the reader gives up with a positioned
    # error) are rejected, with a reason; repeats of (sender, ISA13) with the same bytes are duplicates (a
    # reused ISA13 with other content is a new interchange); the rest are enqueued
    assert {name for name, reason in report.rejected if reason} == no_isa
    assert {name for name, _ in report.duplicates} == expected_dups
    assert len(report.accepted) == len(files) - len(expected_dups) - len(no_isa)
    for _, item in sink.queue:
        assert item.isa is not None
        assert (item.isa.sender_qualifier, item.isa.sender_id, item.isa.control_number) == isa_key(
            sink.stored["sha256:" + item.sha256]
        )
