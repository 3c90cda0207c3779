"""Uploads against a real OpenSSH sshd: temp name then rename, never overwrite, safe names only."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime

import pytest

from crossdock.bridges.sftp import (
    RemoteFileExistsError,
    SftpSession,
    UnsafeRemoteNameError,
    profile_from_dict,
    upload,
    upload_document,
)
from tests.fixtures.sshd import SshServer, interchange

pytestmark = pytest.mark.integration


def test_final_name_only_ever_appears_complete(sshd: SshServer) -> None:
    # Given a watcher looking at the outbound folder as the 3PL's poller would
    outbound = sshd.folder("outbound")
    data = os.urandom(6 * 1024 * 1024)
    final = outbound / "ASN_000000001.edi"
    sizes_seen: list[int] = []
    part_seen = threading.Event()
    done = threading.Event()

    def watch() -> None:
        for _ in range(200_000):  # bounded
            if done.is_set():
                return
            if (outbound / ".ASN_000000001.edi.part").exists():
                part_seen.set()
            try:
                sizes_seen.append(final.stat().st_size)
            except FileNotFoundError:
                continue

    watcher = threading.Thread(target=watch)
    watcher.start()
    # When crossdock uploads the file
    try:
        with SftpSession(profile_from_dict(sshd.profile_dict())) as session:
            result = upload(session, final.name, data)
    finally:
        done.set()
        watcher.join(timeout=30)
    # Then the final name was never seen partly written, and the bytes went through a .part file
    assert result.path == str(final)
    assert part_seen.is_set()
    assert sizes_seen, "the watcher never saw the final file"
    assert set(sizes_seen) == {len(data)}
    assert final.read_bytes() == data
    assert not (outbound / ".ASN_000000001.edi.part").exists()


def test_existing_target_is_never_overwritten(sshd: SshServer) -> None:
    existing = sshd.folder("outbound") / "ASN_1.edi"
    existing.write_bytes(b"the 3PL has not picked this up yet")
    with SftpSession(profile_from_dict(sshd.profile_dict())) as session, pytest.raises(RemoteFileExistsError) as err:
        upload(session, "ASN_1.edi", b"new content")
    assert existing.read_bytes() == b"the 3PL has not picked this up yet"
    assert str(existing) in str(err.value)
    assert [p.name for p in sshd.folder("outbound").iterdir()] == ["ASN_1.edi"]


def test_rename_refuses_a_target_created_during_the_upload(sshd: SshServer) -> None:
    # Given a target that appears after the existence check (a race with another writer)
    profile = profile_from_dict(sshd.profile_dict())
    target = sshd.folder("outbound") / "RACE.edi"
    with SftpSession(profile) as session:
        original_call = session.call

        def racing_call(action, fn, **kwargs):  # type: ignore[no-untyped-def]
            if action == "rename":
                target.write_bytes(b"someone else's")
            return original_call(action, fn, **kwargs)

        session.call = racing_call  # type: ignore[method-assign]
        with pytest.raises(RemoteFileExistsError):
            upload(session, "RACE.edi", b"ours")
    # Then the server-side rename refused to replace it and the temporary file was removed
    assert target.read_bytes() == b"someone else's"
    assert sorted(p.name for p in sshd.folder("outbound").iterdir()) == ["RACE.edi"]


def test_outbound_name_follows_the_partner_pattern(sshd: SshServer) -> None:
    profile = profile_from_dict(sshd.profile_dict(outbound_name="{partner}_{set}_{control:09d}_{timestamp}.edi"))
    with SftpSession(profile) as session:
        result = upload_document(
            session, interchange(control=42), set_id="856", control=42, at=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
        )
    assert result.path.endswith("/acme3pl_856_000000042_20240506T070809.edi")
    assert (sshd.folder("outbound") / "acme3pl_856_000000042_20240506T070809.edi").read_bytes() == interchange(
        control=42
    )


@pytest.mark.parametrize("name", ["../escape.edi", "/etc/passwd", "a/b.edi", "..", "bad\x00.edi", "x\\y.edi"])
def test_traversal_names_are_rejected_before_any_io(sshd: SshServer, name: str) -> None:
    with SftpSession(profile_from_dict(sshd.profile_dict())) as session, pytest.raises(UnsafeRemoteNameError):
        upload(session, name, b"x")
    assert list(sshd.folder("outbound").iterdir()) == []
    assert not (sshd.sftp_root / "escape.edi").exists()
