"""A local folder standing in for a partner's SFTP mailbox (the embedded demo, a site that receives
files another way): the same decisions and the same sink order as the SFTP poller.

``<root>/inbound`` is read; each file is identified (:func:`crossdock.bridges.sftp.identify`), checked
for a duplicate, stored and enqueued through the sink, and ONLY THEN moved to ``<root>/archive``
(unreadable files go to ``<root>/error`` with a ``<name>.reason.txt``).

Each poll holds a per-mailbox lock: the ``lock`` given (the store-backed sink's: across hosts on
PostgreSQL), else ``flock`` on ``<root>/.poll.lock`` (this host). A poll that finds it held does
nothing and reports ``busy``. A file another poller took first (it vanished between the listing and
our read or move) is reported under ``gone``; the poll carries on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crossdock.bridges.sftp import (
    InboundFile,
    InboundSink,
    MailboxLock,
    PollReport,
    UnsafeRemoteNameError,
    identify,
    safe_name,
)
from crossdock.file_lock import try_flock

LOCK_FILE = ".poll.lock"


class FolderLock:
    """The default :class:`MailboxLock` of a local mailbox: ``flock`` on ``<root>/.poll.lock``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @contextmanager
    def hold(self, mailbox: str) -> Iterator[bool]:
        with try_flock(self.root / LOCK_FILE) as held:
            yield held


class _GoneError(Exception):
    """The file left the inbound folder under us: another poller took it."""


def _move(path: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    try:
        if target.exists():  # an earlier file of the same name: keep both
            target = folder / f"{path.stem}.{os.getpid()}.{path.stat().st_mtime_ns}{path.suffix}"
        path.rename(target)
    except FileNotFoundError as exc:
        if not path.exists():
            raise _GoneError from exc
        raise


def _write_reason(target: Path, reason: str) -> None:
    """Write ``target`` itself: a link planted under that name is replaced, never written through."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        target.unlink()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(reason + "\n")


MAX_FILE_BYTES = 50 * 1024 * 1024
"""The SFTP profile's default ``max_file_bytes``: a larger file is refused before it is read."""


def poll_folder(
    root: Path,
    partner: str,
    sink: InboundSink,
    *,
    max_file_bytes: int = MAX_FILE_BYTES,
    lock: MailboxLock | None = None,
) -> PollReport:
    report = PollReport(partner=partner)
    inbound = root / "inbound"
    mailbox = f"folder://{inbound.resolve()}"
    with (lock or FolderLock(root)).hold(mailbox) as held:
        if not held:
            report.busy = f"{mailbox} is being polled by another poller; this poll skipped it"
            return report
        for path in sorted(inbound.iterdir()) if inbound.exists() else []:
            try:
                _handle(path, root, partner, sink, max_file_bytes, report)
            except _GoneError:
                report.gone.append((path.name, "no longer in the inbound folder (another poller took it)"))
    return report


def _handle(path: Path, root: Path, partner: str, sink: InboundSink, max_file_bytes: int, report: PollReport) -> None:
    """One inbound entry; raises :class:`_GoneError` when it vanished under us."""
    if path.is_symlink():  # it could point anywhere: never follow a link out of the mailbox
        report.unsafe.append((path.name, "a symbolic link, not a regular file"))
        return
    if path.name.startswith("."):
        return
    if not path.is_file():
        if not path.exists():  # listed a moment ago
            raise _GoneError
        return
    try:
        name = safe_name(path.name)
    except UnsafeRemoteNameError as exc:
        report.unsafe.append((path.name, str(exc)))
        return
    try:
        size = path.stat().st_size
        data = b"" if size > max_file_bytes else path.read_bytes()
    except FileNotFoundError as exc:
        raise _GoneError from exc
    if size > max_file_bytes:
        reason = f"file is {size} bytes, more than max_file_bytes {max_file_bytes}"
        sink.record_rejected(InboundFile(partner, name, size, ""), b"", reason)
        _move(path, root / "error")
        _write_reason(root / "error" / f"{name}.reason.txt", reason)
        report.rejected.append((name, reason))
        return
    item, reason = identify(partner, name, data)
    duplicate = sink.find_duplicate(item)
    if duplicate is not None:
        sink.record_duplicate(item, duplicate)
        _move(path, root / "archive")
        report.duplicates.append((item.name, duplicate))
        return
    if reason is not None:
        sink.record_rejected(item, data, reason)
        _move(path, root / "error")
        _write_reason(root / "error" / f"{item.name}.reason.txt", reason)
        report.rejected.append((item.name, reason))
        return
    ref = sink.store_raw(item, data)
    sink.enqueue(ref, item)
    try:
        _move(path, root / "archive")
    except _GoneError:
        report.gone.append((item.name, f"stored as {ref} and handed on (same key: processed once); "
                            "another poller archived it first"))  # fmt: skip
        return
    report.accepted.append((item.name, ref))
