"""A local folder standing in for a partner's SFTP mailbox (the embedded demo, a site that receives
files another way): the same decisions and the same sink order as the SFTP poller.

``<root>/inbound`` is read; each file is identified (:func:`crossdock.bridges.sftp.identify`), checked
for a duplicate, stored and enqueued through the sink, and ONLY THEN moved to ``<root>/archive``
(unreadable files go to ``<root>/error`` with a ``<name>.reason.txt``).
"""

from __future__ import annotations

import os
from pathlib import Path

from crossdock.bridges.sftp import InboundFile, InboundSink, PollReport, UnsafeRemoteNameError, identify, safe_name


def _move(path: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():  # an earlier file of the same name: keep both
        target = folder / f"{path.stem}.{os.getpid()}.{path.stat().st_mtime_ns}{path.suffix}"
    path.rename(target)


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


def poll_folder(root: Path, partner: str, sink: InboundSink, *, max_file_bytes: int = MAX_FILE_BYTES) -> PollReport:
    report = PollReport(partner=partner)
    inbound = root / "inbound"
    for path in sorted(inbound.iterdir()) if inbound.exists() else []:
        if path.is_symlink():  # it could point anywhere: never follow a link out of the mailbox
            report.unsafe.append((path.name, "a symbolic link, not a regular file"))
            continue
        if not path.is_file() or path.name.startswith("."):
            continue
        try:
            name = safe_name(path.name)
        except UnsafeRemoteNameError as exc:
            report.unsafe.append((path.name, str(exc)))
            continue
        size = path.stat().st_size
        if size > max_file_bytes:
            reason = f"file is {size} bytes, more than max_file_bytes {max_file_bytes}"
            sink.record_rejected(InboundFile(partner, name, size, ""), b"", reason)
            report.rejected.append((name, reason))
            _write_reason(root / "error" / f"{name}.reason.txt", reason)
            _move(path, root / "error")
            continue
        data = path.read_bytes()
        item, reason = identify(partner, name, data)
        duplicate = sink.find_duplicate(item)
        if duplicate is not None:
            sink.record_duplicate(item, duplicate)
            report.duplicates.append((item.name, duplicate))
            _move(path, root / "archive")
            continue
        if reason is not None:
            sink.record_rejected(item, data, reason)
            report.rejected.append((item.name, reason))
            _write_reason(root / "error" / f"{item.name}.reason.txt", reason)
            _move(path, root / "error")
            continue
        ref = sink.store_raw(item, data)
        sink.enqueue(ref, item)
        report.accepted.append((item.name, ref))
        _move(path, root / "archive")
    return report
