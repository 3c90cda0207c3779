"""Where outbound X12 goes: the partner's SFTP outbound folder, or a local folder when the partner has
no SFTP profile (the embedded demo, a site that ships files another way).

File names come from the SFTP profile's ``outbound_name`` pattern (``{partner}_{set}_{control:09d}_
{timestamp}.edi`` by default). A step renders a document with the time of its message, so a retried
step renders the same name: a file that already exists under that name was delivered by an earlier
attempt and is not written again (SFTP: the rename refuses to overwrite; folder: ``link`` does).
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime
from pathlib import Path

from crossdock.bridges.sftp import RemoteFileExistsError, SftpSession, render_name, upload
from crossdock.errors import BusinessError, Owner, TransientError

log = logging.getLogger(__name__)

DEFAULT_NAME = "{partner}_{set}_{control:09d}_{timestamp}.edi"


class FolderOutbound:
    """Write into a local folder: temporary file, fsync, then a hard link to the final name (which
    fails rather than overwrite)."""

    def __init__(self, folder: Path, partner: str, *, pattern: str = DEFAULT_NAME) -> None:
        self.folder = folder
        self.partner = partner
        self.pattern = pattern

    def deliver(self, data: bytes, *, set_id: str, control: int, at: datetime) -> str:
        name = render_name(self.pattern, partner=self.partner, set_id=set_id, control=control, at=at)
        target = self.folder / name
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if target.is_symlink():  # crossdock never writes links: someone planted it; a person must look
                raise BusinessError(
                    f"outbound {target} is a symbolic link, not a file crossdock delivered: not written, "
                    "not counted as delivered",
                    owner=Owner.INTEGRATION,
                )
            if target.exists():
                log.info("outbound %s already delivered (an earlier attempt); not written again", target)
                return str(target)
            temp = self.folder / f".{name}.{os.getpid()}.{threading.get_ident()}.part"
            with temp.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temp, target)
            except FileExistsError:
                log.info("outbound %s already delivered (an earlier attempt); not written again", target)
            finally:
                temp.unlink()
        except OSError as exc:
            raise TransientError(f"cannot write outbound file {target}: {exc.strerror}") from exc
        return str(target)

    def close(self) -> None:
        return None


class SftpOutbound:
    """Upload through the partner's :class:`SftpSession` (one connection, shared by the worker's
    threads one at a time: paramiko's SFTP channel is not meant for concurrent requests)."""

    def __init__(self, session: SftpSession) -> None:
        self.session = session
        self._lock = threading.Lock()

    def deliver(self, data: bytes, *, set_id: str, control: int, at: datetime) -> str:
        profile = self.session.profile
        name = render_name(profile.outbound_name, partner=profile.partner, set_id=set_id, control=control, at=at)
        with self._lock:
            try:
                return upload(self.session, name, data).path
            except RemoteFileExistsError as exc:
                log.info("outbound %s already on the server (an earlier attempt); not uploaded again", name)
                return exc.path

    def close(self) -> None:
        with self._lock:
            self.session.close()
