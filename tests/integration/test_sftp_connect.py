"""Connecting to a real OpenSSH sshd: pinned host keys only, clear errors, reconnect after a drop."""

from __future__ import annotations

import os
import signal

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from crossdock.bridges.sftp import (
    HostKeyMismatchError,
    InboundFile,
    InboundPoller,
    MemorySink,
    SftpAuthError,
    SftpSession,
    profile_from_dict,
    upload,
)
from crossdock.bridges.sftp.hostkeys import fingerprint_of_line
from crossdock.errors import ConfigError, TransientError
from tests.fixtures.sshd import SshServer, _write_ed25519, interchange

pytestmark = pytest.mark.integration


def test_changed_host_key_is_refused_loudly(sshd: SshServer) -> None:
    # Given a profile pinned to the server's current key
    profile = profile_from_dict(sshd.profile_dict())
    pinned = fingerprint_of_line(sshd.host_public_key)
    with SftpSession(profile) as session:
        session.call("list", lambda sftp: sftp.listdir("/"))
    # When the server comes back with a different host key
    sshd.new_host_key()
    sshd.restart()
    offered = fingerprint_of_line(sshd.host_public_key)
    # Then connecting fails with both fingerprints and the host named, and is not retried
    with SftpSession(profile) as session, pytest.raises(HostKeyMismatchError) as err:
        session.call("list", lambda sftp: sftp.listdir("/"))
    message = str(err.value)
    assert isinstance(err.value, ConfigError)
    assert f"127.0.0.1:{sshd.port}" in message
    assert offered in message and pinned in message
    assert session.connects == 0


def test_key_pinned_for_another_host_is_not_used(sshd: SshServer) -> None:
    profile = profile_from_dict(sshd.profile_dict(host_keys=[f"[127.0.0.1]:{sshd.port + 1} {sshd.host_public_key}"]))
    with pytest.raises(ConfigError, match="no pinned host key"):
        SftpSession(profile).open()


def test_unknown_key_type_offered_is_refused(sshd: SshServer) -> None:
    # Given only an ECDSA key pinned: the server's ed25519 key is unknown → the reject policy refuses it
    ecdsa = ec.generate_private_key(ec.SECP256R1()).public_key()
    line = ecdsa.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    profile = profile_from_dict(sshd.profile_dict(host_keys=[line]))
    with pytest.raises(HostKeyMismatchError, match="NOT pinned") as err:
        SftpSession(profile).open()
    assert fingerprint_of_line(sshd.host_public_key) in str(err.value)
    assert fingerprint_of_line(line) in str(err.value)


def test_wrong_user_key_is_an_auth_error(sshd: SshServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "other_key"
    _write_ed25519(other)
    profile = profile_from_dict(sshd.profile_dict(auth={"key_file": str(other)}))
    with pytest.raises(SftpAuthError, match="authentication failed"):
        SftpSession(profile).open()


def test_read_recovers_after_the_connection_is_killed(sshd: SshServer) -> None:
    (sshd.folder("inbound") / "ASN_20.edi").write_bytes(interchange(control=20))
    sink = MemorySink()
    with SftpSession(profile_from_dict(sshd.profile_dict())) as session:
        poller = InboundPoller(session, sink)
        poller.poll_once()
        # When the server side of our connection dies between polls
        assert sshd.kill_sessions() > 0
        report = poller.poll_once()
    # Then the listing and fetch reconnected and the poll completed
    assert [name for name, _ in report.accepted] == ["ASN_20.edi"]
    assert session.connects == 2


def test_hang_mid_poll_surfaces_transient_and_next_poll_archives_as_duplicate(sshd: SshServer) -> None:
    # Given a sink during whose enqueue the server side freezes (after store, before the remote move)
    class FreezeDuringEnqueue(MemorySink):
        frozen: list[int] = []

        def enqueue(self, ref: str, item: InboundFile) -> None:
            super().enqueue(ref, item)
            if not self.frozen:
                self.frozen = sshd.session_pids()
                for pid in self.frozen:
                    os.kill(pid, signal.SIGSTOP)

    (sshd.folder("inbound") / "ASN_21.edi").write_bytes(interchange(control=21))
    sink = FreezeDuringEnqueue()
    timeouts = {"connect_s": 5, "banner_s": 5, "auth_s": 5, "op_s": 1}
    with SftpSession(profile_from_dict(sshd.profile_dict(timeouts=timeouts))) as session:
        poller = InboundPoller(session, sink)
        poller.poll_once()
        # When the poll tries to archive: the rename times out and is not blindly retried
        try:
            with pytest.raises(TransientError, match="rename"):
                poller.poll_once()
        finally:
            sshd.kill_sessions()
        assert (sshd.folder("inbound") / "ASN_21.edi").exists()
        poller.poll_once()
        report = poller.poll_once()
    # Then the next polls reconnect, see a duplicate, archive it, and nothing was enqueued twice
    assert [name for name, _ in report.duplicates] == ["ASN_21.edi"]
    assert len(sink.queue) == 1
    assert (sshd.folder("archive") / "ASN_21.edi").exists()
    assert session.connects == 2


def test_connection_killed_mid_poll_never_loses_or_doubles_a_file(sshd: SshServer) -> None:
    # Given a sink during whose enqueue the server kills our connection
    class DropDuringEnqueue(MemorySink):
        dropped = False

        def enqueue(self, ref: str, item: InboundFile) -> None:
            super().enqueue(ref, item)
            if not self.dropped:
                self.dropped = sshd.kill_sessions() > 0

    (sshd.folder("inbound") / "ASN_23.edi").write_bytes(interchange(control=23))
    sink = DropDuringEnqueue()
    outcomes: list[str] = []
    with SftpSession(profile_from_dict(sshd.profile_dict())) as session:
        poller = InboundPoller(session, sink)
        for _ in range(4):  # bounded: first look, the dropped poll, and at most two to recover
            try:
                report = poller.poll_once()
            except TransientError:
                outcomes.append("transient")
                continue
            outcomes.append("ok")
            if not (sshd.folder("inbound") / "ASN_23.edi").exists():
                break
    # Then, whether the drop surfaced (TransientError) or the rename ran on a fresh connection,
    # the file was enqueued exactly once and ended in the archive
    assert sink.dropped
    assert len(sink.queue) == 1
    assert (sshd.folder("archive") / "ASN_23.edi").exists()
    assert not (sshd.folder("inbound") / "ASN_23.edi").exists()
    assert session.connects == 2
    if "transient" in outcomes:
        assert [name for name, _ in report.duplicates] == ["ASN_23.edi"]


def test_server_down_is_transient_after_bounded_retries(sshd: SshServer) -> None:
    profile = profile_from_dict(sshd.profile_dict(reconnect_attempts=2, reconnect_backoff_s=0))
    sshd.stop()
    session = SftpSession(profile)
    with pytest.raises(TransientError, match="connect"):
        upload(session, "ASN_22.edi", b"x")


def test_server_restart_between_uploads_reconnects(sshd: SshServer) -> None:
    with SftpSession(profile_from_dict(sshd.profile_dict())) as session:
        upload(session, "A.edi", b"a")
        sshd.restart()
        upload(session, "B.edi", b"b")
        assert session.connects == 2
    assert sorted(p.name for p in sshd.folder("outbound").iterdir()) == ["A.edi", "B.edi"]


def test_silent_server_hits_the_banner_timeout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Given something on loopback that accepts TCP but never speaks SSH
    import socket

    from tests.fixtures.sshd import SshServer as _Server

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    server = _Server(tmp_path)
    server.prepare()  # keys only; not started
    data = server.profile_dict(port=port, reconnect_attempts=0)
    data["host_keys"] = [f"[127.0.0.1]:{port} {server.host_public_key}"]
    data["timeouts"] = {"connect_s": 1, "banner_s": 0.5, "auth_s": 1, "op_s": 1}
    try:
        with pytest.raises(TransientError, match=r"connect on 127\.0\.0\.1"):
            SftpSession(profile_from_dict(data)).open()
    finally:
        listener.close()


def test_hung_server_hits_the_operation_timeout(sshd: SshServer) -> None:
    profile = profile_from_dict(sshd.profile_dict(timeouts={"connect_s": 5, "banner_s": 5, "auth_s": 5, "op_s": 1}))
    with SftpSession(profile) as session:
        session.call("list", lambda sftp: sftp.listdir("/"))
        # When the server side of the connection stops answering (process frozen, link black-holed)
        frozen = sshd.session_pids()
        for pid in frozen:
            os.kill(pid, signal.SIGSTOP)
        try:
            with pytest.raises(TransientError, match=r"list on 127\.0\.0\.1:\d+: timed out"):
                session.call("list", lambda sftp: sftp.listdir("/"), retry=False)
        finally:
            sshd.kill_sessions()
