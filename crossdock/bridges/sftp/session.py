"""One SFTP connection per partner, opened lazily, reused across operations, reopened on drop.

Every paramiko call goes through :meth:`SftpSession.call`, which wraps it in
:func:`~crossdock.bridges.sftp.errors.sftp_errors`. Reads (list, stat, fetch) are retried after a
reconnect, up to ``reconnect_attempts`` times; writes (rename, upload) are not retried blindly: their
:class:`TransientError` reaches the caller, whose next run finds the state on the server and carries on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import paramiko

from crossdock.bridges.sftp.errors import HostKeyMismatchError, sftp_errors
from crossdock.bridges.sftp.hostkeys import install_pinned
from crossdock.bridges.sftp.profile import PartnerProfile
from crossdock.errors import ConfigError, TransientError

log = logging.getLogger(__name__)
T = TypeVar("T")


class SftpSession:
    """Constructing does no IO; the first :meth:`call` (or :meth:`open`) connects."""

    def __init__(
        self,
        profile: PartnerProfile,
        *,
        environ: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.profile = profile
        self._environ = environ
        self._sleep = sleep
        self._client: paramiko.SSHClient | None = None
        self._sftp: paramiko.SFTPClient | None = None
        self.connects = 0

    def __enter__(self) -> SftpSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connected(self) -> bool:
        transport = self._client.get_transport() if self._client else None
        return self._sftp is not None and transport is not None and transport.is_active()

    def open(self) -> paramiko.SFTPClient:
        if self._sftp is not None and self.connected:
            return self._sftp
        self.close()
        profile = self.profile
        pinned = profile.pinned_keys()
        creds = profile.credentials(self._environ)
        client = paramiko.SSHClient()
        install_pinned(client, profile.host, profile.port, pinned)
        timeouts = profile.timeouts
        try:
            with sftp_errors("connect", host=profile.host, port=profile.port):
                pkey = None
                if creds.key_file is not None:
                    passphrase = creds.passphrase.get_secret_value() if creds.passphrase else None
                    pkey = _load_key(creds.key_file, passphrase)
                client.connect(
                    profile.host,
                    port=profile.port,
                    username=profile.user,
                    pkey=pkey,
                    password=creds.password.get_secret_value() if creds.password else None,
                    timeout=timeouts.connect_s,
                    banner_timeout=timeouts.banner_s,
                    auth_timeout=timeouts.auth_s,
                    channel_timeout=timeouts.op_s,
                    allow_agent=False,
                    look_for_keys=False,
                )
                sftp = client.open_sftp()
                sftp.get_channel().settimeout(timeouts.op_s)  # type: ignore[union-attr]
        except HostKeyMismatchError as exc:
            client.close()
            log.error("sftp partner %s: %s", profile.partner, exc)  # loud: a person must verify the key
            raise
        except BaseException:
            client.close()
            raise
        self._client, self._sftp = client, sftp
        self.connects += 1
        log.info("sftp connected to %s:%s as %s (partner %s)", profile.host, profile.port, profile.user,
                 profile.partner)
        return sftp

    def close(self) -> None:
        sftp, client = self._sftp, self._client
        self._sftp = self._client = None
        if sftp is not None:
            sftp.close()
        if client is not None:
            client.close()

    def call(self, action: str, fn: Callable[[paramiko.SFTPClient], T], *, path: str | None = None,
             retry: bool = True) -> T:
        """Run ``fn(sftp)`` with errors mapped; reconnect and retry when ``retry`` and the link dropped."""
        profile = self.profile
        attempts = profile.reconnect_attempts + 1 if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                sftp = self.open()
                with sftp_errors(action, host=profile.host, port=profile.port, path=path):
                    return fn(sftp)
            except TransientError as exc:
                self.close()
                if attempt >= attempts:
                    raise
                log.warning("sftp %s failed (%s); reconnecting, attempt %d of %d", action, exc, attempt + 1, attempts)
                self._sleep(profile.reconnect_backoff_s * attempt)
        raise AssertionError("unreachable")  # pragma: no cover


def _load_key(path: Path, passphrase: str | None) -> paramiko.PKey:
    try:
        return paramiko.PKey.from_path(path, password=passphrase)
    except FileNotFoundError as exc:
        raise ConfigError(f"auth.key_file: {path} does not exist") from exc
    except (paramiko.SSHException, ValueError, OSError) as exc:
        raise ConfigError(f"auth.key_file: cannot load private key {path}: {exc}") from exc
