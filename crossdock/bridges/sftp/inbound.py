"""Pure inbound decisions: which listed files are complete, and what a fetched file is.

* :class:`StabilityTracker` remembers each file's (size, mtime) from the previous look: a file is
  ready when it is a regular file and both are unchanged since that look (or, when the partner
  writes done-markers, when ``<name><marker>`` exists).
* :func:`identify` hashes the bytes and scans the envelopes for the ISA sender and control number,
  or says why the file cannot be parsed as X12.
"""

from __future__ import annotations

import hashlib
import stat
from dataclasses import dataclass, field

from crossdock.bridges.sftp.sink import InboundFile, IsaKey
from crossdock.edi.scan import scan_envelopes
from crossdock.errors import EdiError

REASON_SUFFIX = ".reason.txt"


@dataclass(frozen=True)
class RemoteEntry:
    name: str
    size: int
    mtime: int
    mode: int

    @property
    def is_file(self) -> bool:
        return stat.S_ISREG(self.mode)

    @property
    def is_dir(self) -> bool:
        return stat.S_ISDIR(self.mode)


@dataclass
class StabilityTracker:
    """State kept between looks; one per partner, kept for the life of the poller."""

    seen: dict[str, tuple[int, int]] = field(default_factory=dict)

    def ready(self, entries: list[RemoteEntry], done_marker: str | None = None) -> tuple[list[RemoteEntry], list[str]]:
        """Split a listing into (ready entries, names still being written). Directories are ignored;
        markers and our own hidden files are not candidates."""
        names = {e.name for e in entries}
        ready: list[RemoteEntry] = []
        waiting: list[str] = []
        current: dict[str, tuple[int, int]] = {}
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_dir or entry.name.startswith(".") or (done_marker and entry.name.endswith(done_marker)):
                continue
            state = (entry.size, entry.mtime)
            current[entry.name] = state
            # with markers the partner says when a file is complete; without, two equal looks do
            complete = f"{entry.name}{done_marker}" in names if done_marker else self.seen.get(entry.name) == state
            if complete:
                ready.append(entry)
            else:
                waiting.append(entry.name)
        self.seen = current
        return ready, waiting

    def forget(self, name: str) -> None:
        """A file was moved away: a new file under the same name starts from a first look again."""
        self.seen.pop(name, None)


def identify(partner: str, name: str, data: bytes) -> tuple[InboundFile, str | None]:
    """The file's identity, and the reason it cannot be parsed as X12 (None when it can).

    The envelopes are scanned whole (ISA/GS/ST/SE nesting, :func:`crossdock.edi.scan.scan_envelopes`),
    not just the first bytes, so a truncated or scrambled envelope is refused here rather than by a
    worker later; the segments inside the sets are read once, by the worker that translates them.
    """
    digest = hashlib.sha256(data).hexdigest()
    isa: IsaKey | None = None
    reason: str | None = None
    try:
        scan = scan_envelopes(data, source=name)
        if not scan.interchanges or scan.set_count == 0:
            reason = "X12 interchange without any ST/SE transaction set"
        else:
            first = scan.interchanges[0]
            if first.control_number:
                isa = IsaKey(first.sender_qualifier, first.sender_id, first.control_number)
    except EdiError as exc:
        reason = f"not readable X12: {exc}"
    if reason is not None:
        isa = None
    return InboundFile(partner=partner, name=name, size=len(data), sha256=digest, isa=isa), reason
