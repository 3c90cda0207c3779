"""The one mapping from paramiko/socket errors to crossdock's classes (real exception objects)."""

from __future__ import annotations

import errno

import paramiko
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from crossdock.bridges.sftp import HostKeyMismatchError, RemoteFileError, SftpAuthError, sftp_errors
from crossdock.errors import BusinessError, ConfigError, TransientError


def pkey() -> paramiko.PKey:
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    keytype, b64 = raw.decode().split()
    return paramiko.PKey.from_type_string(keytype, __import__("base64").b64decode(b64))


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (TimeoutError("timed out"), TransientError),
        (EOFError(), TransientError),
        (paramiko.SSHException("Server connection dropped"), TransientError),
        (ConnectionResetError(errno.ECONNRESET, "reset"), TransientError),
        (OSError(errno.EHOSTUNREACH, "no route"), TransientError),
        (paramiko.ssh_exception.NoValidConnectionsError({("127.0.0.1", 1): OSError("refused")}), TransientError),
        (paramiko.AuthenticationException("denied"), SftpAuthError),
        (FileNotFoundError(errno.ENOENT, "No such file"), RemoteFileError),
        (PermissionError(errno.EACCES, "Permission denied"), RemoteFileError),
        (OSError("Failure"), RemoteFileError),
    ],
)
def test_library_errors_are_mapped_once_with_the_cause(raised: BaseException, expected: type[Exception]) -> None:
    with pytest.raises(expected) as err, sftp_errors("read", host="h", port=2222, path="/in/a.edi"):
        raise raised
    assert err.value.__cause__ is raised
    assert "read on h:2222" in str(err.value)


def test_changed_host_key_names_both_fingerprints() -> None:
    offered, pinned = pkey(), pkey()
    with pytest.raises(HostKeyMismatchError) as err, sftp_errors("connect", host="h", port=22):
        raise paramiko.BadHostKeyException("h", offered, pinned)
    assert isinstance(err.value, ConfigError)
    assert offered.fingerprint in str(err.value) and pinned.fingerprint in str(err.value)


def test_crossdock_errors_pass_through_untouched() -> None:
    original = BusinessError("exists")
    with pytest.raises(BusinessError) as err, sftp_errors("upload", host="h", port=22):
        raise original
    assert err.value is original
