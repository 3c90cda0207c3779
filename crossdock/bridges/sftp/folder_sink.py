"""A durable :class:`~crossdock.bridges.sftp.sink.InboundSink` on the local filesystem, for the CLI and
for sites without the database store yet.

``<root>/raw/<sha256>`` holds each file's bytes (written to a temporary name, fsynced, renamed), and
``<root>/journal.jsonl`` one fsynced JSON line per event: ``enqueued``, ``duplicate``, ``rejected``.
"Enqueue" means appending the ``enqueued`` line: a downstream reader takes work from the journal.
Duplicate detection is rebuilt from the journal, so it survives restarts. One poller per root:
:meth:`FolderSink.hold` is the per-mailbox lock (``flock`` on ``<root>/locks/``), which holds between
processes on this host; several hosts need the store-backed sink (``sftp poll --enqueue``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from crossdock.bridges.sftp.sink import InboundFile, IsaKey
from crossdock.errors import ConfigError
from crossdock.file_lock import try_flock


class FolderSink:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._by_content: set[tuple[str, str, str]] | None = None
        self._journal_size = 0  # the journal's size when this process last read or wrote it
        self._by_isa: set[tuple[str, IsaKey, str]] = set()

    @property
    def journal_path(self) -> Path:
        return self.root / "journal.jsonl"

    def _index(self) -> set[tuple[str, str, str]]:
        if self._by_content is None:
            self._by_content = set()
            (self.root / "raw").mkdir(parents=True, exist_ok=True)
            if self.journal_path.exists():
                text = self.journal_path.read_bytes()
                for number, line in enumerate(text.decode("utf-8").splitlines(), start=1):
                    self._load(line, number)
                self._journal_size = len(text)
        return self._by_content

    def _load(self, line: str, number: int) -> None:
        try:
            event = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{self.journal_path} line {number} is not JSON: {exc}") from exc
        if event.get("event") == "enqueued":
            assert self._by_content is not None
            self._by_content.add((event["partner"], event["name"], event["sha256"]))
            if event.get("isa"):
                self._by_isa.add((event["partner"], IsaKey(**event["isa"]), event["sha256"]))

    def _journal(self, event: str, item: InboundFile, **extra: object) -> None:
        record = {
            "at": datetime.now(UTC).isoformat(),
            "event": event,
            "partner": item.partner,
            "name": item.name,
            "size": item.size,
            "sha256": item.sha256,
            "isa": None if item.isa is None else vars(item.isa),
            **extra,
        }
        self._index()
        with self.journal_path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
            self._journal_size = handle.tell()

    def _write_raw(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        self._index()
        target = self.root / "raw" / digest
        if not target.exists():
            temp = target.with_suffix(".tmp")
            with temp.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            temp.replace(target)
        return "sha256:" + digest

    # -- MailboxLock ----------------------------------------------------------------------------
    @contextmanager
    def hold(self, mailbox: str) -> Iterator[bool]:
        name = hashlib.sha256(mailbox.encode()).hexdigest()[:32]
        with try_flock(self.root / "locks" / f"{name}.lock") as held:
            if held and self._by_content is not None and self._journal_grown():
                self._by_content, self._by_isa = None, set()  # another process wrote since: read it again
            yield held

    def _journal_grown(self) -> bool:
        try:
            return self.journal_path.stat().st_size != self._journal_size
        except FileNotFoundError:
            return self._journal_size != 0

    # -- InboundSink ---------------------------------------------------------------------------
    def find_duplicate(self, item: InboundFile) -> str | None:
        if (item.partner, item.name, item.sha256) in self._index():
            return f"already received {item.name} with the same content (sha256 {item.sha256[:12]})"
        if item.isa is not None and (item.partner, item.isa, item.sha256) in self._by_isa:
            return f"already received interchange {item.isa} with the same content from this sender"
        return None

    def record_duplicate(self, item: InboundFile, reason: str) -> None:
        self._journal("duplicate", item, reason=reason)

    def record_rejected(self, item: InboundFile, data: bytes, reason: str) -> None:
        ref = self._write_raw(data) if data else None
        self._journal("rejected", item, reason=reason, ref=ref)

    def store_raw(self, item: InboundFile, data: bytes) -> str:
        return self._write_raw(data)

    def enqueue(self, ref: str, item: InboundFile) -> None:
        if not (self.root / "raw" / ref.removeprefix("sha256:")).exists():
            raise KeyError(f"enqueue of {ref} before it was stored")
        self._journal("enqueued", item, ref=ref)
        self._index().add((item.partner, item.name, item.sha256))
        if item.isa is not None:
            self._by_isa.add((item.partner, item.isa, item.sha256))
