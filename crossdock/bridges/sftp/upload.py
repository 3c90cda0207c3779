"""Outbound files: write ``.<name>.part`` in the outbound folder, then rename it into place.

The 3PL's poller never sees a partly written ``<name>``: the bytes land under the hidden temporary
name first, and the SFTP ``rename`` (SSH_FXP_RENAME, which OpenSSH implements with ``link()``) makes
the final name appear complete, and fails when the target already exists, so nothing is overwritten.
We deliberately do not use ``posix-rename@openssh.com``: it replaces an existing target.
"""

from __future__ import annotations

import io
import posixpath
from dataclasses import dataclass
from datetime import UTC, datetime

import paramiko

from crossdock.bridges.sftp.errors import RemoteFileError, RemoteFileExistsError
from crossdock.bridges.sftp.names import remote_path, render_name, safe_name
from crossdock.bridges.sftp.session import SftpSession


@dataclass(frozen=True)
class Uploaded:
    path: str
    size: int


def part_name(name: str) -> str:
    return f".{safe_name(name)}.part"


def upload(session: SftpSession, name: str, data: bytes, *, folder: str | None = None) -> Uploaded:
    """Upload ``data`` as ``<outbound>/<name>``; :class:`RemoteFileExistsError` if it exists."""
    target_folder = folder or session.profile.folders.outbound
    target = remote_path(target_folder, name)
    temp = posixpath.join(target_folder, part_name(name))

    def write(sftp: paramiko.SFTPClient) -> None:
        sftp.putfo(io.BytesIO(data), temp, file_size=len(data), confirm=True)

    # No existence check first: the rename below refuses an existing target atomically, which a
    # check-then-write could not. Writing the temporary file is idempotent, so it may be retried.
    session.call("upload", write, path=temp)
    try:
        session.call("rename", lambda sftp: sftp.rename(temp, target), path=target, retry=False)
    except RemoteFileError as exc:
        exists = session.call("stat", lambda sftp: _exists(sftp, target), path=target)
        _discard(session, temp)
        if exists:
            raise RemoteFileExistsError(target) from exc
        raise
    return Uploaded(path=target, size=len(data))


def upload_document(
    session: SftpSession, data: bytes, *, set_id: str, control: int, at: datetime | None = None
) -> Uploaded:
    """Upload one outbound X12 document under the partner's ``outbound_name`` pattern."""
    profile = session.profile
    name = render_name(
        profile.outbound_name, partner=profile.partner, set_id=set_id, control=control, at=at or datetime.now(UTC)
    )
    return upload(session, name, data)


def same_content(session: SftpSession, path: str, data: bytes) -> bool:
    """Whether the remote file ``path`` holds exactly ``data`` (read at most ``len(data) + 1`` bytes)."""

    def read(sftp: paramiko.SFTPClient) -> bool:
        if sftp.stat(path).st_size != len(data):
            return False
        with sftp.open(path, "rb") as handle:
            return bytes(handle.read(len(data) + 1)) == data

    return session.call("read", read, path=path)


def _exists(sftp: paramiko.SFTPClient, path: str) -> bool:
    try:
        sftp.stat(path)
    except FileNotFoundError:
        return False
    return True


def _discard(session: SftpSession, temp: str) -> None:
    try:
        session.call("remove", lambda sftp: sftp.remove(temp), path=temp, retry=False)
    except RemoteFileError:
        return  # already gone; nothing to clean up
