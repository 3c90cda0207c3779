"""Poll a partner's inbound folder: complete files are fetched, handed to the sink, then moved.

For each complete file, in this order (see :mod:`crossdock.bridges.sftp.sink`):
fetch → identify → duplicate? (journal, archive) → not X12? (keep, error folder + reason file) →
store durably → enqueue → ONLY THEN archive. A failure before the move leaves the remote file where
it was, so the next poll tries again; a drop after enqueue makes the next poll see a duplicate.

Given a :class:`~crossdock.bridges.sftp.sink.MailboxLock`, each poll holds it for the mailbox; a poll
that finds it held by another poller does nothing and says so in its report (``busy``). A file that
another poller took between the listing and our read or move (a poller without the shared lock) is
reported under ``gone`` and the poll carries on: the sink stored it once and its message carries the
same idempotency key, so it is processed once.
"""

from __future__ import annotations

import errno
import logging
import posixpath
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import paramiko

from crossdock.bridges.sftp.errors import RemoteFileError, RemoteFileExistsError, UnsafeRemoteNameError
from crossdock.bridges.sftp.inbound import REASON_SUFFIX, RemoteEntry, StabilityTracker, identify
from crossdock.bridges.sftp.names import remote_path, safe_name
from crossdock.bridges.sftp.session import SftpSession
from crossdock.bridges.sftp.sink import InboundFile, InboundSink, MailboxLock
from crossdock.bridges.sftp.upload import upload
from crossdock.errors import TransientError

log = logging.getLogger(__name__)


@dataclass
class PollReport:
    partner: str
    accepted: list[tuple[str, str]] = field(default_factory=list)  # (name, stored ref)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    waiting: list[str] = field(default_factory=list)  # still being written
    unsafe: list[tuple[str, str]] = field(default_factory=list)  # names we refuse to touch
    gone: list[tuple[str, str]] = field(default_factory=list)  # (name, what happened): another poller took it
    busy: str | None = None  # the mailbox was held by another poller: this poll did nothing

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class InboundPoller:
    """Keeps the stability state between polls; reuses the session's one connection."""

    def __init__(
        self,
        session: SftpSession,
        sink: InboundSink,
        *,
        tracker: StabilityTracker | None = None,
        lock: MailboxLock | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.session = session
        self.profile = session.profile
        self.sink = sink
        self.tracker = tracker or StabilityTracker()
        self.lock = lock
        self._sleep = sleep
        self._now = now

    @property
    def mailbox(self) -> str:
        """What identifies the mailbox for the lock, the same on every host."""
        profile = self.profile
        return f"sftp://{profile.user}@{profile.host}:{profile.port}{profile.folders.inbound}"

    # -- one poll -----------------------------------------------------------------------------
    def poll_once(self) -> PollReport:
        report = PollReport(partner=self.profile.partner)
        if self.lock is None:
            return self._poll(report)
        with self.lock.hold(self.mailbox) as held:
            if not held:
                report.busy = f"{self.mailbox} is being polled by another poller; this poll skipped it"
                log.info("sftp %s: %s", self.profile.partner, report.busy)
                return report
            return self._poll(report)

    def _poll(self, report: PollReport) -> PollReport:
        profile = self.profile
        fresh_before = set(self.tracker.seen)
        entries = self._list(report)
        ready, waiting = self.tracker.ready(entries, profile.done_marker)
        if not profile.done_marker and profile.settle_s > 0 and any(n not in fresh_before for n in waiting):
            self._sleep(profile.settle_s)  # second look at new files, bounded by settle_s
            ready, waiting = self.tracker.ready(self._list(PollReport(profile.partner)), profile.done_marker)
        report.waiting.extend(waiting)
        for entry in ready:
            self.tracker.forget(entry.name)  # whatever happens, the next look at this name is a first look
            self._handle(entry, report)
        return report

    def run(
        self,
        *,
        max_polls: int | None = None,
        stop: threading.Event | None = None,
        on_report: Callable[[PollReport], None] | None = None,
    ) -> int:
        """Poll every ``poll_interval_s`` until ``stop`` is set or ``max_polls`` ran; each report goes to
        ``on_report``. Transient errors are logged and the next poll reconnects. Returns the polls run."""
        stop = stop or threading.Event()
        polls = 0
        while not stop.is_set() and (max_polls is None or polls < max_polls):
            polls += 1
            try:
                report = self.poll_once()
            except TransientError as exc:
                log.warning("sftp poll of %s failed, will retry next poll: %s", self.profile.partner, exc)
            else:
                if on_report is not None:
                    on_report(report)
            if max_polls is None or polls < max_polls:
                stop.wait(self.profile.poll_interval_s)
        return polls

    # -- steps --------------------------------------------------------------------------------
    def _list(self, report: PollReport) -> list[RemoteEntry]:
        folder = self.profile.folders.inbound
        attrs = self.session.call("list", lambda sftp: sftp.listdir_attr(folder), path=folder)
        entries: list[RemoteEntry] = []
        for attr in attrs:
            try:
                name = safe_name(attr.filename)
            except UnsafeRemoteNameError as exc:
                report.unsafe.append((attr.filename, exc.reason))
                log.warning("sftp %s: refusing remote file: %s", self.profile.partner, exc)
                continue
            entries.append(RemoteEntry(name, attr.st_size or 0, attr.st_mtime or 0, attr.st_mode or 0))
        return entries

    def _handle(self, entry: RemoteEntry, report: PollReport) -> None:
        profile, sink = self.profile, self.sink
        path = remote_path(profile.folders.inbound, entry.name)
        if not entry.is_file:
            self._reject(InboundFile(profile.partner, entry.name, entry.size, ""), b"", "not a regular file", report)
            return
        if entry.size > profile.max_file_bytes:
            reason = f"file is {entry.size} bytes, more than max_file_bytes {profile.max_file_bytes}"
            self._reject(InboundFile(profile.partner, entry.name, entry.size, ""), b"", reason, report)
            return
        try:
            data = self.session.call("read", lambda sftp: _fetch(sftp, path, profile.max_file_bytes), path=path)
        except RemoteFileError as exc:
            if exc.code == errno.ENOENT:
                self._gone(entry.name, "no longer in the inbound folder when read (another poller took it)", report)
                return
            self._reject(InboundFile(profile.partner, entry.name, entry.size, ""), b"", f"cannot read: {exc}", report)
            return
        if len(data) != entry.size:
            report.waiting.append(entry.name)  # changed since it was listed: still being written
            return
        item, problem = identify(profile.partner, entry.name, data)
        duplicate = sink.find_duplicate(item)
        if duplicate is not None:
            sink.record_duplicate(item, duplicate)
            if self._move(entry.name, profile.folders.archive, item.sha256) is None:
                self._gone(entry.name, f"{duplicate}; another poller archived it first", report)
                return
            report.duplicates.append((entry.name, duplicate))
        elif problem is not None:
            self._reject(item, data, problem, report)
            return
        else:
            ref = sink.store_raw(item, data)  # durable when it returns
            sink.enqueue(ref, item)
            if self._move(entry.name, profile.folders.archive, item.sha256) is None:  # only after store + enqueue
                self._gone(entry.name, f"stored as {ref} and handed on (same key: processed once); "
                           "another poller archived it first", report)  # fmt: skip
                return
            report.accepted.append((entry.name, ref))
        self._drop_marker(entry.name)

    def _gone(self, name: str, what: str, report: PollReport) -> None:
        report.gone.append((name, what))
        log.warning("sftp %s: %s: %s", self.profile.partner, name, what)

    def _reject(self, item: InboundFile, data: bytes, reason: str, report: PollReport) -> None:
        self.sink.record_rejected(item, data, reason)
        final = self._move(item.name, self.profile.folders.error, item.sha256 or "nohash")
        if final is None:
            self._gone(item.name, f"rejected ({reason}); another poller moved it first", report)
            return
        text = (
            f"partner: {item.partner}\nfile: {item.name}\nsize: {item.size}\nsha256: {item.sha256 or '-'}\n"
            f"when: {self._now().isoformat()}\nreason: {reason}\n"
        )
        base = posixpath.basename(final)
        try:
            upload(self.session, base + REASON_SUFFIX, text.encode(), folder=self.profile.folders.error)
        except RemoteFileExistsError:  # a stale reason file left behind: keep it, write ours beside it
            stamp = self._now().strftime("%Y%m%dT%H%M%S")
            upload(self.session, f"{base}.{stamp}{REASON_SUFFIX}", text.encode(), folder=self.profile.folders.error)
        report.rejected.append((item.name, reason))
        log.warning("sftp %s: %s moved to %s: %s", item.partner, item.name, final, reason)
        self._drop_marker(item.name)

    def _move(self, name: str, folder: str, sha256: str) -> str | None:
        """Rename inbound/name into folder, never over an existing file (a suffixed name instead).
        ``None`` when inbound/name is no longer there: another poller moved it first."""
        source = remote_path(self.profile.folders.inbound, name)
        target = remote_path(folder, name)
        try:
            self.session.call("rename", lambda sftp: sftp.rename(source, target), path=target, retry=False)
        except RemoteFileError:
            if self._missing(source):
                return None
            stamp = self._now().strftime("%Y%m%dT%H%M%S")
            target = remote_path(folder, f"{name}.{stamp}.{sha256[:8]}")
            try:
                self.session.call("rename", lambda sftp: sftp.rename(source, target), path=target, retry=False)
            except RemoteFileError:
                if self._missing(source):
                    return None
                raise
        return target

    def _missing(self, path: str) -> bool:
        try:
            self.session.call("stat", lambda sftp: sftp.stat(path), path=path)
        except RemoteFileError as exc:
            return exc.code == errno.ENOENT
        return False

    def _drop_marker(self, name: str) -> None:
        marker = self.profile.done_marker
        if not marker:
            return
        path = remote_path(self.profile.folders.inbound, name + marker)
        try:
            self.session.call("remove marker", lambda sftp: sftp.remove(path), path=path, retry=False)
        except RemoteFileError:
            return  # marker already gone


def _fetch(sftp: paramiko.SFTPClient, path: str, limit: int) -> bytes:
    with sftp.open(path, "rb") as handle:
        return handle.read(limit + 1)
