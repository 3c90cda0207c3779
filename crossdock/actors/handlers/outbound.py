"""Where outbound X12 goes: the partner's SFTP outbound folder, or a local folder when the partner has
no SFTP profile (the embedded demo, a site that ships files another way).

Each document has its own file name (:meth:`file_name`, from the SFTP profile's ``outbound_name``
pattern, ``{partner}_{set}_{control:09d}_{timestamp}.edi`` by default, always carrying the ISA13 and
the document's outbox id), recorded with the document in the outbox before anything is written.
:meth:`put` writes the bytes under that name atomically (SFTP: a temporary name, then a rename that
refuses to overwrite; folder: a hard link, which does too). A file already there under that name
counts as delivered only when it holds exactly these bytes (an earlier attempt of the same delivery);
anything else is :class:`OutboundConflictError`, a business error for the integration owner: the
file is not overwritten and the document not counted as delivered.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime
from pathlib import Path

from crossdock.bridges.sftp import RemoteFileExistsError, SftpSession, same_content, upload
from crossdock.bridges.sftp.names import document_name, remote_path
from crossdock.errors import BusinessError, Owner, TransientError

log = logging.getLogger(__name__)

DEFAULT_NAME = "{partner}_{set}_{control:09d}_{timestamp}.edi"


class OutboundConflictError(BusinessError):
    """A different file is where an outbound document must go: a person must look (owner integration)."""

    def __init__(self, where: str, *, key: str | None = None) -> None:
        super().__init__(
            f"outbound {where} already exists with other content: not overwritten, the document is not "
            "delivered; move the other file away, then `crossdock outbox deliver` the document",
            owner=Owner.INTEGRATION,
            key=key,
        )
        self.where = where


class FolderOutbound:
    """Write into a local folder: temporary file, fsync, then a hard link to the final name (which
    fails rather than overwrite)."""

    def __init__(self, folder: Path, partner: str, *, pattern: str = DEFAULT_NAME) -> None:
        self.folder = folder
        self.partner = partner
        self.pattern = pattern

    def file_name(self, *, set_id: str, control: int, at: datetime, doc_id: int) -> str:
        return document_name(self.pattern, partner=self.partner, set_id=set_id, control=control, at=at, doc_id=doc_id)

    def put(self, name: str, data: bytes) -> str:
        target = self.folder / name
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if target.is_symlink():  # crossdock never writes links: someone planted it; a person must look
                raise BusinessError(
                    f"outbound {target} is a symbolic link, not a file crossdock delivered: not written, "
                    "not counted as delivered",
                    owner=Owner.INTEGRATION,
                )
            if not target.exists():
                temp = self.folder / f".{name}.{os.getpid()}.{threading.get_ident()}.part"
                with temp.open("wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                try:
                    os.link(temp, target)
                    return str(target)
                except FileExistsError:
                    pass  # another attempt of the same delivery won the race: compare below
                finally:
                    temp.unlink()
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                log.info("outbound %s already delivered (an earlier attempt); not written again", target)
                return str(target)
        except OSError as exc:
            raise TransientError(f"cannot write outbound file {target}: {exc.strerror}") from exc
        raise OutboundConflictError(str(target))

    def close(self) -> None:
        return None


class SftpOutbound:
    """Upload through the partner's :class:`SftpSession` (one connection, shared by the worker's
    threads one at a time: paramiko's SFTP channel is not meant for concurrent requests)."""

    def __init__(self, session: SftpSession) -> None:
        self.session = session
        self._lock = threading.Lock()

    def file_name(self, *, set_id: str, control: int, at: datetime, doc_id: int) -> str:
        profile = self.session.profile
        return document_name(
            profile.outbound_name, partner=profile.partner, set_id=set_id, control=control, at=at, doc_id=doc_id
        )

    def put(self, name: str, data: bytes) -> str:
        with self._lock:
            try:
                return upload(self.session, name, data).path
            except RemoteFileExistsError as exc:
                if same_content(self.session, exc.path, data):
                    log.info("outbound %s already on the server (an earlier attempt); not uploaded again", name)
                    return exc.path
        raise OutboundConflictError(remote_path(self.session.profile.folders.outbound, name))

    def close(self) -> None:
        with self._lock:
            self.session.close()
