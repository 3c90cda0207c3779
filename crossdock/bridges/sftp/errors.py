"""SFTP errors, and the ONE place paramiko and socket errors become crossdock errors.

::

    ConfigError
    ├── HostKeyMismatchError     the server offered a key that is not pinned (never accepted)
    └── SftpAuthError            the server refused our credentials
    BusinessError
    ├── UnsafeRemoteNameError    a remote name with path traversal or characters we do not allow
    └── RemoteFileExistsError    an upload target already exists (never overwritten)
    PermanentError
    └── RemoteFileError          the server refused an operation on one file (missing, no permission)
    TransientError               connection refused/dropped, timeouts, protocol errors: retry

Use :func:`sftp_errors` around every paramiko call; it re-raises crossdock errors untouched.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager

import paramiko

from crossdock.errors import BusinessError, ConfigError, CrossdockError, Owner, PermanentError, TransientError


class HostKeyMismatchError(ConfigError):
    """The server's host key is not one of the pinned keys. Never accepted, never added."""

    def __init__(self, host: str, port: int, offered: str, pinned: list[str]) -> None:
        pinned_text = ", ".join(pinned) if pinned else "none"
        super().__init__(
            f"SSH host key for {host}:{port} is NOT pinned: server offered {offered}; pinned: {pinned_text}. "
            "If the partner really changed its key, verify the new fingerprint with them and update host_keys."
        )
        self.host = host
        self.port = port
        self.offered = offered
        self.pinned = pinned


class SftpAuthError(ConfigError):
    """The server refused our user, key or password."""


class UnsafeRemoteNameError(BusinessError):
    """A remote file name that could escape its folder or carries characters we do not allow."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"unsafe remote file name {name!r}: {reason}", owner=Owner.INTEGRATION, key=name)
        self.name = name
        self.reason = reason


class RemoteFileExistsError(BusinessError):
    """An upload would overwrite an existing remote file; crossdock never overwrites."""

    def __init__(self, path: str) -> None:
        super().__init__(f"remote file {path} already exists; not overwritten", owner=Owner.INTEGRATION, key=path)
        self.path = path


class RemoteFileError(PermanentError):
    """The server refused an operation on one file (no such file, permission denied, failure)."""

    def __init__(self, message: str, *, path: str | None = None, code: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.code = code


_FILE_ERRNOS = {errno.ENOENT, errno.EACCES, errno.EPERM, errno.EEXIST, errno.EISDIR, errno.ENOTDIR}


@contextmanager
def sftp_errors(action: str, *, host: str, port: int, path: str | None = None) -> Iterator[None]:
    """Translate paramiko/socket errors raised inside the block, naming what we were doing."""
    where = f"{action} on {host}:{port}" + (f" ({path})" if path else "")
    try:
        yield
    except CrossdockError:
        raise
    except paramiko.BadHostKeyException as exc:
        offered, pinned = exc.key, exc.expected_key
        raise HostKeyMismatchError(
            host, port, f"{offered.get_name()} {offered.fingerprint}", [f"{pinned.get_name()} {pinned.fingerprint}"]
        ) from exc
    except paramiko.AuthenticationException as exc:
        raise SftpAuthError(f"{where}: authentication failed: {exc}") from exc
    except TimeoutError as exc:
        raise TransientError(f"{where}: timed out") from exc
    except (paramiko.SSHException, EOFError, ConnectionError, paramiko.ssh_exception.NoValidConnectionsError) as exc:
        raise TransientError(f"{where}: connection failed: {exc or type(exc).__name__}") from exc
    except OSError as exc:
        # paramiko's SFTP client raises OSError with an errno for SFTP status codes (ENOENT, EACCES)
        # and without one for the generic SSH_FX_FAILURE; other errnos come from the socket.
        if exc.errno is None or exc.errno in _FILE_ERRNOS:
            detail = exc.strerror or str(exc) or "failure"
            raise RemoteFileError(f"{where}: {detail}", path=path, code=exc.errno) from exc
        raise TransientError(f"{where}: {exc.strerror or exc}") from exc
